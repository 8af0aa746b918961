/**
 * Engine suite: `dagger call test` passes on the reference service and reports it, and fails, naming
 * go test, on a copy of the service with a failing test.
 * Runs only where the dagger CLI is on PATH; REQUIRE_DAGGER=1 makes its absence a failure.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { dagger, daggerOk } from "../support/dagger.js";
import { lastLines, minutes, ROOT } from "../support/commands.js";
import { requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("engine: test", [toolAvailable("dagger", ["version"])], "REQUIRE_DAGGER");

const FAILING_TEST = `package main

import "testing"

// Added by the engine suite to prove that a failing test fails \`dagger call test\`.
func TestZZEngineSuiteDeliberateFailure(t *testing.T) {
	t.Fatal("deliberate failure from test/engine/check.test.ts")
}
`;

describe.skipIf(!run)("engine: dagger call test", () => {
  let tmp = "";
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "go-scratch-engine-test-"));
  });
  afterAll(() => {
    if (tmp !== "") rmSync(tmp, { recursive: true, force: true });
  });

  it(
    "passes on the reference service and says so",
    async () => {
      const out = await daggerOk(["call", "test"], minutes(20));
      expect(out, "the report's first line").toContain("all checks passed");
      expect(out).toMatch(/go test \.\/\.\.\.: \d+ passed, 0 failed/);
      expect(out).toMatch(/GET http:\/\/\S+\/healthz: 200/);
      expect(out).toMatch(/image policy: user 65532:65532/);
    },
    minutes(25),
  );

  it(
    "fails, naming go test, when a test fails",
    async () => {
      const broken = join(tmp, "service");
      cpSync(join(ROOT, "service"), broken, { recursive: true });
      writeFileSync(join(broken, "zz_fail_test.go"), FAILING_TEST);
      const r = await dagger(["call", `--source=${broken}`, "test"], minutes(20));
      const all = `${r.stdout}\n${r.stderr}`;
      expect(r.code, `\`${r.command}\` should fail; it printed:\n${lastLines(r.stdout)}`).not.toBe(0);
      expect(r.signal, "it should fail by itself, not by the time limit").toBeNull();
      expect(all, `the error should name go test:\n${lastLines(r.stderr, 60)}`).toMatch(/go test \.\/\.\.\. failed/);
      expect(all, "the failing test's name should be shown").toContain("TestZZEngineSuiteDeliberateFailure");
      expect(r.stdout, "no success report on failure").not.toContain("all checks passed");
    },
    minutes(25),
  );
});
