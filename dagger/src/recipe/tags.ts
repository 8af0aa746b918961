/**
 * Release tag rules: which tags a release publishes, and which strings are valid OCI tags.
 * No Dagger import: the module and the tests share this file.
 */
/** The OCI distribution spec's tag grammar: `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`. */
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Why `tag` is not a valid OCI tag, or undefined if it is. */
export function tagProblem(tag: string): string | undefined {
  if (tag === "") return "a tag cannot be empty";
  if (tag.length > 128) return `a tag is at most 128 characters (this one has ${tag.length})`;
  if (/\s/.test(tag)) return "a tag cannot contain white space";
  if (tag.includes("+")) {
    return "a tag cannot contain '+' (semver build metadata is not allowed in OCI tags)";
  }
  if (/^[.-]/.test(tag)) return "a tag cannot start with '.' or '-'";
  if (!TAG.test(tag)) return "a tag may contain only letters, digits, '_', '.' and '-'";
  return undefined;
}

/** Throws a clear error that quotes the tag if it is not a valid OCI tag. */
export function validateTag(tag: string): string {
  const problem = tagProblem(tag);
  if (problem) throw new Error(`invalid tag ${JSON.stringify(tag)}: ${problem}`);
  return tag;
}

/** Which tags a release gets besides its own when nothing else is said. */
export const RELEASE_DEFAULTS = { latest: true, aliases: false } as const;

export interface ReleaseTagOptions {
  /** Also tag `latest` when `tag` is a stable semver release (never for a pre-release). */
  latest?: boolean;
  /** Also tag the `X.Y` and `X` aliases of a stable semver release (e.g. v1.2 and v1). */
  aliases?: boolean;
  /** Extra tags to publish as they are (each validated). */
  extra?: readonly string[];
}

/**
 * Semantic Versioning 2.0.0's grammar (semver.org), with an optional leading `v`: major, minor,
 * patch without leading zeros, then an optional pre-release and build metadata. Written here
 * rather than taken from a package: the module's runtime then installs no dependency at all.
 */
const SEMVER =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*)(?:\.(?:0|[1-9]\d*|\d*[A-Za-z-][0-9A-Za-z-]*))*))?(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

/** A semver version's parts, or undefined when `tag` is not one. */
function parseSemver(tag: string): { major: number; minor: number; prerelease?: string; build?: string } | undefined {
  const m = SEMVER.exec(tag);
  return m ? { major: Number(m[1]), minor: Number(m[2]), prerelease: m[4], build: m[5] } : undefined;
}

/** A stable semver version (`v1.2.3` or `1.2.3`, no pre-release) or undefined. */
function stableVersion(tag: string): { major: number; minor: number } | undefined {
  const v = parseSemver(tag);
  return v && v.prerelease === undefined && v.build === undefined ? v : undefined;
}

/**
 * The tags a release of `tag` publishes, the given tag first, without duplicates.
 * Every tag is validated before any is returned, so a caller can validate all before pushing one.
 *
 *   releaseTags("v1.2.3")                    → ["v1.2.3", "latest"]
 *   releaseTags("v1.2.3", { aliases: true }) → ["v1.2.3", "v1.2", "v1", "latest"]
 *   releaseTags("v1.0.0-rc.1")               → ["v1.0.0-rc.1"]
 */
export function releaseTags(tag: string, opts: ReleaseTagOptions = {}): string[] {
  const { latest = RELEASE_DEFAULTS.latest, aliases = RELEASE_DEFAULTS.aliases, extra = [] } = opts;
  const tags = [validateTag(tag)];
  const stable = stableVersion(tag);
  if (stable && aliases) {
    const prefix = tag.startsWith("v") ? "v" : "";
    tags.push(`${prefix}${stable.major}.${stable.minor}`, `${prefix}${stable.major}`);
  }
  for (const t of extra) tags.push(validateTag(t));
  if (stable && latest) tags.push("latest");
  return [...new Set(tags)];
}

/** True when `tag` is a semver pre-release such as `v1.0.0-rc.1`. */
export function isPrerelease(tag: string): boolean {
  return parseSemver(tag)?.prerelease !== undefined;
}
