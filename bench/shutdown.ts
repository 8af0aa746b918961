/**
 * Graceful shutdown under load: clients hammer GET /?name=bench, SIGTERM arrives in the middle, and
 * every request is classified. The service runs with LOG_LEVEL=info so its access log counts the
 * requests it handled; `handled − answered` is the number of requests the server took on but whose
 * response never reached the client: the in-flight failures, which should be zero. Connections
 * refused after the listener closed are expected and counted apart.
 */
import { Agent, request } from "node:http";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

import { freePort } from "../test/support/commands.js";
import { type BenchContext, commandLine, log } from "./context.js";
import { startServer, waitReady, type Server } from "./processes.js";
import { runWrk, wrkArgv } from "./wrk.js";

export interface ShutdownRow {
  client: string;
  /** Requests the client had outstanding when SIGTERM was sent. */
  outstandingAtSignal: number;
  /** Complete 200 responses. */
  answered: number;
  /** Requests to PATH the service's access log recorded (it logs each one after its handler ran). */
  handled: number;
  /** handled − answered: taken on by the server, answer lost. */
  lostInFlight: number;
  /** Connections refused: the listener had closed (expected for new connections). */
  refused: number;
  /** Connection reset before any response byte, on a fresh or a reused idle connection the server never read from. */
  resetBeforeResponse: number;
  /** Reset or aborted after the response had begun. */
  failedMidResponse: number;
  non200: number;
  /** Client errors of no known kind (counted as failures). */
  other: Record<string, number>;
  /**
   * wrk only: its socket errors. Its connects are non-blocking, so a refused connection shows up as a
   * read or write error and cannot be told from a reset; handled = answered says none was in flight.
   */
  wrkSocketErrors?: { connect: number; read: number; write: number; timeout: number };
  /** SIGTERM → process exit, ms. */
  drainMs: number;
  exitCode: number | null;
}

export interface ShutdownResult {
  rows: ShutdownRow[];
  shutdownTimeout: string;
}

const SECTION = "Graceful shutdown";
const ENV = { ADMIN_ADDR: "off", LOG_LEVEL: "info", SHUTDOWN_TIMEOUT: "10s" };
const PATH = "/?name=bench";

type Outcome = "ok" | "non200" | "refused" | "resetBeforeResponse" | "failedMidResponse" | `other:${string}`;

function once(agent: Agent, port: number): Promise<Outcome> {
  return new Promise((resolve) => {
    let responded = false;
    let settled = false;
    const settle = (o: Outcome): void => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = request({ host: "127.0.0.1", port, path: PATH, agent, method: "GET" }, (res) => {
      responded = true;
      res.on("aborted", () => settle("failedMidResponse"));
      res.on("error", () => settle("failedMidResponse"));
      res.on("end", () => settle(res.statusCode === 200 ? "ok" : "non200"));
      res.resume();
    });
    req.setTimeout(5_000, () => req.destroy(Object.assign(new Error("timeout"), { code: "TIMEOUT" })));
    req.on("error", (err: NodeJS.ErrnoException) => {
      if (responded) settle("failedMidResponse");
      else if (err.code === "ECONNREFUSED") settle("refused");
      else if (err.code === "ECONNRESET" || err.code === "EPIPE") settle("resetBeforeResponse");
      else settle(`other:${err.code ?? err.message}`);
    });
    req.end();
  });
}

/** The access-log lines of the load's requests: PATH is logged as "path":"/". */
const LOAD_LINE = ['"msg":"request"', '"path":"/",'];

interface HandledCounter {
  /** Access-log lines of GET PATH read so far. */
  handled(): number;
  /** Resolves once the service's stdout has ended (it exited): every line has been read. */
  drained: Promise<void>;
}

/**
 * Counts the access-log lines of the load's requests, from a service whose stdout is piped. Only
 * GET PATH lines count, so waitReady's GET /healthz probes never do: subtracting a count taken when
 * the last probe was answered raced with the pipe (the probe's line could be read after its
 * response, and was then counted as a handled request of the load, lost in flight).
 */
function countHandled(srv: Server): HandledCounter {
  let handled = 0;
  const lines = createInterface({ input: srv.child.stdout! });
  lines.on("line", (l) => {
    if (LOAD_LINE.every((s) => l.includes(s))) handled++;
  });
  const drained = new Promise<void>((resolve) => lines.once("close", () => resolve()));
  return { handled: () => handled, drained };
}

async function startService(ctx: BenchContext, binary: string): Promise<{ srv: Server; counter: HandledCounter }> {
  const port = await freePort();
  const srv = startServer(ctx, binary, { env: ENV, port, stdout: "pipe" });
  const counter = countHandled(srv);
  if (!(await waitReady(port, 10_000))) throw new Error("service did not become ready");
  return { srv, counter };
}

/** Node clients, keep-alive off or on: `workers` loops of sequential requests. */
async function nodeClientRun(ctx: BenchContext, binary: string, keepAlive: boolean, workers: number, warmMs: number): Promise<ShutdownRow> {
  const { srv, counter } = await startService(ctx, binary);
  const agent = new Agent({ keepAlive, maxSockets: workers });
  const counts = new Map<Outcome, number>();
  let outstanding = 0;
  let outstandingAtSignal = -1;
  let stopAt = Number.POSITIVE_INFINITY;
  const hardStop = performance.now() + 25_000;
  const worker = async (): Promise<void> => {
    while (performance.now() < Math.min(stopAt, hardStop)) {
      outstanding++;
      const o = await once(agent, srv.port);
      outstanding--;
      counts.set(o, (counts.get(o) ?? 0) + 1);
      if (o === "refused") await sleep(2);
    }
  };
  const loops = Array.from({ length: workers }, () => worker());
  await sleep(warmMs);
  outstandingAtSignal = outstanding;
  const signalled = performance.now();
  srv.child.kill("SIGTERM");
  const exit = await srv.exited;
  const drainMs = performance.now() - signalled;
  stopAt = performance.now() + 300;
  await Promise.all(loops);
  agent.destroy();
  await counter.drained; // the last log lines
  const c = (o: Outcome): number => counts.get(o) ?? 0;
  const handled = counter.handled();
  const other: Record<string, number> = {};
  for (const [k, v] of counts) if (k.startsWith("other:")) other[k.slice(6)] = v;
  ctx.command(
    SECTION,
    `${commandLine([binary.replace(ctx.work, "$WORK")], { ...ENV, PORT: "<free port>" })} | count '"msg":"request"' lines; ` +
      `node http.Agent({keepAlive: ${keepAlive}}) × ${workers} sequential GET ${PATH}; kill -TERM <pid> after ${warmMs} ms`,
  );
  return {
    client: `node http, keep-alive ${keepAlive ? "on" : "off"}, ${workers} concurrent`,
    outstandingAtSignal,
    answered: c("ok"),
    handled,
    lostInFlight: handled - c("ok") - c("non200"),
    refused: c("refused"),
    resetBeforeResponse: c("resetBeforeResponse"),
    failedMidResponse: c("failedMidResponse"),
    non200: c("non200"),
    other,
    drainMs,
    exitCode: exit.code,
  };
}

/** wrk (keep-alive) running across the SIGTERM: completed responses against the access log. */
async function wrkRun(ctx: BenchContext, binary: string, seconds: number, signalAfterMs: number): Promise<ShutdownRow> {
  const { srv, counter } = await startService(ctx, binary);
  const o = { url: `http://127.0.0.1:${srv.port}${PATH}`, threads: 2, connections: 50, seconds };
  const wrk = runWrk(o);
  await sleep(signalAfterMs);
  const signalled = performance.now();
  srv.child.kill("SIGTERM");
  const exit = await srv.exited;
  const drainMs = performance.now() - signalled;
  const { result } = await wrk;
  await counter.drained;
  const handled = counter.handled();
  ctx.command(SECTION, `${commandLine(wrkArgv({ ...o, url: `http://127.0.0.1:<port>${PATH}` }))}  # kill -TERM <pid> after ${signalAfterMs} ms`);
  const e = result.socketErrors;
  return {
    client: `wrk, keep-alive, 2 threads, 50 connections`,
    outstandingAtSignal: NaN,
    answered: result.requests - result.non2xx,
    handled,
    lostInFlight: handled - result.requests,
    refused: NaN,
    resetBeforeResponse: NaN,
    failedMidResponse: NaN,
    non200: result.non2xx,
    other: {},
    wrkSocketErrors: e,
    drainMs,
    exitCode: exit.code,
  };
}

export async function shutdown(ctx: BenchContext, binary: string, opts = { warmMs: 2_000, workers: 32, wrkSeconds: 5 }): Promise<ShutdownResult> {
  const rows: ShutdownRow[] = [];
  for (const keepAlive of [false, true]) {
    log(`shutdown: node client, keep-alive ${keepAlive ? "on" : "off"}`);
    rows.push(await nodeClientRun(ctx, binary, keepAlive, opts.workers, opts.warmMs));
  }
  log("shutdown: wrk");
  rows.push(await wrkRun(ctx, binary, opts.wrkSeconds, opts.warmMs));
  return { rows, shutdownTimeout: ENV.SHUTDOWN_TIMEOUT };
}
