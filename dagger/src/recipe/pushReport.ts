/**
 * What the pusher (dagger/helpers/push) reports, read into what `publish` prints and says when it
 * fails. No Dagger import: the module and the tests share this file.
 */

/** The pusher's report of a push that succeeded. */
export interface PushReport {
  repository: string;
  index: string;
  tags: { tag: string; digest: string }[];
  platforms: { platform: string; digest: string; sbom?: string }[];
  retries: number;
}

/** The pusher's report of a push that failed. */
export interface PushFailure {
  error: string;
  kind: "credentials-required" | "credentials-refused" | "denied" | "not-found" | "unreachable" | "invalid-layout" | "registry";
  retries: number;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** Parses the pusher's stdout; throws if it is not a complete report. */
export function parsePushReport(stdout: string): PushReport {
  const r = JSON.parse(stdout) as Partial<PushReport>;
  const ok =
    typeof r.repository === "string" &&
    typeof r.index === "string" &&
    DIGEST.test(r.index) &&
    Array.isArray(r.tags) &&
    r.tags.every((t) => typeof t.tag === "string" && DIGEST.test(t.digest)) &&
    Array.isArray(r.platforms) &&
    r.platforms.every((p) => typeof p.platform === "string" && DIGEST.test(p.digest) && (p.sbom === undefined || DIGEST.test(p.sbom))) &&
    typeof r.retries === "number";
  if (!ok) throw new Error(`the pusher printed no report: ${stdout.slice(0, 300)}`);
  return r as PushReport;
}

/** Parses the pusher's stderr line, or undefined when it holds none (it died another way). */
export function parsePushFailure(stderr: string): PushFailure | undefined {
  const line = stderr.trim().split("\n").at(-1) ?? "";
  try {
    const f = JSON.parse(line) as Partial<PushFailure>;
    return typeof f.error === "string" && typeof f.kind === "string" ? { retries: 0, ...f } as PushFailure : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lines `publish` prints: each tag's reference with the index digest (the release tag first),
 * then each platform's image manifest with its SBOM referrer, then how many requests were retried.
 * Every tag must name the same digest (the pusher checked it against the registry).
 */
export function publishedLines(repository: string, r: PushReport): string[] {
  const odd = r.tags.filter((t) => t.digest !== r.index);
  if (odd.length > 0) throw new Error(`tags resolve to different digests: ${r.tags.map((t) => `${t.tag}@${t.digest}`).join(", ")}`);
  return [
    ...r.tags.map((t) => `${repository}:${t.tag}@${t.digest}`),
    ...r.platforms.map((p) => `${p.platform}: ${repository}@${p.digest}${p.sbom ? ` sbom ${repository}@${p.sbom}` : ""}`),
    ...(r.retries > 0 ? [`retried ${r.retries} request${r.retries === 1 ? "" : "s"} after transient registry failures`] : []),
  ];
}

/**
 * One clear line for a failed push, naming the image and the registry: whether credentials were
 * required or refused, which options give them, what could not be reached. Nothing of the
 * credentials is echoed (the pusher removes them from its messages).
 */
export function pushFailureMessage(registry: string, ref: string, f: PushFailure): string {
  const retried = f.retries > 0 ? ` (after ${f.retries} retries)` : "";
  switch (f.kind) {
    case "credentials-required":
      return (
        `could not push ${ref}: ${registry} requires credentials and none were given ` +
        `(pass --username and --password, e.g. --password env://REGISTRY_TOKEN, or --registry-config file://$HOME/.docker/config.json)`
      );
    case "credentials-refused":
      return `could not push ${ref}: ${registry} refused the credentials (check --username and --password, or the --registry-config entry for ${registry})`;
    case "denied":
      return `could not push ${ref}: ${registry} accepted the credentials but denied the push (does that account have write access to the repository?)`;
    case "unreachable":
      return `could not push ${ref}: ${registry} could not be reached${retried}: ${f.error}`;
    default:
      return `could not push ${ref}: ${f.error}${retried}`;
  }
}
