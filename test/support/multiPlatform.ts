/**
 * A multi-platform image index from the recipe, without a Dagger engine: per platform, the binary
 * cross-compiled with local Go (the recipe's argv and env), the recipe's root file system, and the
 * recipe's image configuration applied with buildah; then one manifest list over all of them.
 * This is what the module's publish does with Dagger's platformVariants.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { imageConfig, type ImageConfig, type RuntimeOptions } from "../../dagger/src/recipe/image.js";
import { parsePlatform } from "../../dagger/src/recipe/platform.js";
import { HOST_CA_BUNDLE, assembleRootfs, localGoBuild } from "./recipeRealisation.js";
import { sh } from "./commands.js";

/** buildah's spelling of the recipe's image configuration. */
export function buildahConfigArgs(cfg: ImageConfig, platform: string): string[] {
  const p = parsePlatform(platform);
  const args = ["--os", p.os, "--arch", p.arch, ...(p.variant ? ["--variant", p.variant] : [])];
  args.push("--user", cfg.user, "--workingdir", cfg.workdir, "--entrypoint", JSON.stringify(cfg.entrypoint), "--cmd", "");
  for (const [k, v] of Object.entries(cfg.env)) args.push("--env", `${k}=${v}`);
  for (const port of cfg.exposedPorts) args.push("--port", `${port}/tcp`);
  if (cfg.healthcheck) {
    const h = cfg.healthcheck;
    // buildah splits this on white space into the exec form (it mangles a JSON array: seen with 1.28).
    if (h.args.some((a) => /\s/.test(a))) throw new Error(`buildah cannot express health check ${JSON.stringify(h.args)}`);
    args.push(
      "--healthcheck", `CMD ${h.args.join(" ")}`,
      "--healthcheck-interval", h.interval,
      "--healthcheck-timeout", h.timeout,
      "--healthcheck-start-period", h.startPeriod,
      "--healthcheck-retries", String(h.retries),
    );
  }
  for (const [k, v] of Object.entries(cfg.labels)) args.push("--label", `${k}=${v}`);
  return args;
}

/** Names buildah created, removed by `cleanup`. */
export class BuildahResources {
  private names: string[] = [];

  add(name: string): string {
    this.names.push(name);
    return name;
  }

  async cleanup(): Promise<void> {
    await sh("buildah", ["rm", "--all"]).catch(() => undefined);
    for (const n of this.names.reverse()) await sh("buildah", ["rmi", "--force", n]).catch(() => undefined);
  }
}

/**
 * Builds the runtime image of `srcDir` for every platform and one manifest list over them.
 * Returns the list's name in buildah's storage.
 */
export async function buildIndex(
  res: BuildahResources,
  work: string,
  srcDir: string,
  name: string,
  platforms: readonly string[],
  opts: RuntimeOptions & { version: string; revision: string },
): Promise<string> {
  const list = res.add(`${name}-index`);
  await sh("buildah", ["manifest", "create", list]);
  for (const platform of platforms) {
    const slug = platform.replace(/\//g, "-");
    const { binary } = await localGoBuild(srcDir, { platform, ...opts, output: join(work, slug, "app") });
    const rootfs = join(work, slug, "rootfs");
    mkdirSync(rootfs, { recursive: true });
    assembleRootfs(rootfs, opts, { binary, caBundle: HOST_CA_BUNDLE });
    const ctr = (await sh("buildah", ["from", "scratch"])).trim();
    await sh("buildah", ["config", ...buildahConfigArgs(imageConfig(opts), platform), ctr]);
    await sh("buildah", ["copy", ctr, `${rootfs}/`, "/"]);
    // Docker format: the OCI image config has no field for a health check.
    const image = res.add(`${name}-${slug}`);
    await sh("buildah", ["commit", "--quiet", "--format", "docker", "--timestamp", String(opts.sourceDateEpoch ?? 0), ctr, image]);
    await sh("buildah", ["manifest", "add", list, `containers-storage:localhost/${image}`]);
  }
  return list;
}
