/**
 * `publish`: validate every tag, test, then push one multi-platform index under the first tag,
 * add the other tags, and check that all of them resolve to the same digest.
 */
import { dag, type Container, type Secret, type Service } from "@dagger.io/dagger";

import { parseRepository } from "../recipe/reference.js";
import { pushFailureMessage, sameDigest } from "../recipe/report.js";

/** Where and how to publish. */
export interface ReleaseTarget {
  repository: string;
  tags: readonly string[];
  username?: string;
  password?: Secret;
  /** Reach the registry through this service instead of the network. */
  registryService?: Service;
}

/** Checks the credentials come as a pair; says which is missing. */
export function checkCredentials(username?: string, password?: Secret): void {
  if (password && !username) throw new Error("--password was given without --username");
  if (username && !password) {
    throw new Error("--username was given without --password (pass it as a secret, e.g. --password env://REGISTRY_TOKEN)");
  }
}

/** Validates the repository and the credentials before anything is built, tested or pushed. */
export function checkReleaseTarget(target: ReleaseTarget): void {
  parseRepository(target.repository);
  checkCredentials(target.username, target.password);
}

/**
 * Pushes `variants` (one container per platform) as one index under every tag, the first tag first.
 * Returns the references with their digest, e.g. `ghcr.io/o/s:v1.0.0@sha256:…`.
 */
export async function release(variants: readonly Container[], target: ReleaseTarget): Promise<string[]> {
  checkReleaseTarget(target);
  const repo = parseRepository(target.repository);
  // As Dagger documents for multi-platform images: an empty container publishes, the per-platform
  // containers are its variants.
  const credentialsGiven = Boolean(target.username && target.password);
  let base = dag.container();
  if (target.username && target.password) {
    base = base.withRegistryAuth(repo.registry, target.username, target.password);
  }
  // Build every platform before the first push, so a build failure publishes nothing.
  await Promise.all(variants.map((v) => v.sync()));
  const refs: string[] = [];
  for (const tag of target.tags) {
    const ref = `${target.repository}:${tag}`;
    try {
      refs.push(await base.publish(ref, { platformVariants: [...variants], registryService: target.registryService }));
    } catch (e) {
      const text = e instanceof Error ? e.message : String(e);
      throw new Error(pushFailureMessage(repo.registry, ref, text, credentialsGiven));
    }
  }
  sameDigest(refs);
  return refs;
}
