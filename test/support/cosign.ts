/**
 * The real cosign CLI, for the signing suite: not a Debian package, so `.ci/run` builds it from the
 * Go proxy with `go install` into the repository's .tools/ (ignored by git); GO_SCRATCH_COSIGN names
 * another build. Only key-based commands are used: nothing of sigstore's public services is reached.
 */
import { accessSync, constants } from "node:fs";
import { join } from "node:path";

import { ROOT, runCommand, type CommandResult } from "./commands.js";
import type { Availability } from "./requirements.js";

export const COSIGN_VERSION = "v2.6.5";

/** Where the cosign binary is. */
export function cosignPath(): string {
  return process.env.GO_SCRATCH_COSIGN || join(ROOT, ".tools", "cosign");
}

/** Whether cosign can run here. */
export function cosignAvailable(): Availability {
  try {
    accessSync(cosignPath(), constants.X_OK);
    return { ok: true, reason: "" };
  } catch {
    return {
      ok: false,
      reason: `no cosign at ${cosignPath()}: GOBIN=${join(ROOT, ".tools")} go install github.com/sigstore/cosign/v2/cmd/cosign@${COSIGN_VERSION} (or set GO_SCRATCH_COSIGN)`,
    };
  }
}

/**
 * `cosign <args>` with `env`; never throws for a non-zero exit. The trusted root cosign would fetch
 * from sigstore's CDN is neither reachable nor needed for key-based verification without a
 * transparency log (--insecure-ignore-tlog): it only warns.
 */
export function cosign(args: readonly string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<CommandResult> {
  return runCommand(cosignPath(), args, { cwd, timeoutMs: 120_000, env: { ...process.env, ...env } });
}
