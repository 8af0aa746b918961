/**
 * The benchmark's Docker baselines: the recipe carried out with local Go and a Docker engine (the
 * same go build arguments and file list, ../dagger/src/recipe/), and the naive Dockerfile builds it
 * is compared with. Only `npm run bench` uses this; the tests prove the module itself on the engine
 * (test/engine). The bench's build figures move onto the engine with the benchmark issue, and this
 * file goes with them.
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  goBuildArgs,
  goBuildEnv,
  type GoBuildOptions,
} from "../dagger/src/recipe/goBuild.js";
import { imageConfig, rootfsLayout, type ImageConfig, type RuntimeOptions } from "../dagger/src/recipe/image.js";
import { sh } from "../test/support/commands.js";
import { DockerResources } from "../test/support/docker.js";

export { DockerResources };

/** `docker ...` with the legacy builder, which needs no image pull for FROM scratch. */
export function docker(args: readonly string[], opts: { cwd?: string; timeout?: number } = {}): Promise<string> {
  return sh("docker", args, { ...opts, env: { ...process.env, DOCKER_BUILDKIT: "0" } });
}

/** A fresh temporary directory, removed by the returned cleanup. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `go-scratch-${prefix}-`));
}

/** Copies a source tree to `dest` (fresh files, so fresh timestamps). */
export function copyTree(src: string, dest: string): string {
  cpSync(src, dest, { recursive: true, preserveTimestamps: false });
  return dest;
}

/**
 * Builds the binary with local Go exactly as the module's build layer does: the recipe's argv and
 * environment, run in `srcDir`. `goCache` isolates the build cache (a fresh one is a cold build).
 */
export async function localGoBuild(
  srcDir: string,
  opts: GoBuildOptions & { output: string; goCache?: string },
): Promise<{ binary: string; argv: string[] }> {
  const argv = goBuildArgs(opts);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...goBuildEnv(opts.platform),
    // Only what the recipe sets: no GOFLAGS inherited from the machine.
    GOFLAGS: "",
  };
  if (opts.goCache) env.GOCACHE = opts.goCache;
  await sh(argv[0], argv.slice(1), { cwd: srcDir, env });
  return { binary: opts.output, argv };
}

/** Sources for the recipe's non-inline files. */
export interface RootfsSources {
  binary: string;
  caBundle: string;
  assets?: string;
}

/**
 * Writes the recipe's root file system under `dir`: every entry of rootfsLayout, with its mode, and
 * every timestamp set to the epoch (children first, so a directory's time is not disturbed later).
 */
export function assembleRootfs(dir: string, opts: RuntimeOptions, sources: RootfsSources): void {
  const layout = rootfsLayout(opts);
  for (const e of layout) {
    const target = join(dir, e.path);
    if (e.kind === "dir") {
      mkdirSync(target, { recursive: true });
    } else if (e.kind === "tree") {
      cpSync(sources.assets!, target, { recursive: true });
    } else if (e.from === "inline") {
      writeFileSync(target, e.contents);
    } else {
      copyFileSync(e.from === "binary" ? sources.binary : sources.caBundle, target);
    }
    chmodSync(target, e.mode);
  }
  const epoch = opts.sourceDateEpoch ?? 0;
  for (const e of [...layout].reverse()) utimesSync(join(dir, e.path), epoch, epoch);
  utimesSync(dir, epoch, epoch);
}

/** The image configuration as Dockerfile instructions (Docker's spelling of the same values). */
export function runtimeDockerfile(cfg: ImageConfig): string {
  const lines = ["FROM scratch", "COPY rootfs/ /", `USER ${cfg.user}`, `WORKDIR ${cfg.workdir}`];
  for (const [k, v] of Object.entries(cfg.env)) lines.push(`ENV ${k}=${JSON.stringify(v)}`);
  for (const p of cfg.exposedPorts) lines.push(`EXPOSE ${p}/tcp`);
  lines.push(`ENTRYPOINT ${JSON.stringify(cfg.entrypoint)}`, `CMD ${JSON.stringify(cfg.cmd)}`);
  if (cfg.healthcheck) {
    const h = cfg.healthcheck;
    // Docker 20.10 has no --start-interval (Docker 25 added it); the other values are the recipe's.
    lines.push(
      `HEALTHCHECK --interval=${h.interval} --timeout=${h.timeout} --start-period=${h.startPeriod} ` +
        `--retries=${h.retries} CMD ${JSON.stringify(h.args)}`,
    );
  }
  for (const [k, v] of Object.entries(cfg.labels)) lines.push(`LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
  return lines.join("\n") + "\n";
}

/**
 * Builds the runtime image from a binary: assembles the rootfs and the Dockerfile, runs docker build.
 * `buildArgs` go to `docker build` as they are (e.g. `--no-cache`, so a rebuild is not a cache hit).
 */
export async function buildRuntimeImage(
  res: DockerResources,
  tag: string,
  opts: RuntimeOptions,
  sources: RootfsSources,
  buildArgs: readonly string[] = [],
): Promise<{ tag: string; context: string; config: ImageConfig }> {
  const context = res.dir(tempDir("runtime"));
  mkdirSync(join(context, "rootfs"));
  assembleRootfs(join(context, "rootfs"), opts, sources);
  const config = imageConfig(opts);
  writeFileSync(join(context, "Dockerfile"), runtimeDockerfile(config));
  await docker(["build", "-q", ...buildArgs, "-t", res.image(tag), context]);
  return { tag, context, config };
}

/** The CA bundle of this machine (Debian's ca-certificates), standing in for the golang image's. */
export const HOST_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

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
