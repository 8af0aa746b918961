/**
 * `publish`: validate every tag, then push the reproducible image tarball (./tarball.ts) as one
 * image index under each tag with the module's pusher (dagger/helpers/push, on oras-go), which
 * wraps a single platform in an index too, retries transient failures, attaches each platform's
 * SBOM as a referrer and checks that every tag resolves to the index's digest. With a signing key,
 * the index goes up by its digest first, is signed and its provenance attested (./signing.ts),
 * both verified from the registry, and only then do the tags move.
 */
import type { File, Secret } from "@dagger.io/dagger";

import { PUSH_PATHS, pushArgs, sbomPath, type PushStage } from "../recipe/helpers.js";
import { signedLines } from "../recipe/provenance.js";
import { parsePushFailure, parsePushReport, publishedLines, pushFailureMessage, type PushReport } from "../recipe/pushReport.js";
import { apiRepository, parseRepository } from "../recipe/reference.js";
import { tail } from "../recipe/report.js";
import { DeferredSteps } from "./exec.js";
import { helperTools } from "./helpers.js";
import { withRegistryAccess, type RegistryAccess } from "./registryAccess.js";
import type { Settings } from "./settings.js";
import { signAndVerify, type Signing } from "./signing.js";

/** Where and how to publish. */
export interface ReleaseTarget extends RegistryAccess {
  repository: string;
  tags: readonly string[];
  /** An SBOM for each platform, attached to its image as a referrer. */
  sboms?: readonly { platform: string; file: File }[];
  /** Sign the index and attest its provenance before any tag moves. */
  signing?: Signing;
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
 * Pushes `layout` (an OCI layout tarball of every platform) as one index under every tag, the first
 * tag first. Returns the lines `publish` prints: the references with their digest (e.g.
 * `ghcr.io/o/s:v1.0.0@sha256:…`), then each platform's manifest and SBOM, then, when signed, the
 * signature and the provenance. With `steps`, the first push is evaluated together with everything
 * it depends on (the builds, the tarball, the SBOMs), in one round trip; nothing is pushed unless
 * all of them succeeded, and no tag is written unless the signature verified.
 */
export async function release(s: Settings, layout: File, target: ReleaseTarget, steps = new DeferredSteps()): Promise<string[]> {
  checkReleaseTarget(target);
  const repo = parseRepository(target.repository);
  const sboms = target.sboms ?? [];
  let pusher = (await helperTools(s, ["push"], steps.run)).withMountedFile(PUSH_PATHS.layout, layout);
  sboms.forEach((b, i) => (pusher = pusher.withMountedFile(sbomPath(i), b.file)));
  const { ctr, args: access } = withRegistryAccess(pusher, target, repo);
  const ref = `${target.repository}:${target.tags[0]}`;

  const push = async (stage: PushStage, tags: readonly string[], sbomPlatforms: readonly string[]): Promise<PushReport> => {
    // A push is a side effect: never answer it from the cache.
    const run = ctr.withEnvVariable("GO_SCRATCH_PUSH_NONCE", `${stage}-${Date.now()}-${Math.random()}`);
    const pushed = await steps.run(run, PUSH_STEP, pushArgs(apiRepository(repo), tags, { ...access, sbomPlatforms, stage }));
    const out = await steps.evaluate(
      () => pushed.stdout(),
      (e, step) => {
        if (step !== PUSH_STEP) return undefined;
        const failure = parsePushFailure(e.stderr);
        if (!failure) return new Error(`could not push ${ref}: the pusher failed (exit ${e.exitCode}):\n${tail(e.stderr || e.stdout || "(no output)")}`, { cause: e });
        return new Error(pushFailureMessage(repo.registry, ref, failure), { cause: e });
      },
    );
    return parsePushReport(out);
  };

  const platforms = sboms.map((b) => b.platform);
  if (!target.signing) return publishedLines(target.repository, await push("all", target.tags, platforms));
  const content = await push("content", [], platforms);
  const signed = await signAndVerify(s, { repository: repo, digest: content.index, access: target, signing: target.signing });
  const tagged = await push("tags", target.tags, []);
  const report: PushReport = { ...content, tags: tagged.tags, retries: content.retries + tagged.retries };
  return [...publishedLines(target.repository, report), ...signedLines(signed)];
}

/** The push's step name, which its failure is told apart by. */
const PUSH_STEP = "pushing the image";
