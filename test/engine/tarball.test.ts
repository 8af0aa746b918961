/**
 * `tarball` on the engine: the image as an OCI layout that repeats byte for byte. A build with
 * --fresh (nothing cached: every layer made again, later) gives the same file as a cached build; the
 * engine's own export of the same two containers differs (its clock is in the config), which is what
 * the rewrite takes out. Another epoch or another source gives another digest, so the check can fail.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { rfc3339 } from "../../dagger/src/recipe/image.js";
import { minutes } from "../support/commands.js";
import { engineSuite, goScratch, useEngineSession, type TestOptions, type ModuleUnderTest } from "../support/engine.js";
import { OciLayout } from "../support/ociLayout.js";

const run = engineSuite("tarball");

const EPOCH = 1_700_000_000;
const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-tarball-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** `tarball(platforms)` exported to this machine: its path, sha256 and unpacked layout. */
async function tarball(gs: ModuleUnderTest, platforms?: string): Promise<{ path: string; sha256: string; layout: OciLayout }> {
  const path = join(work, `image-${++n}.tar`);
  await (await gs.tarball(platforms)).export(path);
  return {
    path,
    sha256: createHash("sha256").update(readFileSync(path)).digest("hex"),
    layout: OciLayout.unpack(path, join(work, `layout-${n}`)),
  };
}

/** The digest of the engine's own export of `build()`, for comparison. */
async function engineExportDigest(gs: ModuleUnderTest): Promise<string> {
  const path = join(work, `engine-${++n}.tar`);
  await (await gs.build("linux/amd64")).export(path);
  return OciLayout.unpack(path, join(work, `engine-${n}`)).index().manifests[0].digest;
}

describe.skipIf(!run)("engine: tarball", () => {
  useEngineSession();
  const o: TestOptions = { version: "v1.0.0", revision: "abc123", sourceDateEpoch: EPOCH };

  it(
    "repeats byte for byte: a build from nothing cached, later, gives the same file and digest",
    async () => {
      const cached = await tarball(goScratch(o), "linux/amd64");
      const engineCached = await engineExportDigest(goScratch(o));
      const freshModule = goScratch({ ...o, fresh: true });
      const fresh = await tarball(freshModule, "linux/amd64");
      const engineFresh = await engineExportDigest(freshModule);
      const digest = (t: typeof cached) => t.layout.index().manifests[0].digest;
      console.log(
        `tarball, cached build: sha256 ${cached.sha256}, manifest ${digest(cached)}\n` +
          `tarball, --fresh build: sha256 ${fresh.sha256}, manifest ${digest(fresh)}\n` +
          `the engine's own export of the same two builds: ${engineCached} / ${engineFresh}`,
      );
      expect(fresh.sha256).toBe(cached.sha256);
      expect(digest(fresh)).toBe(digest(cached));
    },
    minutes(10),
  );

  it(
    "has every creation time at the epoch, one layer, and Docker's manifest.json",
    async () => {
      const { layout } = await tarball(goScratch(o), "linux/amd64");
      const image = layout.single();
      expect(image.config.created).toBe(rfc3339(EPOCH));
      expect(image.config.history?.map((h) => h.created)).toEqual([rfc3339(EPOCH)]);
      expect(image.manifest.layers).toHaveLength(1);
      expect(image.layers[0].every((e) => e.mtime === EPOCH)).toBe(true);
      const docker = JSON.parse(readFileSync(join(layout.dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
      expect(docker[0].Config).toBe(`blobs/sha256/${image.manifest.config.digest.slice("sha256:".length)}`);
    },
    minutes(10),
  );

  it(
    "gives another digest for another epoch and for another source",
    async () => {
      const digest = async (x: TestOptions) => (await tarball(goScratch(x), "linux/amd64")).layout.index().manifests[0].digest;
      const base = await digest(o);
      expect(await digest({ ...o, sourceDateEpoch: EPOCH + 1 })).not.toBe(base);
      expect(await digest({ ...o, version: "v1.0.1" })).not.toBe(base);
    },
    minutes(10),
  );

  it(
    "holds an index for several platforms",
    async () => {
      const { layout } = await tarball(goScratch(o), "linux/amd64,linux/arm64");
      const [top] = layout.index().manifests;
      expect(top.mediaType).toBe("application/vnd.oci.image.index.v1+json");
      const index = layout.json<{ manifests: { platform?: { architecture: string } }[] }>(top.digest);
      expect(index.manifests.map((m) => m.platform?.architecture)).toEqual(["amd64", "arm64"]);
    },
    minutes(10),
  );
});
