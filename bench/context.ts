/**
 * What every benchmark step shares: one work directory, the Docker images and containers it made,
 * the processes it started (all removed or ended by `cleanup`, also after a failure), and the log of
 * exact commands that REPORT.md prints.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { DockerResources } from "../test/support/docker.js";

/** The prefix of every image tag the benchmark creates. */
export const IMAGE_PREFIX = "go-scratch-bench";

export class BenchContext {
  readonly docker = new DockerResources();
  /** A temporary directory for everything the run writes, removed by cleanup. */
  readonly work: string;
  /** Exact commands, by report section, in the order they first ran. */
  readonly commands = new Map<string, string[]>();
  private readonly children = new Set<ChildProcess>();
  private readonly stoppers: (() => Promise<void>)[] = [];

  constructor() {
    this.work = this.docker.dir(mkdtempSync(join(tmpdir(), "go-scratch-bench-")));
  }

  /** A path inside the work directory. */
  path(...parts: string[]): string {
    return join(this.work, ...parts);
  }

  /** Records a command line for the report (each distinct line once per section). */
  command(section: string, line: string): void {
    const list = this.commands.get(section) ?? [];
    if (!list.includes(line)) list.push(line);
    this.commands.set(section, list);
  }

  /** Tracks a child process so cleanup ends it if the step that started it did not. */
  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once("exit", () => this.children.delete(child));
    return child;
  }

  /** Registers an extra teardown (e.g. a registry), run by cleanup before Docker resources go. */
  onCleanup(stop: () => Promise<void>): void {
    this.stoppers.push(stop);
  }

  /** Ends every tracked process (by its own pid), runs the teardowns, removes images, containers, dirs. */
  async cleanup(): Promise<void> {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    for (const stop of this.stoppers.reverse()) await stop().catch(() => undefined);
    await this.docker.cleanup();
  }
}

/** Progress on stderr, with the seconds since the run began. */
const started = Date.now();
export function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${message}\n`);
}

/** A shell-like rendering of an environment and argv, for the report. */
export function commandLine(argv: readonly string[], env: Record<string, string> = {}): string {
  const quote = (a: string): string => (/^[\w@%+=:,./$-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`), ...argv.map(quote)].join(" ");
}
