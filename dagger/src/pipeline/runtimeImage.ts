/**
 * The scratch runtime: the recipe's file list and image configuration realised with Dagger.
 * Nothing is added here that the recipe (../recipe/image.ts) does not list.
 */
import { dag, type Container, type Directory, type File, type Platform } from "@dagger.io/dagger";

import { ROOTFS_PATHS, rootfsArgs, rootfsSpec } from "../recipe/helpers.js";
import { imageConfig, rootfsLayout, type RuntimeOptions } from "../recipe/image.js";
import { execStep, type StepRunner } from "./exec.js";
import { helperTools } from "./helpers.js";
import type { Settings } from "./settings.js";

/** The runtime options the recipe needs, from the settings. */
export function runtimeOptions(s: Settings): RuntimeOptions {
  return {
    binaryName: s.binaryName,
    port: s.port,
    healthcheck: s.healthcheck,
    assets: s.assets !== undefined,
    env: s.env,
    args: s.args,
    sourceDateEpoch: s.sourceDateEpoch,
    title: s.title,
    version: s.version,
    revision: s.revision,
    source: s.sourceUrl,
  };
}

/**
 * The image's root file system: exactly the recipe's entries with their modes (the sticky bit of
 * /tmp included), root-owned, every timestamp at the epoch, written by the rootfs helper onto an
 * empty mounted directory. One step on an empty directory is one snapshot, so the image has one
 * layer (built op by op with Directory calls, each op would be a layer of its own, and
 * withNewDirectory drops the sticky bit).
 */
export async function rootfs(s: Settings, binary: File, ca: File, run: StepRunner = execStep): Promise<Directory> {
  const spec = rootfsSpec(rootfsLayout(runtimeOptions(s)), s.sourceDateEpoch);
  let ctr = (await helperTools(s, ["rootfs"], run))
    .withNewFile(ROOTFS_PATHS.spec, JSON.stringify(spec))
    .withMountedFile(ROOTFS_PATHS.binary, binary)
    .withMountedFile(ROOTFS_PATHS.caBundle, ca)
    .withMountedDirectory(ROOTFS_PATHS.out, dag.directory());
  if (s.assets) ctr = ctr.withMountedDirectory(ROOTFS_PATHS.assets, s.assets);
  return (await run(ctr, "writing the image's file system", rootfsArgs())).directory(ROOTFS_PATHS.out);
}

/** A FROM-scratch container for `platform` with the recipe's files and configuration. */
export async function runtimeImage(s: Settings, platform: string, binary: File, ca: File, run: StepRunner = execStep): Promise<Container> {
  const cfg = imageConfig(runtimeOptions(s));
  let ctr = dag
    .container({ platform: platform as Platform })
    .withRootfs(await rootfs(s, binary, ca, run))
    .withUser(cfg.user)
    .withWorkdir(cfg.workdir)
    .withEntrypoint(cfg.entrypoint)
    .withDefaultArgs(cfg.cmd);
  for (const [name, value] of Object.entries(cfg.env)) ctr = ctr.withEnvVariable(name, value);
  for (const port of cfg.exposedPorts) ctr = ctr.withExposedPort(port);
  if (cfg.healthcheck) {
    const { args, interval, timeout, startPeriod, startInterval, retries } = cfg.healthcheck;
    ctr = ctr.withDockerHealthcheck(args, { interval, timeout, startPeriod, startInterval, retries });
  }
  for (const [name, value] of Object.entries(cfg.labels)) {
    ctr = ctr.withLabel(name, value).withAnnotation(name, value);
  }
  return ctr;
}
