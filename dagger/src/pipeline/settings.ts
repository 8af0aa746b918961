/**
 * The module's settings, resolved once from the constructor's arguments: every value validated
 * before any container is built.
 */
import type { ModuleOptions } from "../index.js";
import { normalizePackage, ldflags } from "../recipe/goBuild.js";
import { binaryPath, parseEnv, validateEpoch, validateServicePort } from "../recipe/image.js";
import { validateHealthPath, validateMaxSize } from "../recipe/policy.js";
import { validateStartTimeout } from "../recipe/startup.js";

/**
 * The options the pipeline reads in another form than they are given: the -X definitions as a list,
 * the GO* download variables as one environment, the size budget in bytes, the image's env and args
 * as lists (empty unless given).
 */
type Reshaped = "define" | "goprivate" | "gonosumdb" | "goproxy" | "maxSizeMb" | "env" | "args";

/**
 * Everything the pipeline stages need to know, all validated: the module-wide options as the
 * constructor declares them (ModuleOptions, its defaults applied), the reshaped ones in their
 * pipeline form, and this call's fresh nonce.
 */
export type Settings = Omit<ModuleOptions, Reshaped> & {
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
  /** With `fresh`: the value that keeps this call's layers out of every cache. */
  readonly freshNonce?: string;
};

/**
 * Validates every option (throws a clear error naming it) and reshapes the few the pipeline reads in
 * another form. `options` holds every option by name with its default applied: the constructor's
 * parameter initialisers, the one place defaults are declared, have filled them.
 */
export function resolveSettings(options: ModuleOptions, freshNonce?: string): Settings {
  const { define, goprivate, gonosumdb, goproxy, maxSizeMb, env, args, ...given } = options;
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
  const s: Settings = {
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
