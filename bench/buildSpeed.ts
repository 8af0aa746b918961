/**
 * Build speed: the recipe's flags against the seed's `-a`, cold (empty GOCACHE), rebuilt with no
 * change, and rebuilt after a one-line edit; and an arm64 cross-compile against amd64. The cold builds
 * run in two checkouts in different directories, so their binaries also serve the reproducibility
 * and size steps.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { copyTree } from "./dockerRecipe.js";
import { appendConst, runBuild, type BuildSpec } from "./builds.js";
import { type BenchContext, log } from "./context.js";
import { summarize, type Summary } from "./stats.js";

export const COLD_RUNS = 2;
export const WARM_RUNS = 5;
const SECTION = "Build speed";

export interface BuildSpeedRow {
  build: "recipe" | "seed (-a)";
  platform: string;
  scenario: "cold" | "no-change rebuild" | "one-line edit rebuild";
  /** Milliseconds. */
  ms: Summary;
}

/** The binaries the builds left, for the other steps. */
export interface BuildArtefacts {
  /** The two checkouts, in different directories. */
  srcA: string;
  srcB: string;
  recipeA: string;
  recipeB: string;
  seedA: string;
  seedB: string;
  plain: string;
  arm64A: string;
  arm64B: string;
}

export interface BuildSpeedResult {
  rows: BuildSpeedRow[];
  /** The line appended for the one-line edit (the last one). */
  editLine: string;
  artefacts: BuildArtefacts;
}

export async function buildSpeed(
  ctx: BenchContext,
  serviceDir: string,
  runs = { warm: WARM_RUNS },
): Promise<BuildSpeedResult> {
  const bin = (name: string): string => ctx.path("bin", name);
  const cache = (name: string): string => ctx.path("gocache", name);
  mkdirSync(ctx.path("bin"), { recursive: true });
  mkdirSync(ctx.path("gocache"), { recursive: true });
  const srcA = copyTree(serviceDir, ctx.path("a", "service"));
  const srcB = copyTree(serviceDir, ctx.path("b", "elsewhere", "src"));
  const art: BuildArtefacts = {
    srcA,
    srcB,
    recipeA: bin("recipe-a"),
    recipeB: bin("recipe-b"),
    seedA: bin("seed-a"),
    seedB: bin("seed-b"),
    plain: bin("plain"),
    arm64A: bin("recipe-arm64-a"),
    arm64B: bin("recipe-arm64-b"),
  };
  const samples = new Map<string, { row: Omit<BuildSpeedRow, "ms">; ms: number[] }>();
  const record = (row: Omit<BuildSpeedRow, "ms">, ms: number): void => {
    const key = `${row.build}|${row.platform}|${row.scenario}`;
    const entry = samples.get(key) ?? { row, ms: [] };
    entry.ms.push(ms);
    samples.set(key, entry);
    log(`  ${row.build} ${row.platform} ${row.scenario}: ${(ms / 1000).toFixed(2)} s`);
  };
  const build = (spec: BuildSpec): Promise<number> => runBuild(ctx, SECTION, spec);

  // Cold (COLD_RUNS = 2): a fresh GOCACHE each time; checkout A, then checkout B, interleaved so the
  // two builds of each kind are about a minute apart.
  const cold: { src: string; suffix: "a" | "b" }[] = [
    { src: srcA, suffix: "a" },
    { src: srcB, suffix: "b" },
  ];
  for (const { src, suffix } of cold) {
    const recipeOut = suffix === "a" ? art.recipeA : art.recipeB;
    const seedOut = suffix === "a" ? art.seedA : art.seedB;
    const armOut = suffix === "a" ? art.arm64A : art.arm64B;
    record(
      { build: "recipe", platform: "linux/amd64", scenario: "cold" },
      await build({ kind: "recipe", src, output: recipeOut, goCache: cache(`recipe-${suffix}`) }),
    );
    record(
      { build: "seed (-a)", platform: "linux/amd64", scenario: "cold" },
      await build({ kind: "seed", src, output: seedOut, goCache: cache(`seed-${suffix}`) }),
    );
    record(
      { build: "recipe", platform: "linux/arm64", scenario: "cold" },
      await build({ kind: "recipe", platform: "linux/arm64", src, output: armOut, goCache: cache(`arm64-${suffix}`) }),
    );
  }
  // `go build` with no flags, for its size only (untimed), on the seed's cache (same cgo setting).
  await runBuild(ctx, "Size", { kind: "plain", src: srcA, output: art.plain, goCache: cache("seed-a") });

  // No change: rebuild checkout A on the cache its cold build filled.
  for (let i = 0; i < runs.warm; i++) {
    record(
      { build: "recipe", platform: "linux/amd64", scenario: "no-change rebuild" },
      await build({ kind: "recipe", src: srcA, output: bin("warm"), goCache: cache("recipe-a") }),
    );
    record(
      { build: "recipe", platform: "linux/arm64", scenario: "no-change rebuild" },
      await build({ kind: "recipe", platform: "linux/arm64", src: srcA, output: bin("warm-arm64"), goCache: cache("arm64-a") }),
    );
    record(
      { build: "seed (-a)", platform: "linux/amd64", scenario: "no-change rebuild" },
      await build({ kind: "seed", src: srcA, output: bin("warm-seed"), goCache: cache("seed-a") }),
    );
  }

  // One-line edit: a new exported const appended to a real source file of checkout A, then a rebuild.
  const edited = join(srcA, "handlers.go");
  let editLine = "";
  for (let i = 0; i < runs.warm; i++) {
    editLine = appendConst(edited);
    record(
      { build: "recipe", platform: "linux/amd64", scenario: "one-line edit rebuild" },
      await build({ kind: "recipe", src: srcA, output: bin("edit"), goCache: cache("recipe-a") }),
    );
    editLine = appendConst(edited);
    record(
      { build: "seed (-a)", platform: "linux/amd64", scenario: "one-line edit rebuild" },
      await build({ kind: "seed", src: srcA, output: bin("edit-seed"), goCache: cache("seed-a") }),
    );
  }

  const rows = [...samples.values()].map(({ row, ms }) => ({ ...row, ms: summarize(ms) }));
  return { rows, editLine, artefacts: art };
}
