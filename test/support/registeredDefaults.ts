/**
 * The default every optional argument of the module must register, built from the recipe (the one
 * source of truth): the value the engine's schema carries, JSON as the engine stores it, or null for
 * an argument whose default is not a value (the engine's platform, the toolchain's GOPROXY, a cache
 * volume, nothing). The introspection test compares it with the SDK's introspector, the CLI suite
 * with the engine's own registration.
 */
import { DEFAULT_COMPRESSION } from "../../dagger/src/recipe/compression.js";
import { BUILD_DEFAULTS, GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";
import { RUNTIME_DEFAULTS } from "../../dagger/src/recipe/image.js";
import { PUBLISH_PLATFORMS } from "../../dagger/src/recipe/platform.js";
import { TEST_DEFAULTS } from "../../dagger/src/recipe/policy.js";
import { SOURCE_CHECK_DEFAULTS } from "../../dagger/src/recipe/sourceChecks.js";
import { DEFAULT_REPOSITORY } from "../../dagger/src/recipe/reference.js";
import { START_TIMEOUT_SECONDS } from "../../dagger/src/recipe/startup.js";
import { RELEASE_DEFAULTS } from "../../dagger/src/recipe/tags.js";

const none = null;

/** By function ("" for the constructor), then argument: the default's JSON, or null for none. */
export const REGISTERED_DEFAULTS: Readonly<Record<string, Readonly<Record<string, string | null>>>> = {
  "": {
    pkg: JSON.stringify(BUILD_DEFAULTS.pkg),
    version: JSON.stringify(BUILD_DEFAULTS.version),
    revision: JSON.stringify(BUILD_DEFAULTS.revision),
    versionVar: JSON.stringify(BUILD_DEFAULTS.versionVar),
    revisionVar: JSON.stringify(BUILD_DEFAULTS.revisionVar),
    golangImage: JSON.stringify(GOLANG_IMAGE),
    sourceDateEpoch: JSON.stringify(RUNTIME_DEFAULTS.sourceDateEpoch),
    port: JSON.stringify(RUNTIME_DEFAULTS.port),
    healthcheck: JSON.stringify(RUNTIME_DEFAULTS.healthcheck),
    assets: none,
    binaryName: JSON.stringify(RUNTIME_DEFAULTS.binaryName),
    title: JSON.stringify(RUNTIME_DEFAULTS.title),
    sourceUrl: none,
    toolchain: none,
    modCache: none,
    buildCache: none,
    helperImage: JSON.stringify(GOLANG_IMAGE),
    define: none,
    tzdata: "false",
    env: none,
    args: none,
    vet: JSON.stringify(SOURCE_CHECK_DEFAULTS.vet),
    goTest: JSON.stringify(SOURCE_CHECK_DEFAULTS.goTest),
    testFlags: JSON.stringify(SOURCE_CHECK_DEFAULTS.testFlags),
    checkPackages: none,
    healthPath: JSON.stringify(TEST_DEFAULTS.healthPath),
    blackboxPattern: JSON.stringify(TEST_DEFAULTS.blackboxPattern),
    maxSizeMb: JSON.stringify(TEST_DEFAULTS.maxSizeMb),
    startTimeout: JSON.stringify(START_TIMEOUT_SECONDS),
    goprivate: none,
    gonosumdb: none,
    goproxy: none,
    netrc: none,
    goproxyService: none,
    vulnDb: none,
    vulnDbUrl: none,
  },
  // `source` of every function: a contextual directory (defaultPath /service), no value.
  fresh: {},
  deps: { source: none },
  binary: { source: none, platform: none },
  build: { source: none, platform: none },
  tarball: { source: none, platforms: none, compression: JSON.stringify(DEFAULT_COMPRESSION) },
  sbom: { source: none, platform: none },
  scan: { source: none },
  serve: { source: none },
  test: { source: none },
  publish: {
    source: none,
    tag: none, // required
    repository: JSON.stringify(DEFAULT_REPOSITORY),
    username: none,
    password: none,
    platforms: JSON.stringify(PUBLISH_PLATFORMS),
    latest: JSON.stringify(RELEASE_DEFAULTS.latest),
    aliases: JSON.stringify(RELEASE_DEFAULTS.aliases),
    skipTests: "false",
    registryService: none,
    compression: JSON.stringify(DEFAULT_COMPRESSION),
    skipScan: "false",
    registryConfig: none,
    signingKey: none,
    signingPassword: none,
  },
  verify: { reference: none, publicKey: none, username: none, password: none, registryConfig: none, registryService: none },
};

/**
 * Arguments registered without a value whose --help must say what happens when they are not given,
 * and the words that say it.
 */
export const STATED_DEFAULTS: Readonly<Record<string, RegExp>> = {
  "modCache": /go-scratch-go-mod volume/,
  "buildCache": /go-scratch-go-build volume/,
  "checkPackages": /every package/,
  "goprivate": /the toolchain's/,
  "gonosumdb": /the toolchain's/,
  "goproxy": /the toolchain's/,
  "vulnDb": /vuln\.go\.dev/,
  "vulnDbUrl": /vuln\.go\.dev/,
  "binary platform": /engine's platform/,
  "build platform": /engine's platform/,
  "sbom platform": /engine's platform/,
  "tarball platforms": /engine's platform/,
  "publish repository": /anonymous registry whose images expire/,
};

/**
 * The constructor's registered defaults as values by option name (options without a value default
 * left out): what the module's options hold when a caller gives nothing but the source.
 */
export function constructorDefaults(): Record<string, unknown> {
  const entries = Object.entries(REGISTERED_DEFAULTS[""]).filter((e): e is [string, string] => e[1] !== null);
  return Object.fromEntries(entries.map(([name, json]) => [name, JSON.parse(json) as unknown]));
}
