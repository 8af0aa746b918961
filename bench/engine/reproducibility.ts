/**
 * Reproducibility on the engine: service/ built twice, each time on a freshly wiped engine
 * (`../shared/dagger-engine/up --fresh`: no cache, no layers, no snapshots), some time apart. The
 * module's tarball and published index must repeat to the byte; the engine's own export of the same
 * container is shown beside them as the baseline (its config carries the engine's clock).
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT, runCommand } from "../test/support/commands.js";
import type { EngineBuild } from "./engineBuild.js";

export interface EngineReproducibilityRow {
  what: string;
  a: string;
  b: string;
  identical: boolean;
}

export interface EngineReproducibilityResult {
  rows: EngineReproducibilityRow[];
  /** "identical", or what differs. */
  verdict: string;
  buildSeconds: [number, number];
  commands: string[];
}

const UP = join(ROOT, "..", "shared", "dagger-engine", "up");
const ENV_FILE = "/var/lib/go-scratch-engine/env";

/** The variables the engine's env file exports. */
function engineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const line of readFileSync(ENV_FILE, "utf8").split("\n")) {
    for (const m of line.replace(/^export /, "").matchAll(/(\w+)=(\S+)/g)) {
      env[m[1]] = m[2].replace(/\$PATH/, process.env.PATH ?? "");
    }
  }
  return env;
}

/** Wipes and starts the engine, then runs one build in its own process. */
async function buildOnFreshEngine(dir: string, log: (s: string) => void): Promise<EngineBuild> {
  const up = await runCommand(UP, ["--fresh"], { timeoutMs: 30 * 60_000 });
  if (up.code !== 0) throw new Error(`${UP} --fresh failed:\n${up.stderr}`);
  mkdirSync(dir, { recursive: true });
  const r = await runCommand("npx", ["tsx", "bench/engineBuild.ts", dir], { timeoutMs: 20 * 60_000, env: engineEnv() });
  if (r.code !== 0) throw new Error(`engine build failed:\n${r.stdout}\n${r.stderr}`);
  const build = JSON.parse(r.stdout.trim().split("\n").pop()!) as EngineBuild;
  log(`  fresh engine build: ${build.seconds.toFixed(1)} s, manifest ${build.manifestDigest}, index ${build.indexDigest}`);
  return build;
}

export async function engineReproducibility(work: string, log: (s: string) => void): Promise<EngineReproducibilityResult> {
  if (!existsSync(UP)) throw new Error(`${UP} is missing: the reproducibility section needs the engine tool`);
  const a = await buildOnFreshEngine(join(work, "engine-a"), log);
  const b = await buildOnFreshEngine(join(work, "engine-b"), log);
  const rows: EngineReproducibilityRow[] = [
    { what: "tarball sha256 (linux/amd64)", a: a.tarballSha256, b: b.tarballSha256, identical: a.tarballSha256 === b.tarballSha256 },
    { what: "manifest digest (linux/amd64)", a: a.manifestDigest, b: b.manifestDigest, identical: a.manifestDigest === b.manifestDigest },
    { what: "index digest (linux/amd64 + linux/arm64)", a: a.indexDigest, b: b.indexDigest, identical: a.indexDigest === b.indexDigest },
    {
      what: "baseline: the engine's own export (Container.export)",
      a: a.engineExportDigest,
      b: b.engineExportDigest,
      identical: a.engineExportDigest === b.engineExportDigest,
    },
  ];
  const differing = rows.slice(0, 3).filter((r) => !r.identical).map((r) => r.what);
  return {
    rows,
    verdict: differing.length === 0 ? "identical" : `differs: ${differing.join(", ")}`,
    buildSeconds: [a.seconds, b.seconds],
    commands: [`${UP} --fresh`, "tsx bench/engineBuild.ts <dir>   # tarball linux/amd64, tarball linux/amd64,linux/arm64, build export", "(twice)"],
  };
}

// `npm run bench:repro`: this section alone, printed as a table.
if (process.argv[1]?.endsWith("engineReproducibility.ts")) {
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const work = mkdtempSync(join(tmpdir(), "go-scratch-bench-repro-"));
  const started = performance.now();
  const r = await engineReproducibility(work, (s) => console.error(s));
  for (const row of r.rows) console.log(`${row.identical ? "identical" : "DIFFERENT"}  ${row.what}\n    a: ${row.a}\n    b: ${row.b}`);
  console.log(`verdict: ${r.verdict} (two wiped engines, builds ${r.buildSeconds.map((s) => s.toFixed(0)).join(" s and ")} s; ${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
}
