/**
 * Running a command in a container so that a failure explains itself: the engine's ExecError says
 * only "exit code: 1"; the command's own output (a compiler error, a failing test) is in its
 * stdout and stderr, and the error raised here carries the end of it, under the step's name.
 * Anything else the engine reports (a pull that failed, a lost session) is passed on as it is.
 */
import type { Container } from "@dagger.io/dagger";

import { isExecError, type ExecFailure } from "../bundledSdk.js";
import { tail } from "../recipe/report.js";

/** Why `step` failed, with the end of what the command printed. */
export function explainExecError(step: string, e: ExecFailure): Error {
  const output = [e.stdout, e.stderr].map((s) => s.trim()).filter((s) => s !== "").join("\n");
  return new Error(`${step} failed (exit ${e.exitCode}):\n${tail(output === "" ? "(no output)" : output)}`, { cause: e });
}

/**
 * The engine's own error, passed on with what to do where the module knows: an image the engine
 * could not pull keeps the engine's words (the reference, the registry's answer) and gains the
 * options that choose another. Anything else is returned as it is.
 */
export function explainEngineError(e: unknown): unknown {
  if (!(e instanceof Error) || isExecError(e)) return e;
  if (/^failed to resolve image "[^"]+"/.test(e.message)) {
    return new Error(
      `${e.message.split("\n")[0]}: pass --golang-image with an image this engine can pull (a mirror, pinned by digest), or --toolchain`,
      { cause: e },
    );
  }
  return e;
}

/** How a pipeline runs its commands: evaluated one by one (`execStep`), or all at once (`evaluateOnce`). */
export type StepRunner = (ctr: Container, step: string, args: readonly string[]) => Promise<Container>;

/** `ctr` with `args` run and evaluated; a failed command becomes an error naming `step`. */
export async function execStep(ctr: Container, step: string, args: readonly string[]): Promise<Container> {
  try {
    return await ctr.withExec([...args]).sync();
  } catch (e) {
    if (isExecError(e)) throw explainExecError(step, e);
    throw explainEngineError(e);
  }
}

/** Like `execStep`, returning what the command printed on stdout. */
export async function execOutput(ctr: Container, step: string, args: readonly string[]): Promise<string> {
  return (await execStep(ctr, step, args)).stdout();
}

/**
 * Commands added to a graph without evaluating it (`run`), remembered by their argv, and one
 * evaluation of whatever depends on them (`evaluate`): one round trip to the engine for the whole
 * graph (one per command made a warm build several times slower). The engine's ExecError names the
 * command that failed (its argv), which names the step: nothing is run again to explain a failure,
 * so a failure is reported as it happened, never replaced by the outcome of a second run.
 */
export class DeferredSteps {
  private readonly names = new Map<string, string>();

  /** Adds the command to `ctr`, unevaluated. */
  readonly run: StepRunner = async (ctr, step, args) => {
    this.names.set(JSON.stringify(args), step);
    return ctr.withExec([...args]);
  };

  /** The step a failed command belongs to. */
  stepOf(e: ExecFailure): string {
    return this.names.get(JSON.stringify(e.cmd)) ?? `the command ${JSON.stringify(e.cmd)}`;
  }

  /**
   * Evaluates the graph through `fn`; a failed command becomes an error naming its step, unless
   * `onFailure` (given the failure and its step) explains it otherwise.
   */
  async evaluate<T>(fn: () => Promise<T>, onFailure?: (e: ExecFailure, step: string) => Error | undefined): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (!isExecError(e)) throw explainEngineError(e);
      const step = this.stepOf(e);
      throw onFailure?.(e, step) ?? explainExecError(step, e);
    }
  }
}

/** Builds the graph with every command deferred and evaluates it once (DeferredSteps). */
export async function evaluateOnce<T extends { sync(): Promise<T> }>(make: (run: StepRunner) => Promise<T>): Promise<T> {
  const steps = new DeferredSteps();
  const graph = await make(steps.run);
  return steps.evaluate(() => graph.sync());
}
