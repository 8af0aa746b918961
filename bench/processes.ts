/**
 * Server processes for the runtime benchmarks: started with a given environment (optionally pinned
 * to a CPU with taskset, which execs, so the pid is the server's own), probed with a minimal raw
 * HTTP/1.1 GET, measured through /proc/<pid>/status, and stopped by their own pid.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";

import type { BenchContext } from "./context.js";

export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  /** Resolves with the exit code (or null) and signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServerOptions {
  env: Record<string, string>;
  port: number;
  /** Pin to this CPU with `taskset -c`. */
  cpu?: number;
  /** "ignore" sends stdout to /dev/null; "pipe" lets the caller read it. */
  stdout?: "ignore" | "pipe";
}

/** Starts `binary` with only `opts.env` (plus PORT) in its environment. */
export function startServer(ctx: BenchContext, binary: string, opts: ServerOptions): Server {
  const [cmd, args] = opts.cpu === undefined ? [binary, []] : ["taskset", ["-c", String(opts.cpu), binary]];
  const child = ctx.track(
    spawn(cmd, args, {
      env: { ...opts.env, PORT: String(opts.port) },
      stdio: ["ignore", opts.stdout ?? "ignore", "inherit"],
    }),
  );
  if (child.pid === undefined) throw new Error(`could not start ${binary}`);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    pid: child.pid,
    port: opts.port,
    exited,
    async stop(graceMs = 15_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * GET `path` on 127.0.0.1:`port` over a fresh connection (Connection: close); resolves with the status
 * code, or 0 if the connection failed or no status line arrived.
 */
export function probe(port: number, path = "/healthz", timeoutMs = 2_000): Promise<number> {
  return new Promise((resolve) => {
    let data = "";
    let done = false;
    const finish = (status: number): void => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(status);
    };
    const sock = connect({ host: "127.0.0.1", port }, () => {
      sock.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    sock.setTimeout(timeoutMs, () => finish(0));
    sock.on("data", (b: Buffer) => {
      data += b.toString("latin1");
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(data);
      if (m) finish(Number(m[1]));
    });
    sock.on("error", () => finish(0));
    sock.on("close", () => finish(0));
  });
}

/** Polls `probe` back to back until it returns 200 or `timeoutMs` passes; returns whether it did. */
export async function waitReady(port: number, timeoutMs: number, path = "/healthz"): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if ((await probe(port, path)) === 200) return true;
  }
  return false;
}

/** Memory figures of a live process from /proc/<pid>/status, in kB. */
export interface Memory {
  /** Peak resident set size. */
  vmHWM: number;
  /** Current resident set size. */
  vmRSS: number;
}

export function memory(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { vmHWM: kb("VmHWM"), vmRSS: kb("VmRSS") };
}

/** The executable a pid runs (to check that taskset exec'd into the server). */
export function comm(pid: number): string {
  return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
}
