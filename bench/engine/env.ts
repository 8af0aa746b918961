/**
 * The engine the bench measures: ../shared/dagger-engine (the real engine, built from source), its
 * environment for child processes, and a freshly wiped one for the cold figures.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { join } from "node:path";

import { ROOT, runCommand } from "../../test/support/commands.js";

/** The engine tool, beside the repository. */
export const UP = join(ROOT, "..", "shared", "dagger-engine", "up");
const ENV_FILE = "/var/lib/go-scratch-engine/env";

/** Whether the engine tool is there (the bench needs it: it measures the module on the engine). */
export function engineToolAvailable(): { ok: boolean; reason: string } {
  return existsSync(UP) ? { ok: true, reason: "" } : { ok: false, reason: `${UP} is missing (the bench measures the module on that engine)` };
}

/** The variables the engine's env file exports, over this process's environment. */
export function engineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const line of readFileSync(ENV_FILE, "utf8").split("\n")) {
    for (const m of line.replace(/^export /, "").matchAll(/(\w+)=(\S+)/g)) {
      env[m[1]] = m[2].replace(/\$PATH/, process.env.PATH ?? "");
    }
  }
  return env;
}

/** Starts the engine (`up`), or wipes its state first (`up --fresh`); returns the seconds it took. */
export async function startEngine(fresh: boolean): Promise<number> {
  const started = performance.now();
  const up = await runCommand(UP, fresh ? ["--fresh"] : [], { timeoutMs: 30 * 60_000 });
  if (up.code !== 0) throw new Error(`${UP}${fresh ? " --fresh" : ""} failed:\n${up.stderr}`);
  Object.assign(process.env, engineEnv());
  return (performance.now() - started) / 1000;
}

/** Runs `tsx <script> <args>` (the local tsx, no npx) in its own process against the engine; returns its last stdout line as JSON. */
export async function engineChild<T>(script: string, args: string[], timeoutMs = 20 * 60_000): Promise<T & { processSeconds: number }> {
  const started = performance.now();
  const r = await runCommand(join(ROOT, "node_modules", ".bin", "tsx"), [script, ...args], { timeoutMs, env: engineEnv() });
  if (r.code !== 0) throw new Error(`${script} failed:\n${r.stdout}\n${r.stderr}`);
  const value = JSON.parse(r.stdout.trim().split("\n").pop()!) as T;
  return { ...value, processSeconds: (performance.now() - started) / 1000 };
}

/** The CNI plugins the engine runs to set up its containers' network namespaces. */
const CNI_PLUGINS = new Set(["bridge", "firewall", "host-local", "portmap", "loopback", "dnsname"]);

/** Whether a CNI plugin process is running on this machine now. */
function cniRunning(): boolean {
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      if (CNI_PLUGINS.has(readFileSync(`/proc/${pid}/comm`, "utf8").trim())) return true;
    } catch {
      // gone already
    }
  }
  return false;
}

/**
 * Waits until a freshly started engine has done its own start-up work: it fills a pool of network
 * namespaces, running CNI plugins for about a minute, which a build started meanwhile competes with
 * (a cold build measured 60-70 s during it, 36 s after). Done when no plugin has run for `quietS`
 * seconds; returns the seconds waited.
 */
export async function waitForEngineIdle(quietS = 10, maxS = 300): Promise<number> {
  const started = performance.now();
  let quietSince = performance.now();
  while ((performance.now() - started) / 1000 < maxS) {
    if (cniRunning()) quietSince = performance.now();
    else if ((performance.now() - quietSince) / 1000 >= quietS) break;
    await sleep(250);
  }
  return Math.max(0, (performance.now() - started) / 1000 - quietS);
}
