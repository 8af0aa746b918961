/**
 * Docker as the consumer of what the engine built: run an image the way users run a scratch service
 * (read-only, every capability dropped, no new privileges), watch its health, and clean up after.
 */
import { rmSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

import { sh } from "./commands.js";

/** `docker ...`; returns stdout, throws with the output on failure. */
export function docker(args: readonly string[], opts: { cwd?: string; timeout?: number } = {}): Promise<string> {
  return sh("docker", args, opts);
}

/** Images, containers and directories a suite created, removed by `cleanup` (also after a failure). */
export class DockerResources {
  private images = new Set<string>();
  private containers = new Set<string>();
  private dirs = new Set<string>();

  image(ref: string): string {
    this.images.add(ref);
    return ref;
  }

  container(id: string): string {
    this.containers.add(id);
    return id;
  }

  dir(path: string): string {
    this.dirs.add(path);
    return path;
  }

  async cleanup(): Promise<void> {
    for (const c of this.containers) await docker(["rm", "-f", c]).catch(() => undefined);
    for (const i of this.images) await docker(["rmi", "-f", i]).catch(() => undefined);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** A container started by a suite. */
export interface RunningContainer {
  id: string;
  /** The process's PID on this machine, to read /proc/<pid>/status. */
  pid: number;
  /** `http://127.0.0.1:<published port>`: outside the container's network namespace. */
  url: string;
}

/**
 * Runs `image` read-only, with every capability dropped and no new privileges, as the image's own
 * user. The port is published on 127.0.0.1 only.
 */
export async function runLockedDown(res: DockerResources, image: string, port: number): Promise<RunningContainer> {
  const id = res.container(
    (
      await docker([
        "run", "-d", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "-p", `127.0.0.1::${port}`, image,
      ])
    ).trim(),
  );
  const published = (await docker(["port", id, `${port}/tcp`])).trim().split("\n")[0];
  const pid = Number((await docker(["inspect", "-f", "{{.State.Pid}}", id])).trim());
  return { id, pid, url: `http://${published}` };
}

/** Polls the container's health status until it is healthy or unhealthy; throws on timeout. */
export async function waitHealthy(id: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let status = "";
  while (Date.now() < deadline) {
    status = (await docker(["inspect", "-f", "{{.State.Health.Status}}", id])).trim();
    if (status === "healthy" || status === "unhealthy") return status;
    await sleep(500);
  }
  const log = await docker(["inspect", "-f", "{{json .State.Health}}", id]).catch(() => "");
  throw new Error(`container ${id.slice(0, 12)} not healthy after ${timeoutMs} ms (status ${status}): ${log}`);
}
