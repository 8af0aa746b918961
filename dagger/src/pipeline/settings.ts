/**
 * The module's settings: the module-wide options (the constructor's arguments, carried on the
 * object) validated and reshaped, plus what a function call adds (the source).
 */
import type { Directory } from "@dagger.io/dagger";

import type { ModuleOptions } from "../index.js";
import { normalizePackage, ldflags } from "../recipe/goBuild.js";
import { binaryPath, parseEnv, validateEpoch, validateServicePort } from "../recipe/image.js";
import { validateHealthPath, validateMaxSize } from "../recipe/policy.js";
import { parseTestFlags, validateCheckPackages } from "../recipe/sourceChecks.js";
import { validateStartTimeout } from "../recipe/startup.js";

/**
 * The options the pipeline reads in another form than they are given: the -X definitions as a list,
 * the GO* download variables as one environment, the size budget in bytes, the image's env and args
 * and the packages to check as lists (empty unless given), the go test flags as arguments.
 */
type Reshaped = "define" | "goprivate" | "gonosumdb" | "goproxy" | "maxSizeMb" | "env" | "args" | "testFlags" | "checkPackages";

/** The module-wide options, all validated, the reshaped ones in their pipeline form. */
export type Options = Omit<ModuleOptions, Reshaped> & {
  /** Further -X definitions, `importpath.name=value`. */
  readonly defines: string[];
  /** GOPRIVATE, GONOSUMDB and GOPROXY for the module downloads, when given. */
  readonly goEnv: Record<string, string>;
  /** What `test` (and so `publish`) accepts as the image's size. */
  readonly maxSizeBytes: number;
  /** The image's extra environment, `NAME=value`. */
  readonly env: string[];
  /** The image's default arguments. */
  readonly args: string[];
  /** The go test flags, as arguments. */
  readonly testFlags: string[];
  /** The packages go vet and go test check; empty: every package. */
  readonly checkPackages: string[];
};

/** Everything the pipeline stages need to know: the options and the source a function was given. */
export type Settings = Options & {
  /** The Go module (or workspace) to build. */
  readonly source: Directory;
};

/**
 * Validates every option (throws a clear error naming it) and reshapes the few the pipeline reads in
 * another form. `options` holds every option by name with its default applied: the constructor's
 * parameter initialisers, the one place defaults are declared, have filled them.
 */
export function validateOptions(options: ModuleOptions): Options {
  const { define, goprivate, gonosumdb, goproxy, maxSizeMb, env, args, testFlags, checkPackages, ...given } = options;
  const goEnv: Record<string, string> = {};
  if (goprivate !== undefined) goEnv.GOPRIVATE = goprivate;
  if (gonosumdb !== undefined) goEnv.GONOSUMDB = gonosumdb;
  if (goproxy !== undefined) goEnv.GOPROXY = goproxy;
  for (const [k, v] of Object.entries(goEnv)) {
    if (/\s/.test(v) || /[^\x21-\x7e]/.test(v)) throw new Error(`invalid ${k} ${JSON.stringify(v)}: a comma-separated list without spaces`);
    if (/\/\/[^/@]+@/.test(v)) {
      throw new Error(`${k} holds credentials in a URL: pass them as a secret with --netrc instead (a .netrc file)`);
    }
  }
  const o: Options = {
    ...given,
    pkg: normalizePackage(given.pkg),
    sourceDateEpoch: validateEpoch(given.sourceDateEpoch),
    port: validateServicePort(given.port),
    healthPath: validateHealthPath(given.healthPath),
    startTimeout: validateStartTimeout(given.startTimeout),
    defines: [...(define ?? [])],
    env: [...(env ?? [])],
    args: [...(args ?? [])],
    goEnv,
    maxSizeBytes: Math.round(validateMaxSize(maxSizeMb) * 1_000_000),
    testFlags: parseTestFlags(testFlags),
    checkPackages: validateCheckPackages(checkPackages ?? []),
  };
  if (o.vulnDb && o.vulnDbUrl) throw new Error("give --vuln-db or --vuln-db-url, not both");
  if (o.vulnDbUrl !== undefined && !/^(https?|file):\/\/\S+$/.test(o.vulnDbUrl)) {
    throw new Error(`invalid --vuln-db-url ${JSON.stringify(o.vulnDbUrl)}: expected an https://, http:// or file:// URL`);
  }
  binaryPath(o.binaryName);
  parseEnv(o.env);
  ldflags({ platform: "linux/amd64", ...o });
  if (o.golangImage.trim() === "") throw new Error("golang image is empty: pass a golang image with --golang-image, or --toolchain");
  if (o.helperImage.trim() === "") throw new Error("helper image is empty: pass a golang image for the module's helpers with --helper-image");
  return o;
}
