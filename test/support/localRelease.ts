/**
 * The module's publish step realised without a Dagger engine: the same tag and repository rules
 * (../../dagger/src/recipe/tags.ts, reference.ts), every tag validated before anything is pushed,
 * the first tag pushed from the local Docker engine with skopeo, the rest added to the same manifest,
 * then every tag checked to resolve to one digest, and push failures reported with the module's wording.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseRepository } from "../../dagger/src/recipe/reference.js";
import { pushFailureMessage, sameDigest } from "../../dagger/src/recipe/report.js";
import { releaseTags, type ReleaseTagOptions } from "../../dagger/src/recipe/tags.js";
import { sh, tempDir } from "./recipeRealisation.js";
import { manifestDigest, type RegistryUser } from "./registry.js";

/** Where to publish: a repository on a local plain-HTTP registry. */
export interface LocalTarget {
  /** e.g. `127.0.0.1:5000/go-scratch` */
  repository: string;
  /** `http://127.0.0.1:5000`, to read digests back. */
  registryUrl: string;
  user?: RegistryUser;
}

/**
 * Publishes the Docker image `image` as `tag` (and the tags the rules add). Returns the references
 * with their digest, the first tag first. Throws before pushing anything if a tag or the repository
 * is invalid; throws one clear line if the registry refuses a push.
 */
export async function localRelease(image: string, tag: string, target: LocalTarget, opts: ReleaseTagOptions = {}): Promise<string[]> {
  const tags = releaseTags(tag, opts);
  const repo = parseRepository(target.repository);
  // Credentials go in an auth file, never on a command line that an error message would repeat.
  const authDir = tempDir("auth");
  const authfile = join(authDir, "auth.json");
  const auths = target.user
    ? { [repo.registry]: { auth: Buffer.from(`${target.user.username}:${target.user.password}`).toString("base64") } }
    : {};
  writeFileSync(authfile, JSON.stringify({ auths }), { mode: 0o600 });
  const common = ["--authfile", authfile, "--src-tls-verify=false", "--dest-tls-verify=false"];
  const refs: string[] = [];
  try {
    for (const [i, t] of tags.entries()) {
      const ref = `${target.repository}:${t}`;
      const src = i === 0 ? `docker-daemon:${image}` : `docker://${target.repository}:${tags[0]}`;
      try {
        await sh("skopeo", ["copy", "--quiet", ...common, src, `docker://${ref}`]);
      } catch (e) {
        // sh's first line repeats the command; the tool's own words follow it.
        throw new Error(pushFailureMessage(repo.registry, ref, (e as Error).message.split("\n").slice(1).join("\n")));
      }
      const { digest } = await manifestDigest(target.registryUrl, repo.path, t, target.user);
      refs.push(`${ref}@${digest}`);
    }
  } finally {
    rmSync(authDir, { recursive: true, force: true });
  }
  sameDigest(refs);
  return refs;
}
