/**
 * The Go builds the benchmark compares: the recipe's (through the tests' localGoBuild, so its argv and
 * environment come from dagger/src/recipe/goBuild.ts), the naive Dockerfile "seed" build, and a plain
 * `go build`. Each returns its wall time and records its exact command line.
 */
import { appendFileSync } from "node:fs";

import { goBuildEnv } from "../dagger/src/recipe/goBuild.js";
import { localGoBuild } from "./dockerRecipe.js";
import { ROOT, sh } from "../test/support/commands.js";
import { type BenchContext, commandLine } from "./context.js";
import { timed } from "./stats.js";

/** Stamped into every recipe build. */
export const STAMP = { version: "v0.0.0-bench", revision: "bench" } as const;

/** What naive Dockerfiles do: strip, force-rebuild everything, no -trimpath, CGO left at its default. */
export function seedArgv(output: string): string[] {
  return ["go", "build", "-ldflags", "-s -w", "-a", "-o", output, "."];
}

/** `go build` with no flags at all. */
export function plainArgv(output: string): string[] {
  return ["go", "build", "-o", output, "."];
}

/** A build variant. */
export type BuildKind = "recipe" | "seed" | "plain";

/** One build to run. */
export interface BuildSpec {
  kind: BuildKind;
  /** Recipe builds only: the target platform (the seed and plain builds use the machine's). */
  platform?: string;
  src: string;
  output: string;
  goCache: string;
}

/** The machine's environment without anything that would change a build's meaning. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ["CGO_ENABLED", "GOOS", "GOARCH", "GOARM", "GOFLAGS", "GOCACHE", "GOAMD64"]) delete env[k];
  return env;
}

/** Runs one build; returns its wall time in ms. */
export async function runBuild(ctx: BenchContext, section: string, spec: BuildSpec): Promise<number> {
  const show = (p: string): string => p.replace(ctx.work, "$WORK").replace(ROOT, "./");
  if (spec.kind === "recipe") {
    const platform = spec.platform ?? "linux/amd64";
    const { ms, value } = await timed(() =>
      localGoBuild(spec.src, { platform, ...STAMP, output: spec.output, goCache: spec.goCache }),
    );
    ctx.command(
      section,
      `(cd ${show(spec.src)} && ${commandLine(
        value.argv.map(show),
        { ...goBuildEnv(platform), GOFLAGS: "", GOCACHE: show(spec.goCache) },
      )})`,
    );
    return ms;
  }
  const argv = spec.kind === "seed" ? seedArgv(spec.output) : plainArgv(spec.output);
  const env = { ...cleanEnv(), GOFLAGS: "", GOCACHE: spec.goCache };
  const { ms } = await timed(() => sh(argv[0], argv.slice(1), { cwd: spec.src, env }));
  ctx.command(section, `(cd ${show(spec.src)} && ${commandLine(argv.map(show), { GOFLAGS: "", GOCACHE: show(spec.goCache) })})`);
  return ms;
}

let edits = 0;

/** A one-line edit of real code: appends an exported constant, unique per call, to `file`. */
export function appendConst(file: string): string {
  edits++;
  const line = `const BenchEdit${edits} = ${edits}`;
  appendFileSync(file, `\n${line}\n`);
  return line;
}

/** Whether the machine's default would build with cgo (it does where a C compiler is found). */
export async function cgoDefault(): Promise<string> {
  return (await sh("go", ["env", "CGO_ENABLED"], { env: cleanEnv() })).trim();
}
