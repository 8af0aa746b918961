/**
 * The baselines the module is measured against: the same Go commands run raw on this machine, with
 * the argv and environment the module uses (dagger/src/recipe/goBuild.ts), in a copy of the
 * service, on a GOCACHE of the bench's own (an empty one is a cold build).
 */
import { cpSync } from "node:fs";

import { goBuildArgs, goBuildEnv } from "../dagger/src/recipe/goBuild.js";
import { goTestArgs, goVetArgs } from "../dagger/src/recipe/sourceChecks.js";
import { ROOT, sh } from "../test/support/commands.js";
import { type BenchContext, commandLine } from "./context.js";
import { timed } from "./stats.js";

/** Stamped into every build the bench runs, raw or on the engine. */
export const STAMP = { version: "v0.0.0-bench", revision: "bench" } as const;

/** A raw checkout: a copy of a source tree, built with its own GOCACHE. */
export interface RawCheckout {
  dir: string;
  goCache: string;
}

/** Copies `src` into the bench's work directory (fresh files, fresh timestamps). */
export function rawCheckout(ctx: BenchContext, src: string, name: string): RawCheckout {
  const dir = ctx.path("raw", name, "src");
  cpSync(src, dir, { recursive: true, preserveTimestamps: false });
  return { dir, goCache: ctx.path("raw", name, "gocache") };
}

/** The machine's environment, minus what would change a build's meaning, plus the recipe's. */
function env(c: RawCheckout, platform: string): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ["CGO_ENABLED", "GOOS", "GOARCH", "GOARM", "GOAMD64", "GOFLAGS", "GOCACHE"]) delete e[k];
  return { ...e, ...goBuildEnv(platform), GOFLAGS: "", GOCACHE: c.goCache };
}

async function run(ctx: BenchContext, section: string, c: RawCheckout, argv: string[], platform: string): Promise<number> {
  const { ms } = await timed(() => sh(argv[0], argv.slice(1), { cwd: c.dir, env: env(c, platform) }));
  const show = (s: string): string => s.replace(ctx.work, "$WORK").replace(ROOT, ".");
  ctx.command(section, `(cd ${show(c.dir)} && ${commandLine(argv.map(show), { ...goBuildEnv(platform), GOFLAGS: "", GOCACHE: show(c.goCache) })})`);
  return ms;
}

/** The module's `go build` of the service, raw; its wall time in ms. */
export function rawBuild(ctx: BenchContext, section: string, c: RawCheckout, output: string, platform = "linux/amd64"): Promise<number> {
  return run(ctx, section, c, goBuildArgs({ platform, ...STAMP, output }), platform);
}

/** What the issue compares `test` with: go vet, go test and one build, as the module runs them; ms. */
export async function rawVetTestBuild(ctx: BenchContext, section: string, c: RawCheckout, output: string): Promise<number> {
  const platform = "linux/amd64";
  const vet = await run(ctx, section, c, goVetArgs(["./..."]), platform);
  const test = await run(ctx, section, c, goTestArgs(["./..."]), platform);
  return vet + test + (await rawBuild(ctx, section, c, output, platform));
}
