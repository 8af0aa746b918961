/**
 * `npm run bench`: every measurement in one run, each against its baseline, then bench/REPORT.md,
 * bench/chart.svg and bench/results.json. Every process, container, image and temporary directory it
 * creates is removed at the end, also after a failure or Ctrl-C.
 *
 * BENCH_QUICK=1 shortens every step (for trying the harness; the figures are then not the report's)
 * and writes to $BENCH_OUT (default: a temporary directory) instead of bench/.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { imageConfig } from "../dagger/src/recipe/image.js";
import { ROOT } from "../test/support/commands.js";
import { dockerAvailable, toolAvailable } from "../test/support/requirements.js";
import { buildSpeed } from "./buildSpeed.js";
import { cgoDefault, runBuild } from "./builds.js";
import { chartSvg } from "./chart.js";
import { BenchContext, log } from "./context.js";
import { RUNTIME } from "./images.js";
import { LOAD_DEFAULTS, load } from "./load.js";
import { machine } from "./machine.js";
import { reportMarkdown } from "./report.js";
import { engineReproducibility } from "./engineReproducibility.js";
import { reproducibility } from "./reproducibility.js";
import type { Results } from "./results.js";
import { shutdown } from "./shutdown.js";
import { size } from "./size.js";
import { startup } from "./startup.js";
import { judge } from "./targets.js";

const QUICK = process.env.BENCH_QUICK === "1";
const OUT = process.env.BENCH_OUT ?? (QUICK ? join(tmpdir(), "go-scratch-bench-quick") : join(ROOT, "bench"));

/** Fails early, naming the Debian packages to install, if a tool is missing. */
function preflight(): void {
  const checks = [
    dockerAvailable(),
    toolAvailable("go", ["version"]),
    probeWrk(),
    toolAvailable("taskset", ["-V"]),
    toolAvailable("readelf", ["--version"]),
    toolAvailable("skopeo", ["--version"]),
    toolAvailable("docker-registry", ["--version"]),
    toolAvailable("/bin/busybox", ["true"]),
  ];
  const missing = checks.filter((c) => !c.ok).map((c) => c.reason);
  if (missing.length > 0) {
    throw new Error(
      `bench cannot run: ${missing.join("; ")}.\n` +
        "Install with: apt-get install wrk util-linux binutils skopeo docker-registry busybox-static docker.io (and start dockerd)",
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
  try {
    log(`work directory ${ctx.work}; output ${OUT}${QUICK ? " (BENCH_QUICK=1)" : ""}`);
    const m = await machine();
    const cgo = await cgoDefault();

    log("build speed (cold ×2, warm ×5 per variant)");
    const speed = await buildSpeed(ctx, join(ROOT, "service"), { warm: QUICK ? 1 : 5 });
    const art = speed.artefacts;

    const bare = ctx.path("bin", "bare");
    await runBuild(ctx, "Load", { kind: "recipe", src: join(ROOT, "bench", "bare"), output: bare, goCache: ctx.path("gocache", "recipe-a") });

    log("size");
    const sizes = await size(ctx, art);
    log("reproducibility");
    const repro = await reproducibility(ctx, art);
    log("start-up");
    const port = imageConfig(RUNTIME).exposedPorts[0];
    const start = await startup(ctx, { service: art.recipeA, bare }, { tag: sizes.recipeTag, port }, QUICK ? { process: 5, docker: 1 } : { process: 25, docker: 5 });
    log("load");
    const loaded = await load(ctx, { service: art.recipeA, bare }, QUICK ? { ...LOAD_DEFAULTS, rounds: 1, seconds: 2, warmupSeconds: 1 } : LOAD_DEFAULTS);
    log("graceful shutdown");
    const down = await shutdown(ctx, art.recipeA, QUICK ? { warmMs: 1_000, workers: 16, wrkSeconds: 3 } : undefined);
    log("reproducibility on the engine (two freshly wiped engines)");
    const engineRepro = existsSync(join(ROOT, "..", "shared", "dagger-engine", "up"))
      ? await engineReproducibility(ctx.path("engine-repro"), log)
      : undefined;

    const results: Results = {
      machine: m,
      totalSeconds: 0,
      buildSpeed: { rows: speed.rows, editLine: speed.editLine, cgoDefault: cgo },
      size: sizes,
      reproducibility: repro,
      engineReproducibility: engineRepro,
      startup: start,
      load: loaded,
      shutdown: down,
      targets: judge(sizes, loaded, start, down),
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
