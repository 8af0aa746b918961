import { describe, expect, it } from "vitest";

import { digestOf, pushFailureMessage, sameDigest, summarizeGoTest, tail } from "../../dagger/src/recipe/report.js";

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
    const msg = pushFailureMessage("ghcr.io", "ghcr.io/o/s:v1", "failed to push: 401 Unauthorized\nmore detail");
    expect(msg).toBe("could not push ghcr.io/o/s:v1: ghcr.io refused the credentials (check --username and --password)");
  });

  it("keeps only the first line of other errors", () => {
    expect(pushFailureMessage("r", "r/s:v1", "dial tcp: connection refused\nstack")).toBe(
      "could not push r/s:v1: dial tcp: connection refused",
    );
  });
});
