/**
 * The module's publish step realised without a Dagger engine: the same tag and repository rules
 * (../../dagger/src/recipe/tags.ts, reference.ts), every tag validated before anything is pushed,
 * the first tag pushed (an image from the local Docker engine with skopeo, or a multi-platform list
 * from buildah), the rest added to the same manifest, then every tag checked to resolve to one
 * digest, and push failures reported with the module's wording.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { parseRepository } from "../../dagger/src/recipe/reference.js";
import { pushFailureMessage, sameDigest } from "../../dagger/src/recipe/report.js";
import { releaseTags, type ReleaseTagOptions } from "../../dagger/src/recipe/tags.js";
import { tempDir } from "./recipeRealisation.js";
import { sh } from "./commands.js";
import { manifestDigest, type RegistryUser } from "./registry.js";

/** Where to publish: a repository on a local plain-HTTP registry. */
export interface LocalTarget {
  /** e.g. `127.0.0.1:5000/go-scratch` */
  repository: string;
  /** `http://127.0.0.1:5000`, to read digests back. */
  registryUrl: string;
  user?: RegistryUser;
}

/** What to publish: an image in the local Docker engine, or a manifest list in buildah's storage. */
export type LocalSource = { dockerImage: string } | { buildahList: string };

/** The command that pushes `source` as `ref`, with the given auth file. */
function firstPush(source: LocalSource, ref: string, authfile: string): [string, string[]] {
  if ("dockerImage" in source) {
    return ["skopeo", ["copy", "--quiet", "--authfile", authfile, "--dest-tls-verify=false", `docker-daemon:${source.dockerImage}`, `docker://${ref}`]];
  }
  return ["buildah", ["manifest", "push", "--quiet", "--all", "--authfile", authfile, "--tls-verify=false", source.buildahList, `docker://${ref}`]];
}

/**
 * Publishes `source` as `tag` (and the tags the rules add). Returns the references
 * with their digest, the first tag first. Throws before pushing anything if a tag or the repository
 * is invalid; throws one clear line if the registry refuses a push.
 */
export async function localRelease(
  source: LocalSource,
  tag: string,
  target: LocalTarget,
  opts: ReleaseTagOptions = {},
): Promise<string[]> {
  const tags = releaseTags(tag, opts);
  const repo = parseRepository(target.repository);
  // Credentials go in an auth file, never on a command line that an error message would repeat.
  const authDir = tempDir("auth");
  const authfile = join(authDir, "auth.json");
  const auths = target.user
    ? { [repo.registry]: { auth: Buffer.from(`${target.user.username}:${target.user.password}`).toString("base64") } }
    : {};
  writeFileSync(authfile, JSON.stringify({ auths }), { mode: 0o600 });
  // Every further tag is a copy of the first, manifest for manifest: the same digest by construction.
  const copy = ["copy", "--quiet", "--all", "--preserve-digests", "--authfile", authfile, "--src-tls-verify=false", "--dest-tls-verify=false"];
  const refs: string[] = [];
  try {
    for (const [i, t] of tags.entries()) {
      const ref = `${target.repository}:${t}`;
      const [cmd, args] = i === 0 ? firstPush(source, ref, authfile) : ["skopeo", [...copy, `docker://${target.repository}:${tags[0]}`, `docker://${ref}`]];
      try {
        await sh(cmd, args);
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
