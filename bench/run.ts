/**
 * `npm run bench`: the module measured on the engine (../shared/dagger-engine), and the service it
 * builds measured at run time, in one run, each figure against its baseline measured in the same
 * run; then bench/REPORT.md, bench/chart.svg and bench/results.json. Every process, container, image and temporary directory it
 * creates is removed at the end, also after a failure or Ctrl-C.
 *
 * BENCH_QUICK=1 shortens every step (for trying the harness; the figures are then not the report's)
 * and writes to $BENCH_OUT (default: a temporary directory) instead of bench/.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { imageConfig } from "../dagger/src/recipe/image.js";
import { ROOT } from "../test/support/commands.js";
import { cliAvailable } from "../test/support/daggerCli.js";
import { startRegistry } from "../test/support/registry.js";
import { dockerAvailable, toolAvailable } from "../test/support/requirements.js";
import { chartSvg } from "./chart.js";
import { BenchContext, log } from "./context.js";
import { EDIT_LINE } from "./edits.js";
import { artefacts } from "./engine/artefacts.js";
import { coldBuilds } from "./engine/cold.js";
import { connectTimes } from "./engine/connectTimes.js";
import { engineToolAvailable, startEngine } from "./engine/env.js";
import { WARM_RUNS, warmRuns } from "./engine/warm.js";
import { KO_RUNS, koVersusModule } from "./ko.js";
import { LOAD_DEFAULTS, load } from "./load.js";
import { machine } from "./machine.js";
import { reportMarkdown } from "./report.js";
import type { Results } from "./results.js";
import { shutdown } from "./shutdown.js";
import { startup } from "./startup.js";
import { engineTargets, runtimeTargets, wholeProcessTargets } from "./targets.js";
import { WHOLE_PROCESS_RUNS, wholeProcesses } from "./wholeProcess.js";

const QUICK = process.env.BENCH_QUICK === "1";
const OUT = process.env.BENCH_OUT ?? (QUICK ? join(tmpdir(), "go-scratch-bench-quick") : join(ROOT, "bench"));

/** Fails early, naming what to install, if a tool is missing. */
function preflight(): void {
  const checks = [
    engineToolAvailable(),
    cliAvailable(),
    dockerAvailable(),
    toolAvailable("go", ["version"]),
    probeWrk(),
    toolAvailable("taskset", ["-V"]),
    toolAvailable("docker-registry", ["--version"]),
  ];
  const missing = checks.filter((c) => !c.ok).map((c) => c.reason);
  if (missing.length > 0) {
    throw new Error(
      `bench cannot run: ${missing.join("; ")}.\n` +
        "Install with: apt-get install wrk util-linux docker-registry docker.io (and start dockerd); the engines: ../shared/dagger-engine/up and up-ts",
    );
  }
}

/** `wrk -v` exits 1 after printing its version; any output naming wrk counts as installed. */
function probeWrk(): { ok: boolean; reason: string } {
  const r = toolAvailable("sh", ["-c", "wrk -v 2>&1 | grep -q '^wrk'"]);
  return r.ok ? r : { ok: false, reason: "wrk is not installed" };
}

async function main(): Promise<void> {
  const started = performance.now();
  preflight();
  const ctx = new BenchContext();
  let cleaning: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaning ??= ctx.cleanup());
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      log(`${sig}: cleaning up`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  const steps: Record<string, number> = {};
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    log(name);
    const t = performance.now();
    const value = await fn();
    steps[name] = (performance.now() - t) / 1000;
    log(`${name}: ${steps[name].toFixed(0)} s`);
    return value;
  };
  try {
    log(`work directory ${ctx.work}; output ${OUT}${QUICK ? " (BENCH_QUICK=1)" : ""}; a full run takes about 20 minutes`);
    await startEngine(false);
    const m = await machine();
    const cold = await step("cold build on two freshly wiped engines (and the digest repeat)", () => coldBuilds(ctx));
    const connect = await step("session connect", () => connectTimes(ctx, QUICK ? 2 : 5));
    const built = await step("the module's binaries and image", () => artefacts(ctx));
    const warm = await step("warm build, test and publish", () =>
      warmRuns(ctx, QUICK ? { floor: 5, builds: 2, tests: 1, publishes: 1 } : WARM_RUNS),
    );
    const registry = await startRegistry();
    ctx.onCleanup(() => registry.stop());
    const ko = await step("ko and BuildKit beside the module", () => koVersusModule(ctx, registry, QUICK ? { publishes: 1 } : KO_RUNS));
    const whole = await step("whole dagger call processes", () => wholeProcesses(ctx, registry.port, QUICK ? { calls: 1 } : WHOLE_PROCESS_RUNS));
    const port = imageConfig({}).exposedPorts[0];
    const start = await step("start-up", () =>
      startup(ctx, { service: built.serviceBinary, bare: built.bareBinary }, { tag: built.imageTag, port }, QUICK ? { process: 5, docker: 1 } : { process: 25, docker: 5 }),
    );
    const loaded = await step("load", () =>
      load(ctx, { service: built.serviceBinary, bare: built.bareBinary }, QUICK ? { ...LOAD_DEFAULTS, rounds: 1, seconds: 2, warmupSeconds: 1 } : LOAD_DEFAULTS),
    );
    const down = await step("graceful shutdown", () =>
      shutdown(ctx, built.serviceBinary, QUICK ? { warmMs: 1_000, workers: 16, wrkSeconds: 3 } : undefined),
    );

    const partial = { warm, ko, whole, cold, image: built.image, load: loaded, startup: start, shutdown: down };
    const results: Results = {
      machine: m,
      totalSeconds: 0,
      steps,
      editLine: EDIT_LINE,
      connect,
      ...partial,
      targets: [...wholeProcessTargets(partial), ...engineTargets(partial), ...runtimeTargets(partial)],
      commands: Object.fromEntries(ctx.commands),
    };
    results.totalSeconds = (performance.now() - started) / 1000;
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, "results.json"), JSON.stringify(results, null, 2) + "\n");
    writeFileSync(join(OUT, "chart.svg"), chartSvg(results));
    writeFileSync(join(OUT, "REPORT.md"), reportMarkdown(results));
    log(`wrote ${join(OUT, "REPORT.md")}, chart.svg, results.json`);
    for (const t of results.targets) log(`  ${t.met ? "met    " : "NOT MET"}  ${t.target}: ${t.measured}`);
  } finally {
    log("cleaning up");
    await cleanup();
    log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
