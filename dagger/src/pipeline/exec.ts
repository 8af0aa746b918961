/**
 * Running a command in a container so that a failure explains itself: the engine's ExecError says
 * only "exit code: 1"; the command's own output (a compiler error, a failing test) is in its
 * stdout and stderr, and the error raised here carries the end of it, under the step's name.
 */
import { ExecError, type Container } from "@dagger.io/dagger";

import { tail } from "../recipe/report.js";

/** Why `step` failed, with the end of what the command printed. */
export function explainExecError(step: string, e: ExecError): Error {
  const output = [e.stdout, e.stderr].map((s) => s.trim()).filter((s) => s !== "").join("\n");
  return new Error(`${step} failed (exit ${e.exitCode}):\n${tail(output === "" ? "(no output)" : output)}`);
}

/** `ctr` with `args` run and evaluated; a failed command becomes an error naming `step`. */
export async function execStep(ctr: Container, step: string, args: readonly string[]): Promise<Container> {
  try {
    return await ctr.withExec([...args]).sync();
  } catch (e) {
    if (e instanceof ExecError) throw explainExecError(step, e);
    throw e;
  }
}

/** Like `execStep`, returning what the command printed on stdout. */
export async function execOutput(ctr: Container, step: string, args: readonly string[]): Promise<string> {
  return (await execStep(ctr, step, args)).stdout();
}
