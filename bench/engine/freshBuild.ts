/**
 * One cold run of the module, as its own process (`tsx bench/engine/freshBuild.ts <dir>`), on an
 * engine that was just wiped: the golang image pulled and unpacked (the same reference the module
 * uses, timed alone), then `build()` of service/ for linux/amd64 with nothing cached, then the
 * reproducibility outputs. Prints one JSON line.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { connection, dag } from "@dagger.io/dagger";

import { GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";
import { goScratch, TEST_GOLANG_IMAGE } from "../../test/support/engine.js";
import { OciLayout } from "../../test/support/ociLayout.js";
import { STAMP } from "../rawGo.js";

/** What one cold run measured and built. */
export interface FreshBuild {
  /** connection() → first answer, ms. */
  connectMs: number;
  /** `from(<golang image>)` + one `go version` exec, synced, ms: the pull and unpack. */
  pullMs: number;
  /** `build("linux/amd64")` synced after that, ms: everything but the pull. */
  buildMs: number;
  tarballSha256: string;
  manifestDigest: string;
  indexDigest: string;
  engineExportDigest: string;
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/engine/freshBuild.ts <output directory>");

const t0 = performance.now();
await connection(async () => {
  await dag.version();
  const connectMs = performance.now() - t0;
  const golang = TEST_GOLANG_IMAGE ?? GOLANG_IMAGE;
  const t1 = performance.now();
  await dag.container().from(golang).withExec(["go", "version"]).sync();
  const pullMs = performance.now() - t1;
  const gs = goScratch({ ...STAMP, sourceDateEpoch: 1_700_000_000 });
  const t2 = performance.now();
  await (await gs.build("linux/amd64")).sync();
  const buildMs = performance.now() - t2;

  const one = join(dir, "one.tar");
  const two = join(dir, "two.tar");
  const engine = join(dir, "engine.tar");
  await (await gs.tarball("linux/amd64")).export(one);
  await (await gs.tarball("linux/amd64,linux/arm64")).export(two);
  await (await gs.build("linux/amd64")).export(engine);
  const top = (tar: string, name: string) => OciLayout.unpack(tar, join(dir, name)).index().manifests[0].digest;
  const result: FreshBuild = {
    connectMs,
    pullMs,
    buildMs,
    tarballSha256: createHash("sha256").update(readFileSync(one)).digest("hex"),
    manifestDigest: top(one, "one"),
    indexDigest: top(two, "two"),
    engineExportDigest: top(engine, "engine"),
  };
  console.log(JSON.stringify(result));
});
