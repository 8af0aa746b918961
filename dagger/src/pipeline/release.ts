/**
 * `publish`: validate every tag, then push the reproducible image tarball (./tarball.ts) as one
 * image index under each tag with the module's Go pusher (dagger/helpers/ocipush), which wraps a
 * single platform in an index too, and check that all tags resolve to one digest.
 */
import type { File, Secret, Service } from "@dagger.io/dagger";

import { isExecError } from "../bundledSdk.js";

import { PUSH_PATHS, ocipushArgs, sbomPath } from "../recipe/helpers.js";
import { apiRepository, parseRepository, registryPort } from "../recipe/reference.js";
import { pushFailureMessage, sameDigest } from "../recipe/report.js";
import { helperTools } from "./helpers.js";
import type { Settings } from "./settings.js";

/** Where and how to publish. */
export interface ReleaseTarget {
  repository: string;
  tags: readonly string[];
  username?: string;
  password?: Secret;
  /** Reach the registry through this service instead of the network. */
  registryService?: Service;
  /** An SBOM for each platform, attached to its image as a referrer. */
  sboms?: readonly { platform: string; file: File }[];
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
 * Pushes `layout` (an OCI layout tarball of every platform, built before anything is pushed) as one
 * index under every tag, the first tag first. Returns the references with their digest, e.g.
 * `ghcr.io/o/s:v1.0.0@sha256:…`.
 */
export async function release(s: Settings, layout: File, target: ReleaseTarget): Promise<string[]> {
  checkReleaseTarget(target);
  const repo = parseRepository(target.repository);
  let pusher = (await helperTools(s, ["ocipush"]))
    .withMountedFile(PUSH_PATHS.layout, layout)
    // A push is a side effect: never answer it from the cache.
    .withEnvVariable("GO_SCRATCH_PUSH_NONCE", `${Date.now()}-${Math.random()}`);
  const credentialsGiven = Boolean(target.username && target.password);
  if (target.username && target.password) {
    pusher = pusher.withEnvVariable("REGISTRY_USERNAME", target.username).withSecretVariable("REGISTRY_PASSWORD", target.password);
  }
  let connect: string | undefined;
  if (target.registryService) {
    pusher = pusher.withServiceBinding(PUSH_PATHS.registryAlias, target.registryService);
    connect = `${PUSH_PATHS.registryAlias}:${registryPort(repo.registry)}`;
  }
  const sboms = target.sboms ?? [];
  sboms.forEach((b, i) => (pusher = pusher.withMountedFile(sbomPath(i), b.file)));
  let out: string;
  try {
    out = await pusher.withExec(ocipushArgs(apiRepository(repo), target.tags, connect, sboms.map((b) => b.platform))).stdout();
  } catch (e) {
    if (!isExecError(e)) throw e;
    const ref = `${target.repository}:${target.tags[0]}`;
    throw new Error(pushFailureMessage(repo.registry, ref, e.stderr.replace(/^ocipush: /, ""), credentialsGiven));
  }
  const lines = out.trim().split("\n");
  const digests = lines.filter((l) => !l.startsWith("sbom ")).map((l) => l.slice(l.lastIndexOf("@") + 1));
  const refs = target.tags.map((t, i) => `${target.repository}:${t}@${digests[i] ?? ""}`);
  sameDigest(refs);
  // `sbom linux/amd64: <api repository>@sha256:…`, reported with the repository as the user wrote it.
  const attached = lines.filter((l) => l.startsWith("sbom ")).map((l) => `${l.slice(0, l.indexOf(": ") + 2)}${target.repository}${l.slice(l.lastIndexOf("@"))}`);
  return [...refs, ...attached];
}
