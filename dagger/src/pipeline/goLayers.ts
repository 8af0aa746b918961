/**
 * The cache layer (modules downloaded from go.mod/go.sum alone) and the build layer (the static,
 * stripped, version-stamped binary), both in the pinned golang image on the engine's own platform:
 * the target platform is reached by cross-compiling, never by emulation.
 */
import { dag, type Container, type File } from "@dagger.io/dagger";

import {
  CACHE_VOLUMES,
  GO_PATHS,
  MANIFEST_FILES,
  MOD_DOWNLOAD_ARGS,
  goBuildArgs,
  goBuildEnv,
} from "../recipe/goBuild.js";
import { execStep } from "./exec.js";
import type { Settings } from "./settings.js";

/** The golang image with Go's caches placed, mounted on volumes unless `fresh`. */
export function toolchain(s: Settings): Container {
  const ctr = dag
    .container()
    .from(s.golangImage)
    .withEnvVariable("GOMODCACHE", GO_PATHS.modCache)
    .withEnvVariable("GOCACHE", GO_PATHS.buildCache)
    .withEnvVariable("GOTOOLCHAIN", "local")
    .withWorkdir(GO_PATHS.src);
  if (s.fresh) {
    // Like `docker build --no-cache`: no cache volumes, and a value that changes with every
    // `dagger call` (set once in the constructor), so no earlier layer is reused.
    return ctr.withEnvVariable("GO_SCRATCH_FRESH", s.freshNonce ?? String(Date.now()));
  }
  return ctr
    .withMountedCache(GO_PATHS.modCache, dag.cacheVolume(CACHE_VOLUMES.modCache))
    .withMountedCache(GO_PATHS.buildCache, dag.cacheVolume(CACHE_VOLUMES.buildCache));
}

/**
 * The cache layer: only go.mod and go.sum, then `go mod download`, so editing a .go file keeps
 * this layer. A vendored source downloads nothing.
 */
export async function cacheLayer(s: Settings, vendor: boolean): Promise<Container> {
  const ctr = toolchain(s).withDirectory(GO_PATHS.src, s.source, { include: [...MANIFEST_FILES] });
  return vendor ? ctr : execStep(ctr, "go mod download", MOD_DOWNLOAD_ARGS);
}

/** The full source on top of the cache layer, ready for go vet, go test and go build. */
export async function sourceLayer(s: Settings, vendor: boolean): Promise<Container> {
  return (await cacheLayer(s, vendor)).withDirectory(GO_PATHS.src, s.source);
}

/** The build layer's output: the service binary for `platform`. A compile error is shown whole. */
export async function buildBinary(s: Settings, platform: string, vendor: boolean): Promise<File> {
  let ctr = await sourceLayer(s, vendor);
  for (const [name, value] of Object.entries(goBuildEnv(platform))) {
    ctr = ctr.withEnvVariable(name, value);
  }
  const args = goBuildArgs({
    platform,
    pkg: s.pkg,
    version: s.version,
    revision: s.revision,
    versionVar: s.versionVar,
    revisionVar: s.revisionVar,
    vendor,
  });
  return (await execStep(ctr, `go build ${s.pkg} for ${platform}`, args)).file(GO_PATHS.out);
}

/** The CA bundle of the golang image, for TLS from inside the scratch image. */
export function caBundle(s: Settings): File {
  return dag.container().from(s.golangImage).file("/etc/ssl/certs/ca-certificates.crt");
}
