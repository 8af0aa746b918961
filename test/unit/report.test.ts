import { describe, expect, it } from "vitest";

import { digestOf, goTestFailures, pushFailureMessage, sameDigest, summarizeGoTest, tail } from "../../dagger/src/recipe/report.js";

const D1 = "sha256:" + "a".repeat(64);
const D2 = "sha256:" + "b".repeat(64);

describe("summarizeGoTest", () => {
  const out = [
    "=== RUN   TestBlackBoxHealthz",
    "--- PASS: TestBlackBoxHealthz (0.00s)",
    "--- FAIL: TestBlackBoxVersion (0.01s)",
    "    --- PASS: TestBlackBoxVersion/sub (0.00s)",
    "--- SKIP: TestBlackBoxAdmin (0.00s)",
    "--- PASS: TestUnit (0.00s)",
    "ok  \texample/x\t0.02s",
  ].join("\n");

  it("counts top-level results, not subtests", () => {
    expect(summarizeGoTest(out)).toEqual({ passed: 2, failed: 1, skipped: 1 });
  });

  it("filters by name", () => {
    expect(summarizeGoTest(out, /^TestBlackBox/)).toEqual({ passed: 1, failed: 1, skipped: 1 });
  });

  it("counts nothing in a run with no tests", () => {
    expect(summarizeGoTest("ok  \texample/x\t0.01s [no tests to run]\n")).toEqual({ passed: 0, failed: 0, skipped: 0 });
  });
});

describe("digests", () => {
  it("reads the digest of a published reference", () => {
    expect(digestOf(`ghcr.io/o/s:v1@${D1}`)).toBe(D1);
    expect(() => digestOf("ghcr.io/o/s:v1")).toThrow("no digest");
  });

  it("accepts tags that share one digest and rejects tags that do not", () => {
    expect(sameDigest([`r:v1@${D1}`, `r:latest@${D1}`])).toBe(D1);
    expect(() => sameDigest([`r:v1@${D1}`, `r:latest@${D2}`])).toThrow("different digests");
  });
});

describe("tail", () => {
  it("keeps the last lines", () => {
    expect(tail("1\n2\n3\n4", 2)).toBe("…\n3\n4");
  });
});

describe("pushFailureMessage", () => {
  it("says the registry refused the credentials, in one line", () => {
    const msg = pushFailureMessage("ghcr.io", "ghcr.io/o/s:v1", "failed to push: 401 Unauthorized\nmore detail", true);
    expect(msg).toBe("could not push ghcr.io/o/s:v1: ghcr.io refused the credentials (check --username and --password)");
  });

  it("says credentials are required when none were given", () => {
    const msg = pushFailureMessage("ghcr.io", "ghcr.io/o/s:v1", "failed to push: 401 Unauthorized", false);
    expect(msg).toBe(
      "could not push ghcr.io/o/s:v1: ghcr.io requires credentials and none were given " +
        "(pass --username and --password, e.g. --password env://REGISTRY_TOKEN)",
    );
  });

  it("keeps only the first line of other errors", () => {
    expect(pushFailureMessage("r", "r/s:v1", "dial tcp: connection refused\nstack", true)).toBe(
      "could not push r/s:v1: dial tcp: connection refused",
    );
  });
});

describe("goTestFailures", () => {
  it("names each failed test with the lines it logged", () => {
    const out = [
      "=== RUN   TestOK",
      "--- PASS: TestOK (0.00s)",
      "=== RUN   TestBroken",
      "    broken_test.go:9: got 1, want 2",
      "--- FAIL: TestBroken (0.00s)",
      "=== RUN   TestTable",
      "=== RUN   TestTable/empty",
      "    table_test.go:4: empty input",
      "    --- FAIL: TestTable/empty (0.00s)",
      "--- FAIL: TestTable (0.00s)",
      "FAIL",
    ].join("\n");
    expect(goTestFailures(out)).toEqual([
      { name: "TestBroken", log: ["    broken_test.go:9: got 1, want 2"] },
      { name: "TestTable/empty", log: ["    table_test.go:4: empty input"] },
      { name: "TestTable", log: ["    table_test.go:4: empty input", "    --- FAIL: TestTable/empty (0.00s)"] },
    ]);
  });

  it("finds nothing in a passing run", () => {
    expect(goTestFailures("=== RUN   TestOK\n--- PASS: TestOK (0.00s)\nPASS\n")).toEqual([]);
  });
});
