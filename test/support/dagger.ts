/** The dagger CLI for the engine suites (test/engine), run from the repository root. */
import { lastLines, runCommand, type CommandResult } from "./commands.js";

/** `dagger <args>` from the repository root, plain progress on stderr; never throws for a non-zero exit. */
export function dagger(args: readonly string[], timeoutMs: number): Promise<CommandResult> {
  return runCommand("dagger", ["--progress=plain", ...args], { timeoutMs });
}

/** Like `dagger`, but throws (with the end of its output) unless it exits 0; returns stdout. */
export async function daggerOk(args: readonly string[], timeoutMs: number): Promise<string> {
  const r = await dagger(args, timeoutMs);
  if (r.code !== 0) {
    throw new Error(
      `\`${r.command}\` ${r.code === null ? `was killed (${r.signal}) after ${Math.round(r.ms / 1000)} s` : `exited ${r.code}`}:\n` +
        `--- stdout ---\n${lastLines(r.stdout)}\n--- stderr ---\n${lastLines(r.stderr, 60)}`,
    );
  }
  return r.stdout;
}
