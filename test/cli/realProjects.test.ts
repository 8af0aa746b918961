/**
 * Services nobody here wrote, as a new user points the module at them through the real `dagger`
 * CLI, from a clean copy of the repository: a go.mod made with today's Go (1.27.3, newer than the
 * toolchain's), one asking for a Go that does not exist, a codebase with a go vet finding, a user
 * toolchain older than the module's own helpers, and `fresh` run twice.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { connection, dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { ROOT, lastLines, minutes, sh, type CommandResult } from "../support/commands.js";
import { cliAvailable, dagger, daggerError, execOutcomes, moduleCopy } from "../support/daggerCli.js";
import { engineAvailable, TEST_GOLANG_IMAGE } from "../support/engine.js";
import { listTags, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import { requireOrSkip } from "../support/requirements.js";
import { EMPTY_VULN_DB } from "../support/vulnDatabase.js";

const run = requireOrSkip("cli: real projects through dagger call", [cliAvailable(), registryAvailable(), engineAvailable()]);

/** The golang images the module builds with here (the pinned ones cannot be pulled): the user's and the module's own. */
const IMAGES = TEST_GOLANG_IMAGE ? [`--golang-image=${TEST_GOLANG_IMAGE}`, `--helper-image=${TEST_GOLANG_IMAGE}`] : [];

/** The Go older than the helpers' go.mod (push: go 1.26.0) that the user's toolchain has. */
const OLD_GO = "go1.24.0";

describe.skipIf(!run)("cli: real projects through dagger call", () => {
  let dir: string;
  let registry: LocalRegistry;
  const times: { command: string; ms: number }[] = [];

  /** test/fixtures/tinysvc copied into the module copy as `name`, its go.mod asking for `goLine`. */
  function tinysvc(name: string, goLine: string): string {
    const to = join(dir, "projects", name);
    cpSync(join(ROOT, "test", "fixtures", "tinysvc"), to, { recursive: true });
    const goMod = join(to, "go.mod");
    writeFileSync(goMod, readFileSync(goMod, "utf8").replace(/^go \S+$/m, `go ${goLine}`));
    return to;
  }

  beforeAll(async () => {
    dir = moduleCopy();
    registry = await startRegistry();
  }, minutes(2));
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(["whole-process times (in order):", ...times.map((t) => `  ${(t.ms / 1000).toFixed(1)} s  ${t.command}`)].join("\n"));
  });

  async function call(args: string[]): Promise<CommandResult> {
    const r = await dagger(dir, ["call", ...args], { timeoutMs: minutes(20) });
    times.push({ command: `dagger call ${args.join(" ")}`, ms: r.ms });
    return r;
  }

  async function ok(args: string[]): Promise<CommandResult> {
    const r = await call(args);
    expect(r.code, `${r.command} exited ${r.code}:\n${lastLines(r.stderr, 30)}`).toBe(0);
    return r;
  }

  /** `publish --tag v1.0.0` of one platform to the test's registry, tests and scan included. */
  function publishArgs(repo: string): string[] {
    return [
      "publish", "--tag=v1.0.0", `--repository=localhost:${registry.port}/${repo}`,
      `--registry-service=tcp://localhost:${registry.port}`, "--platforms=linux/amd64",
    ];
  }

  it(
    "builds, tests and publishes a go.mod made with today's Go (go 1.27.3) on a toolchain with Go 1.26.8: the binary says go1.27.3",
    async () => {
      const svc = tinysvc("go1273", "1.27.3");
      const app = join(dir, "go1273-app");
      await ok([...IMAGES, "binary", `--source=${svc}`, "export", `--path=${app}`]);
      expect((await sh("go", ["version", "-m", app])).split("\n")[0]).toBe(`${app}: go1.27.3`);
      const published = await ok([...IMAGES, `--vuln-db=${EMPTY_VULN_DB}`, ...publishArgs("go1273"), `--source=${svc}`]);
      expect(published.stdout).toMatch(new RegExp(`^localhost:${registry.port}/go1273:v1\\.0\\.0@sha256:[0-9a-f]{64}$`, "m"));
      expect(await listTags(registry.url, "go1273")).toEqual(expect.arrayContaining(["v1.0.0", "latest"]));
    },
    minutes(25),
  );

  it(
    "says in one line what go.mod asks for, what the toolchain has and what to pass, for a Go the proxy does not have",
    async () => {
      const svc = tinysvc("go1279", "1.27.9");
      const r = await call([...IMAGES, "build", `--source=${svc}`]);
      expect(r.code).not.toBe(0);
      expect(daggerError(r)).toBe(
        "Error: go.mod (or go.work) asks for go1.27.9; the toolchain has go1.26.8, and the go command could not fetch go1.27.9 from GOPROXY " +
          "(403 Forbidden: This module version is not available.): pass --golang-image with Go 1.27.9 or newer " +
          "(e.g. golang:1.27.9-alpine, pinned by digest), or --toolchain, or --goproxy with a proxy that serves golang.org/toolchain",
      );
    },
    minutes(10),
  );

  it(
    "fails test on a real go vet finding, naming the option; passes with --vet=false, the image probed",
    async () => {
      const svc = join(dir, "test", "fixtures", "vetfinding");
      const failed = await call([...IMAGES, "--healthcheck=false", "test", `--source=${svc}`]);
      expect(failed.code).not.toBe(0);
      const output = failed.stderr.replace(/\x1b\[[0-9;]*m/g, "");
      expect(output).toContain("go vet ./... failed (exit 1):");
      expect(output).toContain("the cancel function returned by context.WithTimeout should be called, not discarded");
      expect(output).toContain("turn go vet off: --vet=false");
      const passed = await ok([...IMAGES, "--healthcheck=false", "--vet=false", "test", `--source=${svc}`]);
      expect(passed.stdout).toContain("go-scratch test: all checks passed");
      expect(passed.stdout).toContain("go vet: off (--vet=false)");
      expect(passed.stdout).toMatch(/go test \.\/\.\.\.: 1 passed, 0 failed/);
      expect(passed.stdout).toContain("GET http://app:8080/healthz: 200");
    },
    minutes(15),
  );

  it(
    "compiles again on a second `dagger call fresh build`, while a plain build is answered from the cache",
    async () => {
      // A program with few dependencies: with nothing cached, each fresh build compiles the
      // standard library it uses, and net/http's share of that would only add minutes.
      const hello = join(dir, "projects", "hello");
      mkdirSync(hello, { recursive: true });
      writeFileSync(join(hello, "go.mod"), "module example.com/hello\n\ngo 1.22\n");
      writeFileSync(join(hello, "main.go"), 'package main\n\nimport "os"\n\nfunc main() { os.Stdout.WriteString("hello\\n") }\n');
      const compile = /^go build -trimpath -buildvcs=false /;
      const outcomes: string[][] = [];
      for (let i = 0; i < 2; i++) outcomes.push(execOutcomes((await ok([...IMAGES, "fresh", "build", `--source=${hello}`, "user"])).stderr, compile));
      console.log(`go build outcomes of two fresh builds: ${JSON.stringify(outcomes)}`);
      for (const o of outcomes) {
        expect(o.length, "the compile is in the output").toBeGreaterThan(0);
        expect(o, "nothing of the compile came from the cache").not.toContain("CACHED");
      }
      await ok([...IMAGES, "build", `--source=${hello}`, "user"]);
      const again = await ok([...IMAGES, "build", `--source=${hello}`, "user"]);
      expect(again.stderr.replace(/\x1b\[[0-9;]*m/g, "")).toMatch(/GoScratch\.build CACHED/);
    },
    minutes(15),
  );

  it(
    `builds and publishes with a user toolchain whose Go (${OLD_GO}) is older than the module's helpers ask for`,
    async () => {
      // The toolchain: the test golang image with its Go replaced by go1.24.0, which the go command
      // fetches from GOPROXY as it fetches any toolchain; pushed to the test's registry so the CLI
      // can name it (--toolchain takes an image address).
      const image = `127.0.0.1:${registry.port}/old-golang:${OLD_GO}`;
      await connection(async () => {
        const toolchain = `$(go env GOMODCACHE)/golang.org/toolchain@v0.0.1-${OLD_GO}.linux-amd64`;
        await dag
          .container()
          .from(TEST_GOLANG_IMAGE ?? "golang:1.26.8-alpine")
          .withEnvVariable("GOTOOLCHAIN", OLD_GO)
          .withExec(["sh", "-c", `go version && cp -a ${toolchain} /usr/local/go.old && rm -rf /usr/local/go && mv /usr/local/go.old /usr/local/go`])
          .withEnvVariable("GOTOOLCHAIN", "local")
          .publish(image);
      });
      const helpersGo = /^go (\S+)$/m.exec(readFileSync(join(ROOT, "dagger", "helpers", "push", "go.mod"), "utf8"))?.[1];
      expect(`go${helpersGo}` > OLD_GO, `the pusher's go.mod asks for go ${helpersGo}, newer than ${OLD_GO}`).toBe(true);
      const svc = tinysvc("oldgo", "1.22");
      const withOldGo = [...IMAGES, `--toolchain=${image}`];
      const app = join(dir, "oldgo-app");
      await ok([...withOldGo, "binary", `--source=${svc}`, "export", `--path=${app}`]);
      expect((await sh("go", ["version", "-m", app])).split("\n")[0], "the user's Go built the service").toBe(`${app}: ${OLD_GO}`);
      const published = await ok([...withOldGo, `--vuln-db=${EMPTY_VULN_DB}`, ...publishArgs("oldgo"), `--source=${svc}`]);
      expect(published.stdout).toMatch(new RegExp(`^localhost:${registry.port}/oldgo:v1\\.0\\.0@sha256:[0-9a-f]{64}$`, "m"));
    },
    minutes(25),
  );
});
