/**
 * Session connect: a whole user process (`tsx bench/engine/connect.ts`: the module imported, a
 * session opened, one answer) against the same process without the session, interleaved.
 */
import type { BenchContext } from "../context.js";
import { summarize, type Summary } from "../stats.js";
import { engineChild } from "./env.js";

export interface ConnectResult {
  /** In the process: connection() → the first answer, ms. */
  connectMs: Summary;
  /** The whole process with a session, ms. */
  processMs: Summary;
  /** The whole process without one (tsx start and the module's imports), ms. */
  baselineProcessMs: Summary;
}

export async function connectTimes(ctx: BenchContext, runs = 5): Promise<ConnectResult> {
  const connect: number[] = [];
  const process: number[] = [];
  const baseline: number[] = [];
  for (let i = 0; i < runs; i++) {
    const withSession = await engineChild<{ connectMs: number }>("bench/engine/connect.ts", []);
    connect.push(withSession.connectMs);
    process.push(withSession.processSeconds * 1000);
    baseline.push((await engineChild<{ connectMs: number }>("bench/engine/connect.ts", ["--no-connect"])).processSeconds * 1000);
  }
  ctx.command("Session connect", "node_modules/.bin/tsx bench/engine/connect.ts   # and with --no-connect, the baseline; interleaved");
  return { connectMs: summarize(connect), processMs: summarize(process), baselineProcessMs: summarize(baseline) };
}
