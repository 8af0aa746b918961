/**
 * The cache layer (modules downloaded from go.mod/go.sum alone) and the build layer (the static,
 * stripped, version-stamped binary), both in the pinned golang image on the engine's own platform:
 * the target platform is reached by cross-compiling, never by emulation.
 */
import type { Container, File } from "@dagger.io/dagger";

import { GOPROXY_ALIAS, GO_PATHS, MOD_DOWNLOAD_ARGS, goBuildArgs, goBuildEnv, modDownloadArgs } from "../recipe/goBuild.js";
import { HELPERS } from "../recipe/helpers.js";
import { manifestFiles, type SourceLayout } from "../recipe/source.js";
import { execStep, type StepRunner } from "./exec.js";
import { helperTools } from "./helpers.js";
import type { Settings } from "./settings.js";
import { toolchain } from "./toolchain.js";

/**
 * The cache layer: only go.mod and go.sum, then `go mod download`, so editing a .go file keeps
 * this layer. A vendored source downloads nothing.
 */
export async function cacheLayer(s: Settings, layout: SourceLayout, run: StepRunner = execStep): Promise<Container> {
  let ctr = toolchain(s).withDirectory(GO_PATHS.src, s.source, { include: manifestFiles(layout) });
  if (layout.vendor || layout.downloads?.length === 0) return ctr;
  if (s.goproxyService) ctr = ctr.withServiceBinding(GOPROXY_ALIAS, s.goproxyService);
  // A workspace whose modules require each other at versions only it has: the module versions
  // it needs from elsewhere, fetched by name outside the workspace (no module graph to load).
  const download = (c: Container) =>
    layout.downloads
      ? run(c.withWorkdir("/").withEnvVariable("GOWORK", "off"), "go mod download", modDownloadArgs(layout.downloads)).then((d) =>
          d.withoutEnvVariable("GOWORK").withWorkdir(GO_PATHS.src),
        )
      : run(c, "go mod download", MOD_DOWNLOAD_ARGS);
  if (!s.netrc) return download(ctr);
  // The credentials for private module hosts exist only for the download: mounted as a secret
  // (never in a layer), and unmounted before anything else runs.
  const withNetrc = ctr.withMountedSecret(GO_PATHS.netrc, s.netrc).withEnvVariable("NETRC", GO_PATHS.netrc);
  const downloaded = await download(withNetrc);
  return downloaded.withoutMount(GO_PATHS.netrc).withoutEnvVariable("NETRC");
}

/** The full source on top of the cache layer, ready for go vet, go test and go build. */
export async function sourceLayer(s: Settings, layout: SourceLayout, run: StepRunner = execStep): Promise<Container> {
  return (await cacheLayer(s, layout, run)).withDirectory(GO_PATHS.src, s.source);
}

/** The build layer's output: the service binary for `platform`. A compile error is shown whole. */
export async function buildBinary(s: Settings, platform: string, layout: SourceLayout, run: StepRunner = execStep): Promise<File> {
  // The rootfs helper is compiled first, into the same build cache: its standard-library packages
  // are nearly all the service's too, so a cold build compiles them once. Deferred, the two compiles
  // would run side by side and compile them twice (a cold build took 67-71 s instead of 56-60 s).
  const helpers = (await helperTools(s, ["rootfs"], run)).directory(HELPERS.bin);
  let ctr = (await sourceLayer(s, layout, run)).withMountedDirectory(HELPERS.bin, helpers);
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
