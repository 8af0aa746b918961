/** wrk (Debian's): runs it against 127.0.0.1 and reads its `--latency` report. */
import { sh } from "../test/support/commands.js";

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  seconds: number;
  /** Pin wrk to this CPU with `taskset -c`. */
  cpu?: number;
}

export interface WrkResult {
  requests: number;
  requestsPerSec: number;
  /** Milliseconds. */
  p50: number;
  p90: number;
  p99: number;
  non2xx: number;
  socketErrors: { connect: number; read: number; write: number; timeout: number };
}

/** The argv of a wrk run. */
export function wrkArgv(o: WrkOptions): string[] {
  const wrk = ["wrk", `-t${o.threads}`, `-c${o.connections}`, `-d${o.seconds}s`, "--latency", o.url];
  return o.cpu === undefined ? wrk : ["taskset", "-c", String(o.cpu), ...wrk];
}

function toMs(value: string, unit: string): number {
  const v = Number(value);
  switch (unit) {
    case "us":
      return v / 1000;
    case "ms":
      return v;
    case "s":
      return v * 1000;
    case "m":
      return v * 60_000;
    default:
      throw new Error(`unknown wrk time unit ${unit}`);
  }
}

/** Parses wrk's report. Throws if the summary lines are missing. */
export function parseWrk(out: string): WrkResult {
  const pct = (p: string): number => {
    const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s|m)\\s*$`, "m").exec(out);
    if (!m) throw new Error(`wrk output has no ${p}% latency line:\n${out}`);
    return toMs(m[1], m[2]);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(out);
  const total = /^\s*(\d+) requests in /m.exec(out);
  if (!rps || !total) throw new Error(`wrk output has no summary:\n${out}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(out);
  return {
    requests: Number(total[1]),
    requestsPerSec: Number(rps[1]),
    p50: pct("50"),
    p90: pct("90"),
    p99: pct("99"),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: sock
      ? { connect: Number(sock[1]), read: Number(sock[2]), write: Number(sock[3]), timeout: Number(sock[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  };
}

export async function runWrk(o: WrkOptions): Promise<{ result: WrkResult; raw: string }> {
  const argv = wrkArgv(o);
  const raw = await sh(argv[0], argv.slice(1), { timeout: (o.seconds + 30) * 1000 });
  return { result: parseWrk(raw), raw };
}
