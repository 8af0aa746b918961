/**
 * `sbom` on the engine: the CycloneDX 1.5 document of a built binary lists the main module and its
 * version, each dependency with its version and checksum as a pkg:golang purl, and the Go toolchain,
 * and it is valid against CycloneDX's own JSON schema.
 */
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { minutes } from "../support/commands.js";
import { cyclonedx15 } from "../support/cyclonedxSchema.js";
import { engineSuite, goScratch, useEngineSession } from "../support/engine.js";
import { toolAvailable } from "../support/requirements.js";

const run = engineSuite("sbom", [toolAvailable("go", ["version"])]);

const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-sbom-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string; version: string; purl: string }; properties?: { name: string; value: string }[] };
  components?: { name: string; version: string; purl: string; hashes?: { alg: string; content: string }[] }[];
}

describe.skipIf(!run)("engine: sbom", () => {
  useEngineSession();

  it(
    "lists the main module, each dependency with version and checksum, and the Go toolchain, valid CycloneDX 1.5",
    async () => {
      const path = join(work, "cmdsvc.cdx.json");
      await (await goScratch({ source: "test/fixtures/cmdsvc", pkg: "./cmd/server", version: "v0.3.0" }).sbom("linux/arm64")).export(path);
      const text = readFileSync(path, "utf8");
      const bom = JSON.parse(text) as Bom;
      console.log(`SBOM of test/fixtures/cmdsvc (linux/arm64):\n${JSON.stringify({ component: bom.metadata.component, components: bom.components }, null, 2)}`);
      expect(bom.bomFormat).toBe("CycloneDX");
      expect(bom.specVersion).toBe("1.5");
      expect(bom.metadata.component).toMatchObject({ name: "example.com/cmdsvc", version: "v0.3.0" });
      expect(bom.metadata.component.purl).toMatch(/^pkg:golang\/example\.com\/cmdsvc@v0\.3\.0\?goarch=arm64&goos=linux/);
      const uuid = bom.components?.find((c) => c.name === "github.com/google/uuid");
      expect(uuid, "the dependency is listed").toBeDefined();
      expect(uuid!.version).toBe("v1.6.0");
      expect(uuid!.purl).toMatch(/^pkg:golang\/github\.com\/google\/uuid@v1\.6\.0/);
      // The checksum go.sum records for it (h1:, base64 SHA-256), as hex.
      const sum = readFileSync("test/fixtures/cmdsvc/go.sum", "utf8").match(/^github\.com\/google\/uuid v1\.6\.0 h1:(\S+)$/m)![1];
      expect(uuid!.hashes).toContainEqual({ alg: "SHA-256", content: Buffer.from(sum, "base64").toString("hex") });
      expect(bom.metadata.properties).toContainEqual(expect.objectContaining({ name: "cdx:gomod:build:env:GOVERSION" }));
      const validate = await cyclonedx15();
      expect(validate(bom), JSON.stringify(validate.errors, null, 2)).toBe(true);
    },
    minutes(10),
  );

  it(
    "carries no serial number or timestamp, so the same binary gives the same document",
    async () => {
      const path = join(work, "service.cdx.json");
      await (await goScratch({ version: "v1.0.0" }).sbom("linux/amd64")).export(path);
      const bom = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown> & { metadata: Record<string, unknown> };
      expect(bom.serialNumber).toBeUndefined();
      expect(bom.metadata.timestamp).toBeUndefined();
    },
    minutes(10),
  );
});
