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

/** How a pipeline runs its commands: evaluated one by one (`execStep`), or all at once (`deferStep`). */
export type StepRunner = (ctr: Container, step: string, args: readonly string[]) => Promise<Container>;

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

/** `ctr` with `args` added but not evaluated: `evaluateOnce` evaluates the whole graph. */
export const deferStep: StepRunner = async (ctr, _step, args) => ctr.withExec([...args]);

/**
 * Builds the graph with every command deferred and evaluates it in one round trip to the engine
 * (one per command made a warm build several times slower). Only if a command fails is the graph
 * built again command by command (`execStep`), so the error names the failing step and carries its
 * output; that command then runs twice, since a failure is not cached.
 */
export async function evaluateOnce<T extends { sync(): Promise<T> }>(make: (run: StepRunner) => Promise<T>): Promise<T> {
  try {
    return await (await make(deferStep)).sync();
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    return (await make(execStep)).sync();
  }
}
