/**
 * Reading tool output into facts: `go test -v` results and published image references.
 * No Dagger import: the module and the tests share this file.
 */

/** Counts of a `go test -v` run. */
export interface GoTestSummary {
  passed: number;
  failed: number;
  skipped: number;
}

/** Counts top-level test results (`--- PASS: TestX`) in `go test -v` output; subtests are not counted. */
export function summarizeGoTest(output: string, namePattern: RegExp = /.*/): GoTestSummary {
  const summary: GoTestSummary = { passed: 0, failed: 0, skipped: 0 };
  for (const m of output.matchAll(/^--- (PASS|FAIL|SKIP): (\S+)/gm)) {
    if (!namePattern.test(m[2])) continue;
    if (m[1] === "PASS") summary.passed++;
    else if (m[1] === "FAIL") summary.failed++;
    else summary.skipped++;
  }
  return summary;
}

/**
 * The failed tests of a `go test -v` run, top-level and subtests, each with the lines it logged
 * (from its `=== RUN` to its `--- FAIL`), so a failure message can lead with what failed.
 */
export function goTestFailures(output: string): { name: string; log: string[] }[] {
  const lines = output.split("\n");
  const failures: { name: string; log: string[] }[] = [];
  lines.forEach((line, i) => {
    const m = /^\s*--- FAIL: (\S+)/.exec(line);
    if (!m) return;
    const start = lines.lastIndexOf(`=== RUN   ${m[1]}`, i);
    failures.push({ name: m[1], log: lines.slice(start === -1 ? i : start + 1, i).filter((l) => !/^\s*=== (RUN|PAUSE|CONT|NAME)/.test(l)) });
  });
  return failures;
}

/** The last `n` lines of tool output, for error messages that must stay readable. */
export function tail(text: string, n = 30): string {
  const lines = text.trimEnd().split("\n");
  return (lines.length > n ? ["…", ...lines.slice(-n)] : lines).join("\n");
}

/** The digest of a reference `repo:tag@sha256:…`; throws if it has none. */
export function digestOf(ref: string): string {
  const m = /@(sha256:[0-9a-f]{64})$/.exec(ref);
  if (!m) throw new Error(`no digest in published reference ${JSON.stringify(ref)}`);
  return m[1];
}

/** Throws unless every reference resolves to the same digest; returns that digest. */
export function sameDigest(refs: readonly string[]): string {
  if (refs.length === 0) throw new Error("nothing was published");
  const digests = refs.map(digestOf);
  const first = digests[0];
  const odd = refs.filter((_, i) => digests[i] !== first);
  if (odd.length > 0) {
    throw new Error(`tags resolve to different digests: ${refs.join(", ")}`);
  }
  return first;
}

/**
 * One clear line for a failed push, naming the image and the registry. Authentication failures say
 * whether credentials were given (refused) or not (required); nothing of the credentials is echoed
 * (the engine's text never holds the secret's value, and only its first line is kept).
 */
export function pushFailureMessage(registry: string, ref: string, errorText: string, credentialsGiven: boolean): string {
  if (/unauthori[sz]ed|authentication required|denied|\b401\b|\b403\b/i.test(errorText)) {
    return credentialsGiven
      ? `could not push ${ref}: ${registry} refused the credentials (check --username and --password)`
      : `could not push ${ref}: ${registry} requires credentials and none were given ` +
          `(pass --username and --password, e.g. --password env://REGISTRY_TOKEN)`;
  }
  return `could not push ${ref}: ${errorText.trim().split("\n")[0]}`;
}
