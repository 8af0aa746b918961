/**
 * Processes for the suites and the benchmarks: run a command with its output captured (as a result,
 * or throwing on failure), pick a free port, run a background process as its own process group,
 * wait and probe. The dagger CLI helpers live in dagger.ts, the throwaway registry in registry.ts.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/** The repository root, where dagger.json is: commands run here unless told otherwise. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Minutes, in milliseconds. */
export const minutes = (n: number): number => n * 60_000;

/** What a finished command printed and how it ended. */
export interface CommandResult {
  /** The command line, for messages. */
  command: string;
  /** Exit code; null when it was killed (see `signal`). */
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Wall time in milliseconds. */
  ms: number;
}

interface ExecFailure {
  code?: number | string | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
  killed?: boolean;
}

/** The last `lines` lines of `s`, for error messages. */
export function lastLines(s: string, lines = 40): string {
  return s.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Runs a command to completion and returns its result; never throws for a non-zero exit. */
export async function runCommand(
  cmd: string,
  args: readonly string[],
  opts: { timeoutMs: number; cwd?: string; env?: NodeJS.ProcessEnv },
): Promise<CommandResult> {
  const command = [cmd, ...args.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a)))].join(" ");
  const started = Date.now();
  try {
    const { stdout, stderr } = await execFileAsync(cmd, [...args], {
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs,
      killSignal: "SIGTERM",
      maxBuffer: 256 * 1024 * 1024,
      encoding: "utf8",
    });
    return { command, code: 0, signal: null, stdout, stderr, ms: Date.now() - started };
  } catch (e) {
    const err = e as ExecFailure & Error;
    if (typeof err.code === "string") throw new Error(`${command}: ${err.message}`); // e.g. ENOENT
    return {
      command,
      code: typeof err.code === "number" ? err.code : null,
      signal: err.signal ?? (err.killed ? "SIGTERM" : null),
      stdout: err.stdout ?? "",
      stderr: err.stderr ?? "",
      ms: Date.now() - started,
    };
  }
}

/** Runs a command; returns its stdout. Throws unless it exits 0: the first line of the error names
 * the command and how it ended, the lines after it are what the command printed. */
export async function sh(
  cmd: string,
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {},
): Promise<string> {
  const r = await runCommand(cmd, args, { cwd: opts.cwd, env: opts.env, timeoutMs: opts.timeout ?? 600_000 });
  if (r.code !== 0) {
    const how = r.code === null ? `was killed (${r.signal}) after ${Math.round(r.ms / 1000)} s` : `exited ${r.code}`;
    throw new Error(`${r.command} ${how}\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error("could not pick a free port"))));
    });
  });
}

/** A process started in the background as the leader of its own process group, output kept. */
export interface Background {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Whether it has exited. */
  exited(): boolean;
  /** Signals the whole group (SIGTERM, then SIGKILL after `graceMs`) and waits until it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `cmd args` detached (its own process group), from the repository root. */
export function startBackground(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Background {
  const child = spawn(cmd, [...args], { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let done = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => {
    child.once("exit", () => {
      done = true;
      resolve();
    });
    child.once("error", (e) => {
      out += `\n[spawn error: ${e.message}]\n`;
      done = true;
      resolve();
    });
  });
  child.stdout?.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr?.on("data", (b: Buffer) => (out += b.toString()));
  const signalGroup = (sig: NodeJS.Signals): void => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, sig);
    } catch {
      // the group is already gone
    }
  };
  return {
    child,
    output: () => out,
    exited: () => done,
    async stop(graceMs = 30_000) {
      if (done) return;
      signalGroup("SIGTERM");
      const timer = new Promise<"timeout">((r) => setTimeout(() => r("timeout"), graceMs).unref());
      if ((await Promise.race([exit.then(() => "exited" as const), timer])) === "timeout") {
        signalGroup("SIGKILL");
        await exit;
      }
    },
  };
}

/** Polls `fn` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function waitFor(fn: () => Promise<boolean>, timeoutMs: number, everyMs = 1_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fn().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The HTTP status of GET `url`, or 0 when nothing answered (within 5 s). */
export async function httpStatus(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
