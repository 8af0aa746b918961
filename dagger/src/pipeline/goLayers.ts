/**
 * The cache layer (modules downloaded from go.mod/go.sum alone) and the build layer (the static,
 * stripped, version-stamped binary), both in the pinned golang image on the engine's own platform:
 * the target platform is reached by cross-compiling, never by emulation.
 */
import { dag, type Container, type File } from "@dagger.io/dagger";

import {
  CACHE_VOLUMES,
  GOPROXY_ALIAS,
  GO_PATHS,
  MOD_DOWNLOAD_ARGS,
  goBuildArgs,
  goBuildEnv,
} from "../recipe/goBuild.js";
import { execStep, type StepRunner } from "./exec.js";
import { CA_BUNDLE_PATH } from "../recipe/image.js";
import { manifestFiles, type SourceLayout } from "../recipe/source.js";
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

/**
 * The cache layer: only go.mod and go.sum, then `go mod download`, so editing a .go file keeps
 * this layer. A vendored source downloads nothing.
 */
export async function cacheLayer(s: Settings, layout: SourceLayout, run: StepRunner = execStep): Promise<Container> {
  let ctr = toolchain(s).withDirectory(GO_PATHS.src, s.source, { include: manifestFiles(layout) });
  if (layout.vendor) return ctr;
  if (s.goproxyService) ctr = ctr.withServiceBinding(GOPROXY_ALIAS, s.goproxyService);
  if (!s.netrc) return run(ctr, "go mod download", MOD_DOWNLOAD_ARGS);
  // The credentials for private module hosts exist only for the download: mounted as a secret
  // (never in a layer), and unmounted before anything else runs.
  const withNetrc = ctr.withMountedSecret(GO_PATHS.netrc, s.netrc).withEnvVariable("NETRC", GO_PATHS.netrc);
  const downloaded = await run(withNetrc, "go mod download", MOD_DOWNLOAD_ARGS);
  return downloaded.withoutMount(GO_PATHS.netrc).withoutEnvVariable("NETRC");
}

/** The full source on top of the cache layer, ready for go vet, go test and go build. */
export async function sourceLayer(s: Settings, layout: SourceLayout, run: StepRunner = execStep): Promise<Container> {
  return (await cacheLayer(s, layout, run)).withDirectory(GO_PATHS.src, s.source);
}

/** The build layer's output: the service binary for `platform`. A compile error is shown whole. */
export async function buildBinary(s: Settings, platform: string, layout: SourceLayout, run: StepRunner = execStep): Promise<File> {
  let ctr = await sourceLayer(s, layout, run);
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
    defines: s.defines,
    tzdata: s.tzdata,
    vendor: layout.vendor,
  });
  return (await run(ctr, `go build ${s.pkg} for ${platform}`, args)).file(GO_PATHS.out);
}

/** The CA bundle of the toolchain, for TLS from inside the scratch image. */
export function caBundle(s: Settings): File {
  return baseToolchain(s).file(CA_BUNDLE_PATH);
}
