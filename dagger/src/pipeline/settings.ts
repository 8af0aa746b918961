/**
 * The module's settings, resolved once from the constructor's arguments: defaults from the recipe,
 * every value validated before any container is built.
 */
import type { Directory } from "@dagger.io/dagger";

import { BUILD_DEFAULTS, GOLANG_IMAGE, normalizePackage, ldflags } from "../recipe/goBuild.js";
import { RUNTIME_DEFAULTS, binaryPath, validateEpoch, validatePort } from "../recipe/image.js";

/** Everything the pipeline stages need to know, all validated. */
export interface Settings {
  source: Directory;
  assets?: Directory;
  pkg: string;
  version: string;
  revision: string;
  versionVar: string;
  revisionVar: string;
  golangImage: string;
  sourceDateEpoch: number;
  port: number;
  healthcheck: boolean;
  binaryName: string;
  title: string;
  sourceUrl?: string;
  fresh: boolean;
  /** With `fresh`: the value that keeps this call's layers out of every cache. */
  freshNonce?: string;
}

/** The constructor's raw arguments. */
export type SettingsInput = Partial<Omit<Settings, "source">> & { source: Directory };

/** Applies the recipe's defaults and validates every value (throws a clear error). */
export function resolveSettings(input: SettingsInput): Settings {
  const s: Settings = {
    source: input.source,
    assets: input.assets,
    pkg: normalizePackage(input.pkg ?? BUILD_DEFAULTS.pkg),
    version: input.version ?? BUILD_DEFAULTS.version,
    revision: input.revision ?? BUILD_DEFAULTS.revision,
    versionVar: input.versionVar ?? BUILD_DEFAULTS.versionVar,
    revisionVar: input.revisionVar ?? BUILD_DEFAULTS.revisionVar,
    golangImage: input.golangImage ?? GOLANG_IMAGE,
    sourceDateEpoch: validateEpoch(input.sourceDateEpoch ?? RUNTIME_DEFAULTS.sourceDateEpoch),
    port: validatePort(input.port ?? RUNTIME_DEFAULTS.port),
    healthcheck: input.healthcheck ?? RUNTIME_DEFAULTS.healthcheck,
    binaryName: input.binaryName ?? RUNTIME_DEFAULTS.binaryName,
    title: input.title ?? RUNTIME_DEFAULTS.title,
    sourceUrl: input.sourceUrl,
    fresh: input.fresh ?? false,
    freshNonce: input.freshNonce,
  };
  binaryPath(s.binaryName);
  ldflags({ platform: "linux/amd64", ...s });
  if (s.golangImage.trim() === "") throw new Error("golang image is empty");
  return s;
}
