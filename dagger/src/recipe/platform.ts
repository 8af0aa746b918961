/**
 * Target platforms: parsing, validation and the Go environment that cross-compiles for them.
 * No Dagger import: the module and the tests share this file.
 */

/** A parsed OCI platform such as `linux/arm64` or `linux/arm/v7`. */
export interface TargetPlatform {
  os: "linux";
  arch: string;
  variant?: string;
}

/**
 * The platforms a scratch image can target, with the Go port that builds for each.
 * Go supports more; these are the ones that have both a Go port and common OCI images.
 */
const SUPPORTED: Record<string, { goarch: string; goarm?: string }> = {
  "linux/amd64": { goarch: "amd64" },
  "linux/arm64": { goarch: "arm64" },
  "linux/arm/v7": { goarch: "arm", goarm: "7" },
  "linux/arm/v6": { goarch: "arm", goarm: "6" },
  "linux/386": { goarch: "386" },
  "linux/ppc64le": { goarch: "ppc64le" },
  "linux/s390x": { goarch: "s390x" },
  "linux/riscv64": { goarch: "riscv64" },
};

/** Aliases the container world writes for the same platform. */
const ALIASES: Record<string, string> = {
  "linux/arm64/v8": "linux/arm64",
  "linux/x86_64": "linux/amd64",
  "linux/aarch64": "linux/arm64",
  "linux/arm": "linux/arm/v7",
};

/** The platforms `publish` builds when none are given, as `--platforms` takes them. */
export const PUBLISH_PLATFORMS = "linux/amd64,linux/arm64";

/** Every platform name `parsePlatform` accepts, for error messages and help text. */
export const SUPPORTED_PLATFORMS: readonly string[] = Object.keys(SUPPORTED);

/** Normalises and validates one platform, e.g. ` Linux/ARM64 ` → `linux/arm64`. Throws a clear error. */
export function normalizePlatform(input: string): string {
  const raw = input.trim().toLowerCase();
  if (raw === "") {
    throw new Error("platform is empty: expected one of " + SUPPORTED_PLATFORMS.join(", "));
  }
  const name = ALIASES[raw] ?? raw;
  if (!(name in SUPPORTED)) {
    const os = name.split("/")[0];
    const why =
      os !== "linux"
        ? `a FROM-scratch image runs Linux binaries only (got OS "${os}")`
        : "no Go port for this architecture is supported";
    throw new Error(
      `unsupported platform "${input}": ${why}; expected one of ${SUPPORTED_PLATFORMS.join(", ")}`,
    );
  }
  return name;
}

/** Parses one platform into its parts. */
export function parsePlatform(input: string): TargetPlatform {
  const [, arch, variant] = normalizePlatform(input).split("/");
  return variant ? { os: "linux", arch, variant } : { os: "linux", arch };
}

/**
 * Parses a comma-separated list (`linux/amd64,linux/arm64`), normalised, in order, without duplicates.
 * Throws if the list is empty or any entry is invalid.
 */
export function parsePlatformList(input: string | readonly string[]): string[] {
  const items = (typeof input === "string" ? input.split(",") : [...input])
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) {
    throw new Error("no platform given: expected e.g. linux/amd64,linux/arm64");
  }
  const out: string[] = [];
  for (const item of items) {
    const name = normalizePlatform(item);
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/** The environment that makes `go build` cross-compile for `platform` (never emulate). */
export function goPlatformEnv(platform: string): Record<string, string> {
  const name = normalizePlatform(platform);
  const port = SUPPORTED[name];
  const env: Record<string, string> = { GOOS: "linux", GOARCH: port.goarch };
  if (port.goarm) env.GOARM = port.goarm;
  return env;
}
