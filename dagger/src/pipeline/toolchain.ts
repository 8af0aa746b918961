/**
 * The user's Go toolchain: the golang image (or the container given), with Go's caches on the
 * module's volumes, and the go command free to fetch the Go that go.mod asks for.
 */
import { dag, type Container, type File } from "@dagger.io/dagger";

import { CACHE_VOLUMES, GOPROXY_ALIAS, GO_PATHS, SOURCE_GOTOOLCHAIN } from "../recipe/goBuild.js";
import { CA_BUNDLE_PATH } from "../recipe/image.js";
import { toolchainFailure, toolchainMessage } from "../recipe/toolchainSwitch.js";
import type { Options, Settings } from "./settings.js";

/** The Go toolchain given as a container, or the golang image. */
export function baseToolchain(s: Settings): Container {
  return s.toolchain ?? dag.container().from(s.golangImage);
}

/** `ctr` with the module-download settings: GOPRIVATE, GONOSUMDB, GOPROXY, and a proxy bound as a service. */
export function withModuleDownloads(ctr: Container, s: Options): Container {
  for (const [name, value] of Object.entries(s.goEnv)) ctr = ctr.withEnvVariable(name, value);
  return s.goproxyService ? ctr.withServiceBinding(GOPROXY_ALIAS, s.goproxyService) : ctr;
}

/** The toolchain with Go's caches placed, mounted on volumes unless this call is fresh. */
export function toolchain(s: Settings): Container {
  let ctr = baseToolchain(s)
    .withEnvVariable("GOMODCACHE", GO_PATHS.modCache)
    .withEnvVariable("GOCACHE", GO_PATHS.buildCache)
    .withEnvVariable("GOTOOLCHAIN", SOURCE_GOTOOLCHAIN)
    .withWorkdir(GO_PATHS.src);
  for (const [name, value] of Object.entries(s.goEnv)) ctr = ctr.withEnvVariable(name, value);
  if (s.freshNonce !== undefined) {
    // Like `docker build --no-cache`: no cache volumes, and a value made by `fresh` for this call
    // alone, so no earlier layer is reused.
    return ctr.withEnvVariable("GO_SCRATCH_FRESH", s.freshNonce);
  }
  return ctr
    .withMountedCache(GO_PATHS.modCache, s.modCache ?? dag.cacheVolume(CACHE_VOLUMES.modCache))
    .withMountedCache(GO_PATHS.buildCache, s.buildCache ?? dag.cacheVolume(CACHE_VOLUMES.buildCache));
}

/** The CA bundle of the toolchain, for TLS from inside the scratch image. */
export function caBundle(s: Settings): File {
  return baseToolchain(s).file(CA_BUNDLE_PATH);
}

/**
 * Runs `fn`; when a go command in it could not fetch the Go that go.mod asks for, throws one line
 * instead: what go.mod asks for, what the toolchain has (asked of it only then), what to pass.
 */
export async function explainToolchain<T>(s: Settings, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    const failure = e instanceof Error ? toolchainFailure(e.message) : undefined;
    if (!failure) throw e;
    const imageGo = await baseToolchain(s)
      .withEnvVariable("GOTOOLCHAIN", "local")
      .withWorkdir("/")
      .withExec(["go", "env", "GOVERSION"])
      .stdout()
      .then((v) => v.trim(), () => undefined);
    throw new Error(toolchainMessage(failure, imageGo), { cause: e });
  }
}
