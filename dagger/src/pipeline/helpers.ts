/**
 * The module's Go helpers (dagger/helpers): `rootfs` writes the image's file system in one step,
 * `httpprobe` asks the running service for its health path, `startcheck` watches it start,
 * `reproducible` takes the engine's clock out of the image, `push` publishes it. They are the
 * module's own tools, so they build in a toolchain the module controls (--helper-image, the pinned
 * golang image), never in the Go the user brought with --golang-image or --toolchain: a user's
 * older Go still builds, tests and publishes.
 */
import { dag, type Container, type Directory, type File } from "@dagger.io/dagger";

import { CACHE_VOLUMES, GO_PATHS } from "../recipe/goBuild.js";
import { HELPERS, helperBuildArgs, type HelperName } from "../recipe/helpers.js";
import { execStep, type StepRunner } from "./exec.js";
import type { Options } from "./settings.js";
import { withModuleDownloads } from "./toolchain.js";

/**
 * Where the helpers' source comes from. In the module runtime: the module's own files as the engine
 * loaded the module (dagger/helpers, beside src/), a directory the engine already holds, so nothing
 * is sent again and its content digest keys the helpers' build. Library mode (the tests and the
 * bench run the class in a plain session) has no current module: it gives the same directory from
 * the host with useHelpersFrom.
 */
let helpersSource = (): Directory => dag.currentModule().source().directory("helpers");

/** Library mode only: take the helpers' source from `dir` (dagger/helpers on the host). */
export function useHelpersFrom(dir: () => Directory): void {
  helpersSource = dir;
}

/** The helpers' sources, without their tests. */
function helperFiles(): Directory {
  return dag.directory().withDirectory(".", helpersSource(), { exclude: ["**/*_test.go", "**/testdata"] });
}

/**
 * The module's own Go toolchain: --helper-image on the module's cache volumes, with the local Go
 * (each helper's go.mod asks for no newer Go than the pinned image has). Module downloads (the
 * pusher's dependencies) go through --goproxy when one is given.
 */
export function helperToolchain(s: Options): Container {
  const ctr = dag
    .container()
    .from(s.helperImage)
    .withEnvVariable("GOMODCACHE", GO_PATHS.modCache)
    .withEnvVariable("GOCACHE", GO_PATHS.buildCache)
    .withEnvVariable("GOTOOLCHAIN", "local")
    .withEnvVariable("GOFLAGS", "")
    .withEnvVariable("GOWORK", "off")
    // The helpers build for the engine's own platform, whatever the user's build targets.
    .withEnvVariable("CGO_ENABLED", "0")
    .withMountedCache(GO_PATHS.modCache, dag.cacheVolume(CACHE_VOLUMES.modCache))
    .withMountedCache(GO_PATHS.buildCache, dag.cacheVolume(CACHE_VOLUMES.buildCache));
  return withModuleDownloads(ctr, s);
}

/**
 * The helper toolchain with the named helpers built into HELPERS.bin; built once, then cached by
 * the engine. Only what a function needs is compiled (a cold `build` compiles the rootfs helper
 * alone). The helpers run in this container too (rootfs, reproducible, push), or are copied out of
 * it as static binaries (httpprobe, startcheck).
 */
export async function helperTools(s: Options, names: readonly HelperName[], run: StepRunner = execStep): Promise<Container> {
  const ctr = helperToolchain(s).withDirectory(HELPERS.src, helperFiles()).withWorkdir(HELPERS.src);
  return run(ctr, `building the module's Go helpers (${names.join(", ")})`, helperBuildArgs(names));
}

/** The health probe binary, to copy into a client container. */
export async function httpProbe(s: Options): Promise<File> {
  return (await helperTools(s, ["httpprobe"])).file(HELPERS.httpprobe);
}
