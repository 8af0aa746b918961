/**
 * The module as users type it: whole `dagger call …` processes on the engine that loads TypeScript
 * modules (../shared/dagger-engine/up-ts), from a copy of the repository as a clone has it, beside
 * their floors measured in the same run: a trivial TypeScript module of the bench's own
 * (bench/trivial: one function returning a Container) answered from the function cache, and the
 * same module after a change of its constructor's input (the constructor and the function each
 * start the runtime: node, the SDK's default, and bun); ko's whole process and BuildKit's
 * build-and-push of the same edits (bench/ko.ts, bench/buildkit.ts). Each call's output
 * (`--progress=plain`) says where its time went: the CLI loading the module's type definitions, the
 * constructor and the function, each CACHED or run.
 */
import { cpSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT, runCommand, type CommandResult } from "../test/support/commands.js";
import { cliEnv, moduleCopy, progressTime } from "../test/support/daggerCli.js";
import { TEST_GOLANG_IMAGE } from "../test/support/engine.js";
import { EMPTY_VULN_DB } from "../test/support/vulnDatabase.js";
import { type BenchContext, commandLine, log } from "./context.js";
import { editService } from "./edits.js";
import { STAMP } from "./rawGo.js";
import { summarize, type Summary } from "./stats.js";

const SECTION = "Whole dagger call processes";

/** Runs per case. */
export interface WholeProcessRuns {
  calls: number;
}

export const WHOLE_PROCESS_RUNS: WholeProcessRuns = { calls: 3 };

/** Where one call's time went, read from its plain progress output (seconds, medians over the runs). */
export interface Breakdown {
  /** The CLI loading the module's type definitions (the module loaded into the engine). */
  typedefsMs: number;
  /** The constructor's span: 0 when CACHED. */
  constructorMs: number;
  /** The function's span (its runtime start and its work): 0 when CACHED. */
  functionMs: number;
  /** How often the constructor and the function were answered from the cache. */
  constructorCached: number;
  functionCached: number;
}

export interface CaseResult {
  command: string;
  ms: Summary;
  breakdown: Breakdown;
}

export interface WholeProcessResult {
  floors: { trivialCached: CaseResult; trivialTwoStarts: CaseResult; trivialTwoStartsBun: CaseResult };
  module: {
    buildNoChange: CaseResult;
    tarballEdit: CaseResult;
    /** The same on the node runtime (a copy whose dagger/package.json names none), for the runtime choice. */
    tarballEditNode: CaseResult;
    publishEdit: CaseResult;
    publishNoChange: CaseResult;
    testNoChange: CaseResult;
    testEdit: CaseResult;
  };
}

/** A span's outcome and duration as `--progress=plain` prints it: `<id> : <name> DONE [1.2s]`. */
function span(output: string, name: RegExp): { ms: number; cached: boolean } {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, "");
  for (const line of clean.split("\n")) {
    const m = /^\d+\s*: [┆\s]*(.*) (DONE|CACHED) \[([^\]]+)\]\s*$/.exec(line);
    if (!m || !name.test(m[1])) continue;
    return { ms: m[2] === "CACHED" ? 0 : progressTime(m[3]), cached: m[2] === "CACHED" };
  }
  return { ms: Number.NaN, cached: false };
}

/** Runs `dagger --progress=plain <args>` in `cwd`; throws with the end of its output on failure. */
async function daggerCall(ctx: BenchContext, cwd: string, args: string[], show: string): Promise<CommandResult> {
  const r = await runCommand("dagger", ["--progress=plain", ...args], { cwd, env: cliEnv(), timeoutMs: 1_200_000 });
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  ctx.command(SECTION, show);
  return r;
}

/** `n` runs of one case (`before` runs before each, untimed: an edit); its times and where they went. */
async function measure(
  ctx: BenchContext,
  n: number,
  cwd: string,
  args: () => string[],
  show: string,
  names: { ctor: RegExp; fn: RegExp },
  before?: () => void,
): Promise<CaseResult> {
  const ms: number[] = [];
  const parts: { t: number; c: { ms: number; cached: boolean }; f: { ms: number; cached: boolean } }[] = [];
  for (let i = 0; i < n; i++) {
    before?.();
    const r = await daggerCall(ctx, cwd, args(), show);
    ms.push(r.ms);
    parts.push({ t: span(r.stderr, /^loading type definitions$/).ms, c: span(r.stderr, names.ctor), f: span(r.stderr, names.fn) });
  }
  const med = (xs: number[]): number => summarize(xs.filter((x) => Number.isFinite(x))).median;
  log(`  ${show}: ${ms.map((x) => x.toFixed(0)).join(" ")} ms`);
  return {
    command: show,
    ms: summarize(ms),
    breakdown: {
      typedefsMs: med(parts.map((p) => p.t)),
      constructorMs: med(parts.map((p) => p.c.ms)),
      functionMs: med(parts.map((p) => p.f.ms)),
      constructorCached: parts.filter((p) => p.c.cached).length,
      functionCached: parts.filter((p) => p.f.cached).length,
    },
  };
}

/** The trivial module copied into the bench's directory, with the runtime asked for. */
function trivialModule(ctx: BenchContext, runtime: "node" | "bun"): string {
  const dir = ctx.path("trivial", runtime);
  cpSync(join(ROOT, "bench", "trivial"), dir, { recursive: true });
  if (runtime === "bun") {
    const pkg = { type: "module", dependencies: { typescript: "5.9.3" }, dagger: { runtime: "bun" } };
    writeFileSync(join(dir, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
  }
  return dir;
}

/** The floors: the trivial module's cached call, and its two-start call (node, then bun). */
async function floors(ctx: BenchContext, runs: WholeProcessRuns): Promise<WholeProcessResult["floors"]> {
  const names = { ctor: /^trivial$/, fn: /^Trivial\.container$/ };
  let stamp = 0;
  const result: Partial<WholeProcessResult["floors"]> = {};
  for (const runtime of ["node", "bun"] as const) {
    const dir = trivialModule(ctx, runtime);
    await daggerCall(ctx, dir, ["call", "container"], `(cd <bench/trivial, ${runtime}> && dagger call container)   # first: the runtime set up`);
    const twoStarts = await measure(ctx, runs.calls + 2, dir, () => ["call", `--stamp=${Date.now()}-${++stamp}`, "container"], `(cd <bench/trivial, ${runtime}> && dagger call --stamp=<new> container)`, names);
    if (runtime === "node") {
      result.trivialTwoStarts = twoStarts;
      result.trivialCached = await measure(ctx, runs.calls + 2, dir, () => ["call", "container"], "(cd <bench/trivial, node> && dagger call container)   # repeated, no change", names);
    } else {
      result.trivialTwoStartsBun = twoStarts;
    }
  }
  return result as WholeProcessResult["floors"];
}

/**
 * The module's cases, on a copy of the repository with its own copy of service/ to edit:
 * `build` with no change, `tarball export` after a one-line edit, `publish --skip-tests
 * --skip-scan` (one platform, to `registryPort`) after an edit and with no change, `test` with no
 * change and after an edit.
 */
async function moduleCases(ctx: BenchContext, runs: WholeProcessRuns, registryPort: number): Promise<WholeProcessResult["module"]> {
  const repo = moduleCopy();
  ctx.onCleanup(async () => rmSync(repo, { recursive: true, force: true }));
  const svc = join(repo, "bench-service");
  cpSync(join(ROOT, "service"), svc, { recursive: true });
  const images = TEST_GOLANG_IMAGE ? [`--golang-image=${TEST_GOLANG_IMAGE}`, `--helper-image=${TEST_GOLANG_IMAGE}`] : [];
  const options = [...images, `--version=${STAMP.version}`, `--revision=${STAMP.revision}`, `--vuln-db=${EMPTY_VULN_DB}`];
  const names = (fn: string) => ({ ctor: /^goScratch$/, fn: new RegExp(`^GoScratch\\.${fn}$`) });
  const edit = () => editService(svc);
  const show = (args: string[]): string => commandLine(["dagger", ...args.map((a) => a.replace(svc, "<copy of service/>").replace(repo, "<repo copy>").replace(EMPTY_VULN_DB, "<empty db>"))]);
  let tag = 0;
  const tarPath = join(repo, "image.tar");
  const publishArgs = (): string[] => [
    "call", ...options, "publish", `--source=${svc}`, `--tag=v0.9.${++tag}`, `--repository=localhost:${registryPort}/whole`,
    `--registry-service=tcp://localhost:${registryPort}`, "--platforms=linux/amd64", "--latest=false", "--skip-tests", "--skip-scan",
  ];
  const buildArgs = ["call", ...options, "build", `--source=${svc}`];
  const tarballArgs = ["call", ...options, "tarball", `--source=${svc}`, "export", `--path=${tarPath}`];
  const testArgs = ["call", ...options, "test", `--source=${svc}`];

  log("whole processes: the module's first calls (runtime set up, caches warmed)");
  for (const args of [buildArgs, tarballArgs, testArgs, publishArgs()]) await daggerCall(ctx, repo, args, `${show(args)}   # first`);

  const buildNoChange = await measure(ctx, runs.calls, repo, () => buildArgs, show(buildArgs), names("build"));
  const tarballEdit = await measure(ctx, runs.calls, repo, () => tarballArgs, `${show(tarballArgs)}   # after a one-line edit`, names("tarball"), edit);
  const publishEdit = await measure(ctx, runs.calls, repo, publishArgs, `${show(publishArgs().map((a) => a.replace(/^--tag=.*/, "--tag=<tag>")))}   # after a one-line edit`, names("publish"), edit);
  const publishNoChange = await measure(ctx, runs.calls, repo, publishArgs, `${show(publishArgs().map((a) => a.replace(/^--tag=.*/, "--tag=<tag>")))}   # no change`, names("publish"));
  await daggerCall(ctx, repo, testArgs, show(testArgs));
  const testNoChange = await measure(ctx, runs.calls, repo, () => testArgs, `${show(testArgs)}   # no change`, names("test"));
  const testEdit = await measure(ctx, runs.calls, repo, () => testArgs, `${show(testArgs)}   # after a one-line edit`, names("test"), edit);

  // The runtime choice: the same tarball case with the module on node, the SDK's default.
  const nodeRepo = moduleCopy();
  ctx.onCleanup(async () => rmSync(nodeRepo, { recursive: true, force: true }));
  writeFileSync(join(nodeRepo, "dagger", "package.json"), JSON.stringify({ type: "module", dependencies: { typescript: "5.9.3" } }, null, 2) + "\n");
  const nodeSvc = join(nodeRepo, "bench-service");
  cpSync(join(ROOT, "service"), nodeSvc, { recursive: true });
  const nodeTarball = ["call", ...options, "tarball", `--source=${nodeSvc}`, "export", `--path=${join(nodeRepo, "image.tar")}`];
  await daggerCall(ctx, nodeRepo, nodeTarball, "the same on node: first");
  const tarballEditNode = await measure(
    ctx, runs.calls, nodeRepo, () => nodeTarball, `${show(tarballArgs)}   # after a one-line edit, the module on node (dagger/package.json without "runtime": "bun")`, names("tarball"),
    () => editService(nodeSvc),
  );
  return { buildNoChange, tarballEdit, tarballEditNode, publishEdit, publishNoChange, testNoChange, testEdit };
}

/** The floors, then the module's cases, as whole processes. */
export async function wholeProcesses(ctx: BenchContext, registryPort: number, runs: WholeProcessRuns = WHOLE_PROCESS_RUNS): Promise<WholeProcessResult> {
  log("whole processes: the trivial module's floors");
  const f = await floors(ctx, runs);
  log("whole processes: the module");
  const module = await moduleCases(ctx, runs, registryPort);
  return { floors: f, module };
}
