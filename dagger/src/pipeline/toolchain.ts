/** The Go toolchain: the golang image (or the container given), with Go's caches on the module's volumes. */
import { dag, type Container, type File } from "@dagger.io/dagger";

import { CACHE_VOLUMES, GO_PATHS } from "../recipe/goBuild.js";
import { CA_BUNDLE_PATH } from "../recipe/image.js";
import type { Settings } from "./settings.js";

/** The Go toolchain given as a container, or the golang image. */
export function baseToolchain(s: Settings): Container {
  return s.toolchain ?? dag.container().from(s.golangImage);
}

/** The toolchain with Go's caches placed, mounted on volumes unless `fresh`. */
export function toolchain(s: Settings): Container {
  let ctr = baseToolchain(s)
    .withEnvVariable("GOMODCACHE", GO_PATHS.modCache)
    .withEnvVariable("GOCACHE", GO_PATHS.buildCache)
    .withEnvVariable("GOTOOLCHAIN", "local")
    .withWorkdir(GO_PATHS.src);
  for (const [name, value] of Object.entries(s.goEnv)) ctr = ctr.withEnvVariable(name, value);
  if (s.fresh) {
    // Like `docker build --no-cache`: no cache volumes, and a value that changes with every
    // `dagger call` (set once in the constructor), so no earlier layer is reused.
    return ctr.withEnvVariable("GO_SCRATCH_FRESH", s.freshNonce ?? String(Date.now()));
  }
  return ctr
    .withMountedCache(GO_PATHS.modCache, s.modCache ?? dag.cacheVolume(CACHE_VOLUMES.modCache))
    .withMountedCache(GO_PATHS.buildCache, s.buildCache ?? dag.cacheVolume(CACHE_VOLUMES.buildCache));
}

/** The CA bundle of the toolchain, for TLS from inside the scratch image. */
export function caBundle(s: Settings): File {
  return baseToolchain(s).file(CA_BUNDLE_PATH);
}
