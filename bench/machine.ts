/** The machine and tools a run measured on, for the report's header. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";

import { sh } from "../test/support/commands.js";
import { docker } from "../test/support/docker.js";

export interface Machine {
  date: string;
  nproc: number;
  cpuModel: string;
  memTotal: string;
  kernel: string;
  go: string;
  node: string;
  docker: string;
  wrk: string;
  /** The Dagger engine and CLI the module ran on. */
  engine: string;
}

/** The first non-empty line a command prints on stdout or stderr, whatever its exit code (`wrk -v` exits 1). */
function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  return `${r.stdout ?? ""}\n${r.stderr ?? ""}`.split("\n").find((l) => l.trim() !== "")?.trim() ?? "not installed";
}

export async function machine(): Promise<Machine> {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const memKb = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? NaN);
  const wrk = firstLine("wrk", ["-v"]).replace(/^(wrk \S+).*$/, "$1");
  return {
    date: new Date().toISOString(),
    nproc: Number((await sh("nproc", [])).trim()) || cpus().length,
    cpuModel: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? "unknown",
    memTotal: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    kernel: (await sh("uname", ["-sr"])).trim(),
    go: (await sh("go", ["version"])).trim(),
    node: process.version,
    docker: `client ${(await docker(["version", "-f", "{{.Client.Version}}"])).trim()}, daemon ${(await docker(["version", "-f", "{{.Server.Version}}"])).trim()} (runs the image for the start-up figures)`,
    wrk,
    engine: `${firstLine("dagger", ["version"])} (../shared/dagger-engine: built from source, run on this machine)`,
  };
}
