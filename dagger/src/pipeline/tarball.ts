/**
 * The image as a reproducible OCI layout tarball: the engine's own export of the platform
 * containers, with the creation times the 0.21 engine takes from its clock (config `created`, every
 * history entry) set to the source date epoch by the `reproducible` helper. Same inputs, same bytes,
 * on any engine; `publish` pushes exactly this.
 */
import { dag, ImageLayerCompression, type Container, type File } from "@dagger.io/dagger";

import type { Compression } from "../recipe/compression.js";
import { TARBALL_PATHS, reproducibleArgs } from "../recipe/helpers.js";
import { execStep, type StepRunner } from "./exec.js";
import { helperTools } from "./helpers.js";
import type { Settings } from "./settings.js";

/** One platform's image (a manifest) or several (an index), as a reproducible tarball. */
export async function imageTarball(
  s: Settings,
  variants: readonly Container[],
  compression: Compression = "gzip",
  run: StepRunner = execStep,
): Promise<File> {
  const forcedCompression = compression === "zstd" ? ImageLayerCompression.Zstd : ImageLayerCompression.Gzip;
  const engineLayout = dag.container().asTarball({ platformVariants: [...variants], forcedCompression });
  const ctr = (await helperTools(s, ["reproducible"], run)).withMountedFile(TARBALL_PATHS.engine, engineLayout);
  const done = await run(ctr, "making the image tarball reproducible", reproducibleArgs(s.sourceDateEpoch));
  return done.file(TARBALL_PATHS.out);
}
