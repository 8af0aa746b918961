/**
 * The module's recipe realised without a Dagger engine: the same go build arguments and environment
 * (../../dagger/src/recipe/goBuild.ts), the same file list and image configuration
 * (../../dagger/src/recipe/image.ts), carried out with local Go and a real Docker engine.
 * Nothing here re-states the recipe: it only translates it into Go and Docker invocations.
 */
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

import {
  GO_PATHS,
  MANIFEST_FILES,
  MOD_DOWNLOAD_ARGS,
  goBuildArgs,
  goBuildEnv,
  type GoBuildOptions,
} from "../../dagger/src/recipe/goBuild.js";
import { imageConfig, rootfsLayout, type ImageConfig, type RuntimeOptions } from "../../dagger/src/recipe/image.js";
import { sh } from "./commands.js";

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

/** Images and containers a suite created, removed by `cleanup` (also after a failure). */
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

/**
 * A Go toolchain image FROM scratch made of this machine's Go, standing in for the pinned golang image
 * (which cannot be pulled here) in the cache and build layers.
 */
export async function toolchainImage(res: DockerResources): Promise<string> {
  const goroot = (await sh("go", ["env", "GOROOT"])).trim();
  const version = (await sh("go", ["env", "GOVERSION"])).trim();
  const context = res.dir(tempDir("toolchain"));
  for (const sub of ["bin", "pkg/tool", "pkg/include", "src", "lib", "go.env", "VERSION"]) {
    cpSync(join(goroot, sub), join(context, "go", sub), { recursive: true });
  }
  mkdirSync(join(context, "certs"));
  copyFileSync(HOST_CA_BUNDLE, join(context, "certs", "ca-certificates.crt"));
  mkdirSync(join(context, "tmp"));
  chmodSync(join(context, "tmp"), 0o1777);
  writeFileSync(
    join(context, "Dockerfile"),
    [
      "FROM scratch",
      "COPY go /usr/local/go",
      "COPY certs /etc/ssl/certs",
      "COPY tmp /tmp",
      "ENV PATH=/usr/local/go/bin HOME=/root GOPATH=/go",
      "",
    ].join("\n"),
  );
  const tag = `go-scratch-test/toolchain:${version}`;
  await docker(["build", "-q", "-t", res.image(tag), context]);
  return tag;
}

/**
 * The module's cache layer and build layer as Docker stages: go.mod/go.sum alone, `go mod download`,
 * then the full source and the recipe's `go build`. Returns the Dockerfile text.
 */
export function buildStagesDockerfile(toolchain: string, opts: GoBuildOptions): string {
  const env = {
    GOMODCACHE: GO_PATHS.modCache,
    GOCACHE: GO_PATHS.buildCache,
    GOFLAGS: "",
    ...goBuildEnv(opts.platform),
  };
  // `go.su[m]` copies go.sum when it exists and nothing when it does not (a module without deps).
  const manifests = MANIFEST_FILES.map((f) => (f === "go.sum" ? "go.su[m]" : f)).join(" ");
  return [
    `FROM ${toolchain} AS deps`,
    ...Object.entries(env).map(([k, v]) => `ENV ${k}=${JSON.stringify(v)}`),
    `WORKDIR ${GO_PATHS.src}`,
    `COPY ${manifests} ./`,
    `RUN ${JSON.stringify(MOD_DOWNLOAD_ARGS)}`,
    "FROM deps AS build",
    "COPY . .",
    `RUN ${JSON.stringify(goBuildArgs(opts))}`,
    "",
  ].join("\n");
}

/**
 * Runs the cache stage (`target: "deps"`) or both stages for the source in `srcDir`; returns the
 * docker build log, which says which steps came from cache.
 */
export async function dockerBuildStages(
  res: DockerResources,
  toolchain: string,
  srcDir: string,
  opts: GoBuildOptions,
  tag: string,
  target: "deps" | "build" = "build",
): Promise<string> {
  writeFileSync(join(srcDir, "Dockerfile.go-scratch"), buildStagesDockerfile(toolchain, opts));
  return docker(
    ["build", "--network", "host", "--target", target, "-f", "Dockerfile.go-scratch", "-t", res.image(tag), "."],
    { cwd: srcDir },
  );
}

/** Copies the binary the build stage wrote out of the image `tag`. */
export async function copyBinaryOut(res: DockerResources, tag: string, opts: GoBuildOptions, out: string): Promise<string> {
  const id = res.container((await docker(["create", tag, "go"])).trim());
  mkdirSync(dirname(out), { recursive: true });
  await docker(["cp", `${id}:${opts.output ?? GO_PATHS.out}`, out]);
  return out;
}
