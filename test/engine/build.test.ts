/**
 * Engine suite: `dagger call build` exports an OCI image whose config is the contract (user, exec-form
 * entrypoint, port, health check, version label), and `dagger call binary` is a static executable.
 * Runs only where the dagger CLI is on PATH; REQUIRE_DAGGER=1 makes its absence a failure.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { daggerOk } from "../support/dagger.js";
import { minutes, runCommand } from "../support/commands.js";
import { requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("engine: build", [toolAvailable("dagger", ["version"])], "REQUIRE_DAGGER");

/** The version the suite stamps, to find in the labels. */
const VERSION = "v0.0.0-engine-suite";

interface Descriptor {
  mediaType: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
}

interface ImageConfig {
  architecture?: string;
  os?: string;
  config?: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    ExposedPorts?: Record<string, object>;
    Healthcheck?: { Test?: string[] };
    Labels?: Record<string, string>;
    Env?: string[];
  };
}

/** Reads a blob of an unpacked OCI layout as JSON. */
function blob<T>(layout: string, digest: string): T {
  const [alg, hex] = digest.split(":");
  return JSON.parse(readFileSync(join(layout, "blobs", alg, hex), "utf8")) as T;
}

/** The image config of the (first linux) manifest in an unpacked OCI layout. */
function imageConfig(layout: string): ImageConfig {
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: Descriptor[] };
  expect(index.manifests?.length, "index.json lists no manifest").toBeGreaterThan(0);
  let d: Descriptor = index.manifests[0];
  // An index inside the index (multi-platform): take the first image manifest for linux.
  while (d.mediaType.endsWith("index.v1+json") || d.mediaType.endsWith("manifest.list.v2+json")) {
    const inner = blob<{ manifests: Descriptor[] }>(layout, d.digest);
    d = inner.manifests.find((m) => m.platform?.os === "linux") ?? inner.manifests[0];
  }
  const manifest = blob<{ config: Descriptor }>(layout, d.digest);
  return blob<ImageConfig>(layout, manifest.config.digest);
}

describe.skipIf(!run)("engine: build and binary", () => {
  let tmp = "";
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "go-scratch-engine-build-"));
  });
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it(
    "exports an OCI image that runs as 65532 with an exec-form entrypoint, port 8080, a health check and labels",
    async () => {
      const tar = join(tmp, "image.tar");
      await daggerOk(["call", `--version=${VERSION}`, "--revision=enginesuite", "build", "export", `--path=${tar}`], minutes(20));
      const layout = join(tmp, "layout");
      const untar = await runCommand("sh", ["-c", `mkdir -p "$1" && tar -xf "$2" -C "$1"`, "sh", layout, tar], { timeoutMs: 60_000 });
      expect(untar.code, `untar failed: ${untar.stderr}`).toBe(0);

      const cfg = imageConfig(layout);
      const c = cfg.config ?? {};
      expect(cfg.os, "image os").toBe("linux");
      expect(c.User, "the image must run as the nonroot user").toBe("65532:65532");
      expect(c.Entrypoint, "exec-form entrypoint").toEqual(["/usr/local/bin/app"]);
      expect(Object.keys(c.ExposedPorts ?? {}), "exposed ports").toContain("8080/tcp");
      expect(c.Healthcheck?.Test?.length ?? 0, "the image needs a Docker health check").toBeGreaterThan(0);
      expect(c.Healthcheck?.Test?.[0], "health check should be exec-form (CMD), not a shell").toBe("CMD");
      expect(c.Labels?.["org.opencontainers.image.version"], "version label").toBe(VERSION);
      expect(c.Labels?.["org.opencontainers.image.revision"], "revision label").toBe("enginesuite");
    },
    minutes(25),
  );

  it(
    "exports a static binary (no program interpreter)",
    async () => {
      const app = join(tmp, "app");
      await daggerOk(["call", `--version=${VERSION}`, "binary", "export", `--path=${app}`], minutes(20));
      const elf = await runCommand("readelf", ["-l", "-W", app], { timeoutMs: 60_000 });
      expect(elf.code, `readelf failed: ${elf.stderr}`).toBe(0);
      expect(elf.stdout, "readelf found no program headers").toMatch(/Program Headers:/);
      expect(elf.stdout, "the binary is dynamically linked (it has an INTERP header)").not.toMatch(/\bINTERP\b/);
      expect(elf.stdout).not.toMatch(/Requesting program interpreter/);
      const dyn = await runCommand("readelf", ["-d", app], { timeoutMs: 60_000 });
      expect(dyn.stdout, "the binary needs shared libraries").not.toMatch(/\(NEEDED\)/);
    },
    minutes(25),
  );
});
