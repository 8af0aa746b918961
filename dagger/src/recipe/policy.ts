/**
 * The image policy `test` enforces on a built runtime image, as a pure function of facts about it.
 * No Dagger import: the module gathers the facts with Dagger, the tests with a container engine.
 */

/** What `test` checks unless told otherwise. */
export const TEST_DEFAULTS = { healthPath: "/healthz", blackboxPattern: "^TestBlackBox", maxSizeMb: 20 } as const;

/** Validates the path the health probe requests. */
export function validateHealthPath(path: string): string {
  if (!/^\/[\x21-\x7e]*$/.test(path)) throw new Error(`invalid health path ${JSON.stringify(path)}: must start with / (no spaces)`);
  return path;
}

/** Validates the image size budget, in megabytes. */
export function validateMaxSize(mb: number): number {
  if (!Number.isFinite(mb) || mb <= 0) throw new Error(`invalid size budget ${mb} MB: expected a positive number`);
  return mb;
}

/** Paths whose presence means the image carries a shell or a package manager. */
export const FORBIDDEN_PATHS = [
  "/bin/sh",
  "/bin/bash",
  "/bin/ash",
  "/bin/dash",
  "/bin/busybox",
  "/usr/bin/sh",
  "/usr/bin/bash",
  "/usr/bin/env",
  "/sbin/apk",
  "/usr/bin/apt",
  "/usr/bin/apt-get",
  "/usr/bin/dpkg",
] as const;

/** What is known about a built image. */
export interface ImageFacts {
  /** The configured user, e.g. `65532:65532`; empty means root. */
  user: string;
  entrypoint: readonly string[];
  /** The health check command, or undefined if the image has none. */
  healthcheck?: readonly string[];
  /** Which of FORBIDDEN_PATHS exist in the image. */
  presentForbidden: readonly string[];
  /** Image size in bytes. */
  sizeBytes: number;
}

/** What the policy demands. */
export interface PolicyOptions {
  /** Require a health check (turn off for services without a healthcheck subcommand). */
  requireHealthcheck: boolean;
  /** Largest acceptable image, in bytes. */
  maxSizeBytes: number;
}

/** Whether a user string (`name`, `uid`, `uid:gid`) runs as root. */
export function isRootUser(user: string): boolean {
  const u = user.trim().split(":")[0];
  return u === "" || u === "root" || /^0+$/.test(u);
}

/** Every way the image breaks the policy; empty when it passes. */
export function policyViolations(facts: ImageFacts, opts: PolicyOptions): string[] {
  const out: string[] = [];
  if (isRootUser(facts.user)) {
    out.push(`runs as root (user ${JSON.stringify(facts.user)}): set a non-root user such as 65532:65532`);
  }
  for (const p of facts.presentForbidden) out.push(`contains ${p}: a scratch image carries no shell or package manager`);
  if (facts.entrypoint.length === 0) {
    out.push("has no entrypoint");
  } else if (!facts.entrypoint[0].startsWith("/") || /^\/(?:usr\/)?bin\/(?:ba|da|a)?sh$/.test(facts.entrypoint[0])) {
    out.push(`entrypoint ${JSON.stringify(facts.entrypoint)} is not exec form with an absolute binary path`);
  }
  if (opts.requireHealthcheck && (!facts.healthcheck || facts.healthcheck.length === 0)) {
    out.push("has no health check (pass --healthcheck=false for a service without one)");
  }
  if (facts.sizeBytes > opts.maxSizeBytes) {
    out.push(`is ${formatBytes(facts.sizeBytes)}, over the budget of ${formatBytes(opts.maxSizeBytes)}`);
  }
  return out;
}

/** `5.9 MB`-style sizes for reports (decimal units, as registries show them). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)} kB`;
  return `${(n / 1_000_000).toFixed(2)} MB`;
}
