/**
 * The module's Go helpers (dagger/helpers, standard library only), compiled in the toolchain:
 * `rootfs` writes the image's file system in one step, `httpprobe` asks the running service for its
 * health path. Go is in every golang image, so neither depends on what else the image holds.
 */
import { readFileSync } from "node:fs";

import { dag, type Container, type Directory, type File } from "@dagger.io/dagger";

import { HELPERS, helperBuildArgs, type HelperName } from "../recipe/helpers.js";
import { execStep, type StepRunner } from "./exec.js";
import { toolchain } from "./toolchain.js";
import type { Settings } from "./settings.js";

/** The helpers' source, read from the module's own files (beside src/, in the module runtime too). */
function helpersSource(): Directory {
  let dir = dag.directory();
  for (const f of HELPERS.files) {
    dir = dir.withNewFile(f, readFileSync(new URL(`../../helpers/${f}`, import.meta.url), "utf8"));
  }
  return dir;
}

/**
 * The toolchain with the named helpers built into HELPERS.bin; built once, then cached by the
 * engine. Only what a function needs is compiled (a cold `build` compiles the rootfs helper alone),
 * on the module's build cache, which the service's build then shares.
 */
export async function helperTools(s: Settings, names: readonly HelperName[], run: StepRunner = execStep): Promise<Container> {
  const ctr = toolchain(s)
    .withDirectory(HELPERS.src, helpersSource())
    .withWorkdir(HELPERS.src)
    // The helpers build for the engine's own platform, whatever the user's build targets.
    .withEnvVariable("CGO_ENABLED", "0")
    .withEnvVariable("GOFLAGS", "")
    .withEnvVariable("GOWORK", "off");
  return run(ctr, `building the module's Go helpers (${names.join(", ")})`, helperBuildArgs(names));
}

/** The health probe binary, to copy into a client container. */
export async function httpProbe(s: Settings): Promise<File> {
  return (await helperTools(s, ["httpprobe"])).file(HELPERS.httpprobe);
}
