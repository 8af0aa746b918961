/**
 * `publish`: validate every tag, then push the reproducible image tarball (./tarball.ts) as one
 * image index under each tag with the module's pusher (dagger/helpers/push, on oras-go), which
 * wraps a single platform in an index too, retries transient failures, attaches each platform's
 * SBOM as a referrer and checks that every tag resolves to the index's digest.
 */
import type { File, Secret, Service } from "@dagger.io/dagger";

import { PUSH_PATHS, pushArgs, sbomPath } from "../recipe/helpers.js";
import { parsePushFailure, parsePushReport, publishedLines, pushFailureMessage } from "../recipe/pushReport.js";
import { apiRepository, parseRepository, registryPort } from "../recipe/reference.js";
import { tail } from "../recipe/report.js";
import { DeferredSteps } from "./exec.js";
import { helperTools } from "./helpers.js";
import type { Settings } from "./settings.js";

/** Where and how to publish. */
export interface ReleaseTarget {
  repository: string;
  tags: readonly string[];
  username?: string;
  password?: Secret;
  /** A Docker config.json whose `auths` hold the registry's credentials. */
  registryConfig?: Secret;
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
 * Pushes `layout` (an OCI layout tarball of every platform) as one index under every tag, the first
 * tag first. Returns the lines `publish` prints: the references with their digest (e.g.
 * `ghcr.io/o/s:v1.0.0@sha256:…`), then each platform's manifest and SBOM. With `steps`, the push is
 * evaluated together with everything it depends on (the builds, the tarball, the SBOMs), in one
 * round trip; nothing is pushed unless all of them succeeded.
 */
export async function release(s: Settings, layout: File, target: ReleaseTarget, steps = new DeferredSteps()): Promise<string[]> {
  checkReleaseTarget(target);
  const repo = parseRepository(target.repository);
  let pusher = (await helperTools(s, ["push"], steps.run))
    .withMountedFile(PUSH_PATHS.layout, layout)
    // A push is a side effect: never answer it from the cache.
    .withEnvVariable("GO_SCRATCH_PUSH_NONCE", `${Date.now()}-${Math.random()}`);
  if (target.username && target.password) {
    pusher = pusher.withEnvVariable("REGISTRY_USERNAME", target.username).withSecretVariable("REGISTRY_PASSWORD", target.password);
  }
  if (target.registryConfig) pusher = pusher.withMountedSecret(PUSH_PATHS.dockerConfig, target.registryConfig);
  let connect: string | undefined;
  if (target.registryService) {
    pusher = pusher.withServiceBinding(PUSH_PATHS.registryAlias, target.registryService);
    connect = `${PUSH_PATHS.registryAlias}:${registryPort(repo.registry)}`;
  }
  const sboms = target.sboms ?? [];
  sboms.forEach((b, i) => (pusher = pusher.withMountedFile(sbomPath(i), b.file)));
  const args = pushArgs(apiRepository(repo), target.tags, { connect, sbomPlatforms: sboms.map((b) => b.platform), dockerConfig: Boolean(target.registryConfig) });
  const pushed = await steps.run(pusher, PUSH_STEP, args);
  const ref = `${target.repository}:${target.tags[0]}`;
  const out = await steps.evaluate(
    () => pushed.stdout(),
    (e, step) => {
      if (step !== PUSH_STEP) return undefined;
      const failure = parsePushFailure(e.stderr);
      if (!failure) return new Error(`could not push ${ref}: the pusher failed (exit ${e.exitCode}):\n${tail(e.stderr || e.stdout || "(no output)")}`, { cause: e });
      return new Error(pushFailureMessage(repo.registry, ref, failure), { cause: e });
    },
  );
  return publishedLines(target.repository, parsePushReport(out));
}

/** The push's step name, which its failure is told apart by. */
const PUSH_STEP = "pushing the image";
