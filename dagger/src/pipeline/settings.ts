/**
 * The module's settings, resolved once from the constructor's arguments: defaults from the recipe,
 * every value validated before any container is built.
 */
import type { CacheVolume, Container, Directory, Secret, Service } from "@dagger.io/dagger";

import type { ModuleOptions } from "../index.js";
import { BUILD_DEFAULTS, GOLANG_IMAGE, normalizePackage, ldflags } from "../recipe/goBuild.js";
import { RUNTIME_DEFAULTS, binaryPath, parseEnv, validateEpoch, validateServicePort } from "../recipe/image.js";
import { TEST_DEFAULTS, validateHealthPath, validateMaxSize } from "../recipe/policy.js";
import { START_TIMEOUT_SECONDS, validateStartTimeout } from "../recipe/startup.js";

/** Everything the pipeline stages need to know, all validated. */
export interface Settings {
  source: Directory;
  assets?: Directory;
  pkg: string;
  version: string;
  revision: string;
  versionVar: string;
  revisionVar: string;
  /** Further -X definitions, `importpath.name=value`. */
  defines: string[];
  /** Embed Go's time zone database. */
  tzdata: boolean;
  golangImage: string;
  /** A Go toolchain container to use instead of `golangImage`. */
  toolchain?: Container;
  modCache?: CacheVolume;
  buildCache?: CacheVolume;
  /** GOPRIVATE, GONOSUMDB and GOPROXY for the module downloads, when given. */
  goEnv: Record<string, string>;
  /** A .netrc for private module hosts, mounted only while modules are downloaded. */
  netrc?: Secret;
  /** A module proxy reached as a service, bound as GOPROXY_ALIAS while modules download. */
  goproxyService?: Service;
  /** The vulnerability database govulncheck reads: a directory, or a URL. */
  vulnDb?: Directory;
  vulnDbUrl?: string;
  sourceDateEpoch: number;
  port: number;
  healthcheck: boolean;
  /** The image's extra environment, `NAME=value`. */
  env: string[];
  /** The image's default arguments. */
  args: string[];
  binaryName: string;
  title: string;
  sourceUrl?: string;
  /** What `test` (and so `publish`) checks. */
  healthPath: string;
  blackboxPattern: string;
  maxSizeBytes: number;
  /** Seconds to wait for the service to listen. */
  startTimeout: number;
  fresh: boolean;
  /** With `fresh`: the value that keeps this call's layers out of every cache. */
  freshNonce?: string;
}

/**
 * The options as a caller may give them: every option by name, those with a default optional (in
 * the module the constructor's initialisers fill them; the engine registers the same values).
 */
export type SettingsInput = Partial<ModuleOptions> & Pick<ModuleOptions, "source">;

/** Applies the recipe's defaults and validates every value (throws a clear error). */
export function resolveSettings(input: SettingsInput, freshNonce?: string): Settings {
  const goEnv: Record<string, string> = {};
  if (input.goprivate !== undefined) goEnv.GOPRIVATE = input.goprivate;
  if (input.gonosumdb !== undefined) goEnv.GONOSUMDB = input.gonosumdb;
  if (input.goproxy !== undefined) goEnv.GOPROXY = input.goproxy;
  for (const [k, v] of Object.entries(goEnv)) {
    if (/\s/.test(v) || /[^\x21-\x7e]/.test(v)) throw new Error(`invalid ${k} ${JSON.stringify(v)}: a comma-separated list without spaces`);
    if (/\/\/[^/@]+@/.test(v)) {
      throw new Error(`${k} holds credentials in a URL: pass them as a secret with --netrc instead (a .netrc file)`);
    }
  }
  const s: Settings = {
    source: input.source,
    assets: input.assets,
    pkg: normalizePackage(input.pkg ?? BUILD_DEFAULTS.pkg),
    version: input.version ?? BUILD_DEFAULTS.version,
    revision: input.revision ?? BUILD_DEFAULTS.revision,
    versionVar: input.versionVar ?? BUILD_DEFAULTS.versionVar,
    revisionVar: input.revisionVar ?? BUILD_DEFAULTS.revisionVar,
    defines: [...(input.define ?? [])],
    tzdata: input.tzdata ?? false,
    golangImage: input.golangImage ?? GOLANG_IMAGE,
    toolchain: input.toolchain,
    modCache: input.modCache,
    buildCache: input.buildCache,
    goEnv,
    netrc: input.netrc,
    goproxyService: input.goproxyService,
    vulnDb: input.vulnDb,
    vulnDbUrl: input.vulnDbUrl,
    sourceDateEpoch: validateEpoch(input.sourceDateEpoch ?? RUNTIME_DEFAULTS.sourceDateEpoch),
    port: validateServicePort(input.port ?? RUNTIME_DEFAULTS.port),
    healthcheck: input.healthcheck ?? RUNTIME_DEFAULTS.healthcheck,
    env: [...(input.env ?? [])],
    args: [...(input.args ?? [])],
    binaryName: input.binaryName ?? RUNTIME_DEFAULTS.binaryName,
    title: input.title ?? RUNTIME_DEFAULTS.title,
    sourceUrl: input.sourceUrl,
    healthPath: validateHealthPath(input.healthPath ?? TEST_DEFAULTS.healthPath),
    blackboxPattern: input.blackboxPattern ?? TEST_DEFAULTS.blackboxPattern,
    startTimeout: validateStartTimeout(input.startTimeout ?? START_TIMEOUT_SECONDS),
    maxSizeBytes: Math.round(validateMaxSize(input.maxSizeMb ?? TEST_DEFAULTS.maxSizeMb) * 1_000_000),
    fresh: input.fresh ?? false,
    freshNonce,
  };
  if (s.vulnDb && s.vulnDbUrl) throw new Error("give --vuln-db or --vuln-db-url, not both");
  if (s.vulnDbUrl !== undefined && !/^(https?|file):\/\/\S+$/.test(s.vulnDbUrl)) {
    throw new Error(`invalid --vuln-db-url ${JSON.stringify(s.vulnDbUrl)}: expected an https://, http:// or file:// URL`);
  }
  binaryPath(s.binaryName);
  parseEnv(s.env);
  ldflags({ platform: "linux/amd64", ...s });
  if (s.golangImage.trim() === "") throw new Error("golang image is empty");
  return s;
}
