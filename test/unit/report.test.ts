import { describe, expect, it } from "vitest";

import { goTestFailures, summarizeGoTest, tail } from "../../dagger/src/recipe/report.js";

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

describe("tail", () => {
  it("keeps the last lines", () => {
    expect(tail("1\n2\n3\n4", 2)).toBe("…\n3\n4");
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
