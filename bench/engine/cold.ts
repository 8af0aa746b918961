/**
 * Cold figures: the module's `build` on a freshly wiped engine (`up --fresh`, then its own start-up
 * work waited out), split into the golang image's pull and the rest, against a raw `go build` with an empty GOCACHE; twice each, and the two
 * engine runs' outputs compared for the digest repeat.
 */
import { mkdirSync } from "node:fs";

import { ROOT } from "../../test/support/commands.js";
import { type BenchContext, log } from "../context.js";
import { rawBuild, rawCheckout } from "../rawGo.js";
import { summarize, type Summary } from "../stats.js";
import { engineChild, startEngine, UP, waitForEngineIdle } from "./env.js";
import type { FreshBuild } from "./freshBuild.js";
import { compareFreshBuilds, type EngineReproducibilityResult } from "./reproducibility.js";

export const COLD_RUNS = 2;
const SECTION = "Cold build";

export interface ColdResult {
  /** `up --fresh`: stop, wipe the state, start; seconds. */
  wipeAndStartSeconds: number[];
  /** The engine's own start-up work after that (its network namespace pool), waited out; seconds. */
  engineStartupWorkSeconds: number[];
  connectMs: Summary;
  pullMs: Summary;
  /** build() after the pull: the cold build without the image. */
  restMs: Summary;
  /** pull + rest. */
  totalMs: Summary;
  rawColdMs: Summary;
  reproducibility: EngineReproducibilityResult;
}

export async function coldBuilds(ctx: BenchContext): Promise<ColdResult> {
  const runs: FreshBuild[] = [];
  const wipe: number[] = [];
  const settle: number[] = [];
  const raw: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    const checkout = rawCheckout(ctx, `${ROOT}/service`, `cold-${i}`);
    const ms = await rawBuild(ctx, SECTION, checkout, ctx.path("raw", `cold-${i}`, "app"));
    raw.push(ms);
    log(`  raw cold go build: ${(ms / 1000).toFixed(1)} s`);
    wipe.push(await startEngine(true));
    settle.push(await waitForEngineIdle());
    const dir = ctx.path("fresh", String(i));
    mkdirSync(dir, { recursive: true });
    const run = await engineChild<FreshBuild>("bench/engine/freshBuild.ts", [dir]);
    log(`  engine wiped in ${wipe[i].toFixed(1)} s, its start-up work done ${settle[i].toFixed(1)} s later; pull ${(run.pullMs / 1000).toFixed(1)} s, rest of the cold build ${(run.buildMs / 1000).toFixed(1)} s`);
    runs.push(run);
  }
  ctx.command(SECTION, `${UP.replace(ROOT, ".")} --fresh   # then until no CNI plugin has run for 10 s; then, in a new process (bench/engine/freshBuild.ts):`);
  ctx.command(SECTION, "dag.container().from(<golang image>).withExec(['go','version']).sync()   # pull");
  ctx.command(SECTION, "new GoScratch(service/, ...).build('linux/amd64') then .sync()   # rest");
  return {
    wipeAndStartSeconds: wipe,
    engineStartupWorkSeconds: settle,
    connectMs: summarize(runs.map((r) => r.connectMs)),
    pullMs: summarize(runs.map((r) => r.pullMs)),
    restMs: summarize(runs.map((r) => r.buildMs)),
    totalMs: summarize(runs.map((r) => r.pullMs + r.buildMs)),
    rawColdMs: summarize(raw),
    reproducibility: compareFreshBuilds(runs[0], runs[1]),
  };
}
