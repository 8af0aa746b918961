/**
 * The module as users run it: the real `dagger` CLI loading it from a copy of this repository (the
 * files git would check out, nothing built), on an engine that can load TypeScript modules. Here
 * that is ../shared/dagger-engine/up-ts's engine (GO_SCRATCH_CLI_RUNNER_HOST, or its env file); on
 * GitHub Actions, the engine dagger-for-github started.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import { ROOT, runCommand, startBackground, type Background, type CommandResult } from "./commands.js";
import { toolAvailable, type Availability } from "./requirements.js";

/** Where up-ts writes the environment of its engine. */
const UP_TS_ENV = "/var/lib/go-scratch-engine-ts/env";

/** The engine `dagger` reaches for module calls: a runner host, or undefined for the CLI's own. */
function cliRunnerHost(): { host?: string; reason?: string } {
  if (process.env.GO_SCRATCH_CLI_RUNNER_HOST) return { host: process.env.GO_SCRATCH_CLI_RUNNER_HOST };
  if (existsSync(UP_TS_ENV)) {
    const m = /_EXPERIMENTAL_DAGGER_RUNNER_HOST=(\S+)/.exec(readFileSync(UP_TS_ENV, "utf8"));
    if (m) return { host: m[1] };
  }
  // A runner host set for library mode (../shared/dagger-engine/up's engine) cannot load TypeScript modules.
  if (process.env._EXPERIMENTAL_DAGGER_RUNNER_HOST) {
    return { reason: "the engine in _EXPERIMENTAL_DAGGER_RUNNER_HOST loads no TypeScript module: run ../shared/dagger-engine/up-ts" };
  }
  return {};
}

/** Whether the CLI can load the module here. */
export function cliAvailable(): Availability {
  const cli = toolAvailable("dagger", ["version"]);
  if (!cli.ok) return { ok: false, reason: `${cli.reason}: the dagger CLI is needed` };
  const { reason } = cliRunnerHost();
  return reason ? { ok: false, reason } : { ok: true, reason: "" };
}

/** The environment `dagger` runs with: the TypeScript-capable engine, no nag, no telemetry. */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DAGGER_NO_NAG: "1", DO_NOT_TRACK: "1", ...extra };
  const { host } = cliRunnerHost();
  if (host) env._EXPERIMENTAL_DAGGER_RUNNER_HOST = host;
  else delete env._EXPERIMENTAL_DAGGER_RUNNER_HOST;
  return env;
}

/**
 * A copy of the repository as a clone has it: every file git tracks or would track (not ignored),
 * so no node_modules, no dagger/sdk, no build output. Returns its directory.
 */
export function moduleCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), "go-scratch-cli-"));
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "" && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
  }
  return dir;
}

/** `dagger <args>` in `cwd`, to completion (never throws for a non-zero exit). */
export function dagger(cwd: string, args: readonly string[], opts: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<CommandResult> {
  return runCommand("dagger", ["--progress=plain", ...args], { cwd, timeoutMs: opts.timeoutMs, env: cliEnv(opts.env) });
}

/** `dagger <args>` in `cwd` in the background (e.g. `serve up`). */
export function daggerBackground(cwd: string, args: readonly string[]): Background {
  return startBackground("dagger", ["--progress=plain", ...args], { cwd, env: cliEnv() });
}

/** The last error line `dagger` printed, for assertions on what users see. */
export function daggerError(r: CommandResult): string {
  const lines = r.stderr.split("\n").filter((l) => /^Error: /.test(l.replace(/\x1b\[[0-9;]*m/g, "")));
  return (lines.at(-1) ?? "").replace(/\x1b\[[0-9;]*m/g, "").replace(/ \[traceparent:[^\]]*\]$/, "");
}

/** A span's time as `--progress=plain` prints it (850ms, 1.2s, 1m3.4s), in ms; NaN for anything else. */
export function progressTime(text: string): number {
  const m = /^(?:(\d+)m)?([\d.]+)(ms|s)$/.exec(text);
  return m ? Number(m[1] ?? 0) * 60_000 + Number(m[2]) * (m[3] === "ms" ? 1 : 1000) : Number.NaN;
}

/**
 * What `dagger --progress=plain` printed of each `withExec` whose command line matches `command`,
 * in order: its outcome, DONE (run), CACHED (answered from the engine's cache) or ERROR, and the
 * time it took. Each span is printed as `<id> : ┆ withExec <command line>`, then
 * `<id> : ┆ Container.withExec <STATUS> [<time>]` (time as 850ms, 1.2s or 1m3.4s).
 */
export function execSpans(output: string, command: RegExp): { outcome: string; ms: number }[] {
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  const spans = new Set<string>();
  const found: { outcome: string; ms: number }[] = [];
  for (const line of lines) {
    const m = /^(\d+)\s*: [┆\s]*(.*)$/.exec(line);
    if (!m) continue;
    const [, id, text] = m;
    if (text.startsWith("withExec ") && command.test(text.slice("withExec ".length))) spans.add(id);
    const status = /^Container\.withExec (DONE|CACHED|ERROR)\b(?: \[([^\]]+)\])?/.exec(text);
    if (!status || !spans.has(id)) continue;
    found.push({ outcome: status[1], ms: progressTime(status[2] ?? "") });
  }
  return found;
}

/** The outcomes alone of execSpans: DONE, CACHED or ERROR, in order. */
export function execOutcomes(output: string, command: RegExp): string[] {
  return execSpans(output, command).map((s) => s.outcome);
}

/** The end of `dagger --progress=plain`'s output for a span line naming `fn`: DONE or CACHED, if printed. */
export function functionOutcome(output: string, fn: string): string | undefined {
  const clean = output.replace(/\x1b\[[0-9;]*m/g, "");
  const m = new RegExp(`^\\d+\\s*: GoScratch\\.${fn} (DONE|CACHED|ERROR)\\b`, "m").exec(clean);
  return m?.[1];
}
