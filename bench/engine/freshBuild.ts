/**
 * One build of service/ on the engine, for the reproducibility section: run as its own process
 * (`tsx bench/engineBuild.ts <dir>`) against whatever engine the environment names. Prints one JSON
 * line: the tarball's sha256 and digest for linux/amd64, the index digest for linux/amd64 +
 * linux/arm64, and, for comparison, the digest of the engine's own export of the same container.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { connection } from "@dagger.io/dagger";

import { goScratch } from "../test/support/engine.js";
import { OciLayout } from "../test/support/ociLayout.js";

/** What one build gave. */
export interface EngineBuild {
  tarballSha256: string;
  manifestDigest: string;
  indexDigest: string;
  engineExportDigest: string;
  seconds: number;
}

const dir = process.argv[2];
if (!dir) throw new Error("usage: tsx bench/engineBuild.ts <output directory>");

const started = performance.now();
await connection(async () => {
  const gs = goScratch({ version: "v1.0.0", revision: "bench", sourceDateEpoch: 1_700_000_000 });
  const one = join(dir, "one.tar");
  const two = join(dir, "two.tar");
  const engine = join(dir, "engine.tar");
  await (await gs.tarball("linux/amd64")).export(one);
  await (await gs.tarball("linux/amd64,linux/arm64")).export(two);
  await (await gs.build("linux/amd64")).export(engine);
  const top = (tar: string, name: string) => OciLayout.unpack(tar, join(dir, name)).index().manifests[0].digest;
  const result: EngineBuild = {
    tarballSha256: createHash("sha256").update(readFileSync(one)).digest("hex"),
    manifestDigest: top(one, "one"),
    indexDigest: top(two, "two"),
    engineExportDigest: top(engine, "engine"),
    seconds: (performance.now() - started) / 1000,
  };
  console.log(JSON.stringify(result));
});
