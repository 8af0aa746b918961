/** Running and looking into images with Docker, for the image suites. */
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { docker, type DockerResources } from "./recipeRealisation.js";
import { sh } from "./commands.js";
import { readTar, type TarEntry } from "./tar.js";

/** A container started by a suite. */
export interface RunningContainer {
  id: string;
  /** The process's PID on this machine, to read /proc/<pid>/status. */
  pid: number;
  /** `http://127.0.0.1:<published port>`: outside the container's network namespace. */
  url: string;
}

/**
 * Runs `image` the way the recipe says a scratch service should run: read-only root, every
 * capability dropped, no new privileges, as the image's own user. The port is published on
 * 127.0.0.1 only, so traffic goes from this machine into the container's own network namespace.
 */
export async function runLockedDown(
  res: DockerResources,
  image: string,
  port: number,
  extra: readonly string[] = [],
): Promise<RunningContainer> {
  const id = res.container(
    (
      await docker([
        "run", "-d", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
        "-p", `127.0.0.1::${port}`, ...extra, image,
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

/** An image written out by `docker save` and unpacked: its config file and layer tars, base first. */
export interface SavedImage {
  /** The config JSON's path. */
  config: string;
  /** The (uncompressed) layer tars' paths, in order. */
  layers: string[];
}

/** Runs `docker save` for `image` into a directory under `work`, unpacks it, and lists what it holds. */
export async function saveImage(image: string, work: string): Promise<SavedImage> {
  const dir = join(work, `save-${image.replace(/[^a-z0-9]/gi, "_")}`);
  mkdirSync(dir, { recursive: true });
  await docker(["save", "-o", join(dir, "image.tar"), image]);
  await sh("tar", ["-xf", "image.tar"], { cwd: dir });
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Config: string; Layers: string[] }[];
  return { config: join(dir, manifest[0].Config), layers: manifest[0].Layers.map((l) => join(dir, l)) };
}

/** The entries of the image's single layer, read from `docker save` output. */
export async function layerEntries(image: string, work: string): Promise<TarEntry[]> {
  const { layers } = await saveImage(image, work);
  if (layers.length !== 1) throw new Error(`expected one layer in ${image}, found ${layers.length}`);
  return readTar(layers[0]);
}
