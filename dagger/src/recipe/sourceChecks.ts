/**
 * The source's own checks that `test` (and so `publish`) runs: go vet and go test, each on by
 * default, each turned off or tuned by a module-wide option, and the option a failure names. No
 * Dagger import: the module and the tests share this file.
 */

/** What `test` runs on the source unless told otherwise. */
export const SOURCE_CHECK_DEFAULTS = { vet: true, goTest: true, testFlags: "" } as const;

/** The option that turns each check off, as a failure message names it. */
export const CHECK_OFF = { vet: "--vet=false", goTest: "--go-test=false" } as const;

/**
 * go test flags the module sets or reads itself, so a user's flag cannot replace them: -v and -json
 * change the output the module counts results in; -c, -o, -exec, -list and -fuzz make go test do
 * something other than run the tests once.
 */
const RESERVED_TEST_FLAGS = ["v", "json", "c", "o", "exec", "list", "fuzz"];

/**
 * The --test-flags value as go test arguments: space-separated, each `-flag` or `-flag=value`
 * (a value with a space cannot be given). Throws, naming the flag, for anything else.
 */
export function parseTestFlags(flags: string): string[] {
  const words = flags.split(/\s+/).filter((w) => w !== "");
  for (const w of words) {
    const m = /^--?([A-Za-z][\w.]*)(=.*)?$/.exec(w);
    if (!m) {
      throw new Error(`invalid --test-flags word ${JSON.stringify(w)}: give go test flags as -flag or -flag=value, space-separated (e.g. "-race -tags=integration -timeout=5m")`);
    }
    const name = m[1].replace(/^test\./, "");
    if (RESERVED_TEST_FLAGS.includes(name)) {
      throw new Error(`--test-flags cannot set -${name}: the module runs go test itself (with -v, once, to count the results)`);
    }
  }
  return words;
}

/**
 * The --check-packages patterns, validated: package patterns inside the source (`./...`,
 * `./internal/...`, `.`), never outside it or a flag. An empty list means every package.
 */
export function validateCheckPackages(patterns: readonly string[]): string[] {
  for (const p of patterns) {
    const ok = /^\.(\/[A-Za-z0-9_.~-]+)*(\/\.\.\.)?$/.test(p) && !p.split("/").slice(1).includes("..");
    if (!ok) throw new Error(`invalid --check-packages ${JSON.stringify(p)}: expected a package pattern inside the source, e.g. ./... or ./internal/...`);
  }
  return [...patterns];
}

/** `test`'s vet step over the package patterns. */
export function goVetArgs(patterns: readonly string[]): string[] {
  return ["go", "vet", ...patterns];
}

/**
 * `test`'s `go test`: uncached (-count=1) and verbose (for the pass/fail count), then the user's
 * flags, then, for the black-box tests, `-run` (last, so it wins over a -run among the flags).
 */
export function goTestArgs(patterns: readonly string[], opts: { flags?: readonly string[]; run?: string } = {}): string[] {
  return ["go", "test", "-count=1", "-v", ...(opts.flags ?? []), ...(opts.run === undefined ? [] : ["-run", opts.run]), ...patterns];
}
