/**
 * Reading tool output into facts: `go test -v` results.
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
