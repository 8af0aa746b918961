/**
 * `test` on the engine: it passes on service/ and on a cmd/-layout service with a dependency, and
 * fails, with a message naming the cause, on a service that listens on 127.0.0.1 only, on one whose
 * unit test fails, on one whose black-box test fails, on a wrong health path and over the size
 * budget. Every option of `test` is exercised.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { minutes, ROOT } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession } from "../support/engine.js";

const run = engineSuite("test");

const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A copy of service/ with one more file. */
function serviceWith(name: string, file: string, contents: string): string {
  const dir = join(work, name);
  cpSync(join(ROOT, "service"), dir, { recursive: true });
  mkdirSync(join(dir, file, ".."), { recursive: true });
  writeFileSync(join(dir, file), contents);
  return dir;
}

describe.skipIf(!run)("engine: test", () => {
  useEngineSession();

  it(
    "passes on service/: vet, unit tests, the health probe and the black-box suite over the binding, the policy",
    async () => {
      const report = await goScratch({ version: "v1.2.3", revision: "abc123" }).test();
      console.log(report);
      const lines = report.split("\n").map((l) => l.trim());
      expect(lines[0]).toBe("go-scratch test: all checks passed");
      expect(lines).toContain("go vet ./...: ok");
      expect(report).toMatch(/go test \.\/\.\.\.: [1-9]\d* passed, 0 failed/);
      expect(lines).toContain("GET http://app:8080/healthz: 200");
      // The black-box suite checks what was stamped (EXPECT_VERSION, EXPECT_COMMIT), so it ran for real.
      expect(report).toMatch(/black-box tests against http:\/\/app:8080: [1-9]\d* passed, 0 failed, 0 skipped/);
      expect(report).toMatch(/image policy: user 65532:65532, entrypoint \["\/usr\/local\/bin\/app"\], health check present, no shell, [\d.]+ MB \(budget 20\.00 MB\)/);
    },
    minutes(10),
  );

  it(
    "passes on a service with a dependency and its main package under cmd/, and with every test option set",
    async () => {
      const report = await goScratch({
        source: "test/fixtures/cmdsvc",
        pkg: "./cmd/server",
        port: 9090,
        healthPath: "/healthz",
        blackboxPattern: "^TestBlackBox",
        maxSizeMb: 10,
      }).test();
      expect(report).toContain("GET http://app:9090/healthz: 200");
      expect(report).toContain("black-box tests: none match ^TestBlackBox (skipped)");
      expect(report).toContain("(budget 10.00 MB)");
    },
    minutes(10),
  );

  it(
    "builds and tests a go.work workspace whose main package is in one of its modules",
    async () => {
      const report = await goScratch({ source: "test/fixtures/workspace", pkg: "./svc/cmd/server", healthcheck: false }).test();
      console.log(report);
      expect(report).toContain("go vet ./lib/... ./svc/...: ok");
      expect(report).toMatch(/go test \.\/lib\/\.\.\. \.\/svc\/\.\.\.: 1 passed, 0 failed/);
      expect(report).toContain("GET http://app:8080/healthz: 200");
    },
    minutes(10),
  );

  it(
    "builds and tests a workspace whose service module requires the workspace's library at v0.0.0 (no replace)",
    async () => {
      const o = { source: "test/fixtures/wsrequires", pkg: "./svc/cmd/server", healthcheck: false };
      const report = await goScratch(o).test();
      console.log(report);
      expect(report).toContain("go vet ./lib/... ./svc/...: ok");
      expect(report).toMatch(/go test \.\/lib\/\.\.\. \.\/svc\/\.\.\.: 1 passed, 0 failed/);
      expect(report).toContain("GET http://app:8080/healthz: 200");
    },
    minutes(10),
  );

  it(
    "selects the black-box tests with --blackbox-pattern and probes --health-path",
    async () => {
      const report = await goScratch({ healthPath: "/readyz", blackboxPattern: "^TestBlackBoxHealthz$" }).test();
      expect(report).toContain("GET http://app:8080/readyz: 200");
      expect(report).toContain("black-box tests against http://app:8080: 1 passed, 0 failed, 0 skipped");
    },
    minutes(10),
  );

  it.each([
    ["with its health check", {}],
    ["without a health check (the engine alone would wait for its port without a bound)", { healthcheck: false }],
  ])(
    "fails fast on a service that listens on 127.0.0.1 only, %s, naming 0.0.0.0 and showing its output",
    async (_, options) => {
      const started = Date.now();
      const message = await rejection(goScratch({ source: "test/fixtures/loopback", ...options }).test());
      const seconds = (Date.now() - started) / 1000;
      console.log(`test on test/fixtures/loopback (${seconds.toFixed(1)} s):\n${message}`);
      expect(message.split("\n")[0]).toBe(
        'the service listens on 127.0.0.1:8080 only, which nothing outside its container can reach: listen on all interfaces, 0.0.0.0:8080 (in Go, ":8080" as the address)',
      );
      expect(message).toContain("listening on 127.0.0.1:8080");
      expect(seconds, "well before a default 60 s start timeout runs out").toBeLessThan(90);
    },
    minutes(5),
  );

  it(
    "fails within --start-timeout on a service that exits at once, with its exit code and output",
    async () => {
      const source = serviceWith(
        "exits-at-once",
        "zz_exit.go",
        // Only where the image sets ZZ_EXIT (not in the service's own tests, which run its binary).
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\nfunc init() {\n\tif os.Getenv("ZZ_EXIT") != "" && len(os.Args) == 1 {\n\t\tfmt.Fprintln(os.Stderr, "config: DATABASE_URL is not set")\n\t\tos.Exit(4)\n\t}\n}\n',
      );
      const message = await rejection(goScratch({ source, env: ["ZZ_EXIT=1"], startTimeout: 20 }).test());
      console.log(`test on a service that exits at once:\n${message}`);
      expect(message.split("\n")[0]).toMatch(/^the service exited with code 4 \d+\.\d s after it started, before it listened on port 8080: /);
      expect(message).toContain("  config: DATABASE_URL is not set");
    },
    minutes(5),
  );

  it(
    "fails on a service whose unit test fails, naming the test and what it logged",
    async () => {
      const source = serviceWith(
        "failing-unit",
        "zz_fail_test.go",
        'package main\n\nimport "testing"\n\nfunc TestZZDeliberateFailure(t *testing.T) { t.Fatal("deliberate unit failure") }\n',
      );
      const message = await rejection(goScratch({ source }).test());
      console.log(`test on a service with a failing unit test:\n${message}`);
      expect(message.split("\n")[0]).toBe("go test ./... failed: TestZZDeliberateFailure");
      expect(message).toContain("deliberate unit failure");
    },
    minutes(10),
  );

  it(
    "fails on a service whose black-box test fails against the running image",
    async () => {
      const source = serviceWith(
        "failing-blackbox",
        "blackbox/zz_fail_test.go",
        [
          "package blackbox",
          "",
          'import (\n\t"net/http"\n\t"os"\n\t"testing"\n)',
          "",
          "func TestBlackBoxZZDeliberateFailure(t *testing.T) {",
          '\tif os.Getenv("SERVICE_URL") == "" {',
          '\t\tt.Skip("needs SERVICE_URL")',
          "\t}",
          '\tres, err := http.Get(os.Getenv("SERVICE_URL") + "/no-such-route")',
          "\tif err != nil {",
          "\t\tt.Fatal(err)",
          "\t}",
          "\tif res.StatusCode != http.StatusOK {",
          '\t\tt.Fatalf("GET /no-such-route: status %d, want 200", res.StatusCode)',
          "\t}",
          "}",
          "",
        ].join("\n"),
      );
      const message = await rejection(goScratch({ source }).test());
      console.log(`test on a service with a failing black-box test:\n${message}`);
      expect(message.split("\n")[0]).toBe("black-box tests against http://app:8080 failed: TestBlackBoxZZDeliberateFailure");
      expect(message).toContain("GET /no-such-route: status 404, want 200");
    },
    minutes(10),
  );

  it(
    "fails when the health path does not answer 200, and over the size budget",
    async () => {
      const wrongPath = await rejection(goScratch({ healthPath: "/nope" }).test());
      expect(wrongPath).toMatch(/^health probe GET http:\/\/app:8080\/nope failed/);
      expect(wrongPath).toContain("status 404 Not Found, want 200");
      const tooBig = await rejection(goScratch({ maxSizeMb: 1 }).test());
      expect(tooBig).toMatch(/^image policy failed: the image\n- is [\d.]+ MB, over the budget of 1\.00 MB$/);
    },
    minutes(10),
  );

  it("rejects a health path without a leading slash before anything runs", () => {
    expect(() => goScratch({ healthPath: "healthz" })).toThrow('invalid health path "healthz": must start with / (no spaces)');
  });
});
