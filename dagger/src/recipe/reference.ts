/**
 * Image repository references (`ghcr.io/owner/name`), checked against the grammar of the
 * distribution project's reference package, so a bad name fails before anything is built or pushed.
 * No Dagger import: the module and the tests share this file.
 */
import { validateTag } from "./tags.js";

/** A path component: lowercase alphanumerics separated by `.`, `_`, `__` or runs of `-`. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
/** A registry host: DNS labels or an IPv6 literal, with an optional port. */
const DOMAIN =
  /^(?:(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9])(?:\.(?:[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]))*|\[[0-9A-Fa-f:.]+\])(?::[0-9]+)?$/;
/** The longest repository name the reference grammar allows. */
const MAX_NAME = 255;

/** A repository split into registry and path. */
export interface Repository {
  /** The registry host, with port if any (e.g. `ghcr.io`, `127.0.0.1:5000`). */
  registry: string;
  /** The repository path inside the registry (e.g. `owner/service`). */
  path: string;
  /** `registry/path`. */
  name: string;
}

/** The repository `publish` pushes to when none is given: an anonymous registry whose images expire. */
export const DEFAULT_REPOSITORY = "ttl.sh/go-scratch";

/** Registry used when a repository names none, as container tools do. */
export const DEFAULT_REGISTRY = "docker.io";

/** Whether the first component names a registry (has a `.` or `:`, or is `localhost`). */
function looksLikeRegistry(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost";
}

/**
 * Parses and validates a repository (no tag, no digest). Throws an error that quotes the input
 * and says what is wrong (uppercase, a tag where none belongs, a bad character, too long).
 */
export function parseRepository(input: string): Repository {
  const quoted = JSON.stringify(input);
  if (input.trim() === "") throw new Error("repository is empty: expected e.g. ghcr.io/owner/service");
  if (input !== input.trim()) throw new Error(`invalid repository ${quoted}: surrounding white space`);
  if (input.includes("@")) {
    throw new Error(`invalid repository ${quoted}: give the repository without a digest`);
  }
  const parts = input.split("/");
  const registry = parts.length > 1 && looksLikeRegistry(parts[0]) ? parts.shift()! : DEFAULT_REGISTRY;
  if (!DOMAIN.test(registry)) throw new Error(`invalid repository ${quoted}: bad registry host "${registry}"`);
  const last = parts[parts.length - 1];
  if (last.includes(":")) {
    throw new Error(`invalid repository ${quoted}: give the repository without a tag; pass tags with --tag`);
  }
  for (const component of parts) {
    if (component !== component.toLowerCase()) {
      throw new Error(`invalid repository ${quoted}: repository names must be lowercase`);
    }
    if (!PATH_COMPONENT.test(component)) {
      throw new Error(
        `invalid repository ${quoted}: path component "${component}" may use only a-z, 0-9 and single separators . _ __ -`,
      );
    }
  }
  const path = parts.join("/");
  if (path.length > MAX_NAME) {
    throw new Error(`invalid repository ${quoted}: the path is longer than ${MAX_NAME} characters`);
  }
  return { registry, path, name: `${registry}/${path}` };
}

/** `repository:tag`, both validated. */
export function imageRef(repository: string, tag: string): string {
  parseRepository(repository);
  return `${repository}:${validateTag(tag)}`;
}

/**
 * The repository as the registry's HTTP API names it: Docker Hub's API host is
 * registry-1.docker.io, and its one-component names live under library/.
 */
export function apiRepository(repo: Repository): string {
  if (repo.registry !== DEFAULT_REGISTRY) return repo.name;
  return `registry-1.docker.io/${repo.path.includes("/") ? repo.path : `library/${repo.path}`}`;
}

/** The port a registry host names, or the HTTPS/HTTP default for it. */
export function registryPort(registry: string): number {
  const m = /:(\d+)$/.exec(registry);
  if (m) return Number(m[1]);
  return /^(localhost|127\.|\[::1\])/.test(registry) ? 80 : 443;
}

/** A published image: its repository and the tag or digest that names it. */
export interface ImageReference {
  repository: Repository;
  /** `:tag` or `@sha256:<hex>`, as written after the repository. */
  suffix: string;
}

/**
 * Parses `repository:tag` or `repository@sha256:<hex>` (the reference `verify` takes); throws,
 * quoting it, for anything else.
 */
export function parseImageReference(input: string): ImageReference {
  const quoted = JSON.stringify(input);
  const at = input.indexOf("@");
  if (at >= 0) {
    const digest = input.slice(at + 1);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) throw new Error(`invalid reference ${quoted}: expected @sha256: and 64 hex digits`);
    return { repository: parseRepository(input.slice(0, at)), suffix: `@${digest}` };
  }
  const slash = input.lastIndexOf("/");
  const colon = input.lastIndexOf(":");
  if (colon <= slash) throw new Error(`invalid reference ${quoted}: name the image by tag or digest, e.g. ghcr.io/owner/service:v1.0.0`);
  return { repository: parseRepository(input.slice(0, colon)), suffix: `:${validateTag(input.slice(colon + 1))}` };
}
