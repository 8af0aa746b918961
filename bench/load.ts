/**
 * The service under load: wrk on loopback against the reference service (the module's binary, run as a
 * process, ADMIN_ADDR=off) with LOG_LEVEL=warn and with the default LOG_LEVEL=info (access log to
 * /dev/null), and against the bare net/http baseline, in interleaved rounds. Server pinned to one CPU,
 * wrk to the other, so they do not fight over the machine's two cores.
 */
import { freePort } from "../test/support/commands.js";
import { type BenchContext, commandLine, log } from "./context.js";
import { comm, memory, startServer, waitReady, type Memory, type Server } from "./processes.js";
import { summarize, type Summary } from "./stats.js";
import { runWrk, wrkArgv, type WrkResult } from "./wrk.js";

export interface LoadOptions {
  rounds: number;
  seconds: number;
  threads: number;
  connections: number;
  warmupSeconds: number;
  serverCpu: number;
  clientCpu: number;
}

export const LOAD_DEFAULTS: LoadOptions = {
  rounds: 3,
  seconds: 10,
  threads: 2,
  connections: 50,
  warmupSeconds: 2,
  serverCpu: 1,
  clientCpu: 0,
};

export const ENDPOINTS = ["/healthz", "/?name=bench"] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export type Variant = "bare" | "bare + service timeouts" | "service LOG_LEVEL=warn" | "service LOG_LEVEL=info";

interface VariantSpec {
  name: Variant;
  binary: string;
  env: Record<string, string>;
}

export interface LoadRow {
  variant: Variant;
  endpoint: Endpoint;
  requestsPerSec: Summary;
  p50: Summary;
  p99: Summary;
  runs: WrkResult[];
}

export interface LoadResult {
  options: LoadOptions;
  rows: LoadRow[];
  /** Per variant: resident memory idle (after start) and after all its load, kB. */
  memory: { variant: Variant; idleRSS: number; after: Memory }[];
}

const SECTION = "Load";

export async function load(
  ctx: BenchContext,
  binaries: { service: string; bare: string },
  options: LoadOptions = LOAD_DEFAULTS,
): Promise<LoadResult> {
  const variants: VariantSpec[] = [
    { name: "bare", binary: binaries.bare, env: {} },
    { name: "bare + service timeouts", binary: binaries.bare, env: { BARE_TIMEOUTS: "1" } },
    { name: "service LOG_LEVEL=warn", binary: binaries.service, env: { ADMIN_ADDR: "off", LOG_LEVEL: "warn" } },
    { name: "service LOG_LEVEL=info", binary: binaries.service, env: { ADMIN_ADDR: "off", LOG_LEVEL: "info" } },
  ];
  const servers = new Map<Variant, Server>();
  const idle = new Map<Variant, number>();
  try {
    for (const v of variants) {
      const port = await freePort();
      const srv = startServer(ctx, v.binary, { env: v.env, port, cpu: options.serverCpu, stdout: "ignore" });
      servers.set(v.name, srv);
      if (!(await waitReady(port, 10_000))) throw new Error(`${v.name} did not answer on :${port}`);
      const name = comm(srv.pid);
      if (name === "taskset") throw new Error("taskset did not exec into the server");
      idle.set(v.name, memory(srv.pid).vmRSS);
      ctx.command(
        SECTION,
        `${commandLine(["taskset", "-c", String(options.serverCpu), v.binary.replace(ctx.work, "$WORK")], { ...v.env, PORT: "<free port>" })} >/dev/null`,
      );
      await runWrk({ ...options, seconds: options.warmupSeconds, url: `http://127.0.0.1:${port}/healthz`, cpu: options.clientCpu });
    }

    const runs = new Map<string, WrkResult[]>();
    for (let round = 1; round <= options.rounds; round++) {
      for (const endpoint of ENDPOINTS) {
        for (const v of variants) {
          const srv = servers.get(v.name)!;
          const o = { ...options, url: `http://127.0.0.1:${srv.port}${endpoint}`, cpu: options.clientCpu };
          ctx.command(SECTION, commandLine(wrkArgv({ ...o, url: `http://127.0.0.1:<port>${endpoint}` })));
          const { result } = await runWrk(o);
          const key = `${v.name}|${endpoint}`;
          runs.set(key, [...(runs.get(key) ?? []), result]);
          log(`  round ${round} ${v.name} ${endpoint}: ${result.requestsPerSec.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms`);
        }
      }
    }

    const rows: LoadRow[] = [];
    for (const endpoint of ENDPOINTS) {
      for (const v of variants) {
        const rs = runs.get(`${v.name}|${endpoint}`) ?? [];
        rows.push({
          variant: v.name,
          endpoint,
          requestsPerSec: summarize(rs.map((r) => r.requestsPerSec)),
          p50: summarize(rs.map((r) => r.p50)),
          p99: summarize(rs.map((r) => r.p99)),
          runs: rs,
        });
      }
    }
    const mem = variants.map((v) => ({ variant: v.name, idleRSS: idle.get(v.name) ?? NaN, after: memory(servers.get(v.name)!.pid) }));
    return { options, rows, memory: mem };
  } finally {
    for (const srv of servers.values()) await srv.stop();
  }
}
