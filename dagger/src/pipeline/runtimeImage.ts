/**
 * The scratch runtime: the recipe's file list and image configuration realised with Dagger.
 * Nothing is added here that the recipe (../recipe/image.ts) does not list.
 */
import { dag, type Container, type Directory, type File, type Platform } from "@dagger.io/dagger";

import { imageConfig, rootfsLayout, type RuntimeOptions } from "../recipe/image.js";
import type { Settings } from "./settings.js";

/** The runtime options the recipe needs, from the settings. */
export function runtimeOptions(s: Settings): RuntimeOptions {
  return {
    binaryName: s.binaryName,
    port: s.port,
    healthcheck: s.healthcheck,
    assets: s.assets !== undefined,
    sourceDateEpoch: s.sourceDateEpoch,
    title: s.title,
    version: s.version,
    revision: s.revision,
    source: s.sourceUrl,
  };
}

/** The image's root file system: exactly the recipe's entries, every timestamp set to the epoch. */
export function rootfs(s: Settings, binary: File, ca: File): Directory {
  let root = dag.directory();
  for (const e of rootfsLayout(runtimeOptions(s))) {
    if (e.kind === "dir") root = root.withNewDirectory(e.path, { permissions: e.mode });
    else if (e.kind === "tree") root = root.withDirectory(e.path, s.assets!, { owner: "0:0" });
    else if (e.from === "inline") root = root.withNewFile(e.path, e.contents, { permissions: e.mode });
    else root = root.withFile(e.path, e.from === "binary" ? binary : ca, { permissions: e.mode, owner: "0:0" });
  }
  return root.withTimestamps(s.sourceDateEpoch);
}

/** A FROM-scratch container for `platform` with the recipe's files and configuration. */
export function runtimeImage(s: Settings, platform: string, binary: File, ca: File): Container {
  const cfg = imageConfig(runtimeOptions(s));
  let ctr = dag
    .container({ platform: platform as Platform })
    .withRootfs(rootfs(s, binary, ca))
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
