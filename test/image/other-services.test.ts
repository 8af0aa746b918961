/**
 * The recipe on services other than ours: a service with a third-party module and its main package
 * under cmd/, built through the cache and build layers as Docker stages (so layer reuse is real),
 * and a negative control that listens on 127.0.0.1 only, which the probes must reject.
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { MOD_DOWNLOAD_ARGS } from "../../dagger/src/recipe/goBuild.js";
import { DockerResources, HOST_CA_BUNDLE, buildRuntimeImage, copyBinaryOut, copyTree, dockerBuildStages, localGoBuild, tempDir, toolchainImage } from "../support/recipeRealisation.js";
import { ROOT } from "../support/commands.js";
import { runLockedDown, waitHealthy } from "../support/containers.js";
import { dockerAvailable, requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("image: other services", [dockerAvailable(), toolAvailable("go", ["version"])]);

/** The lines of a legacy `docker build` log for the step that runs `instruction`. */
function stepLog(log: string, instruction: string): string {
  const steps = log.split(/^(?=Step \d+\/\d+ : )/m);
  const step = steps.find((s) => s.startsWith("Step ") && s.split("\n")[0].endsWith(instruction));
  if (!step) throw new Error(`no step "${instruction}" in the build log:\n${log}`);
  return step;
}

describe.skipIf(!run)("a service with a third-party dependency and its main package in cmd/", () => {
  const res = new DockerResources();
  const work = res.dir(tempDir("cmdsvc"));
  const opts = { platform: "linux/amd64", pkg: "./cmd/server", version: "v0.1.0", revision: "fixture" };
  let firstLog = "";
  let secondLog = "";
  let thirdLog = "";
  let binary = "";

  beforeAll(async () => {
    const toolchain = await toolchainImage(res);
    const src = copyTree(join(ROOT, "test", "fixtures", "cmdsvc"), join(work, "src"));
    // 1. The cache layer alone: go.mod and go.sum, then go mod download.
    firstLog = await dockerBuildStages(res, toolchain, src, opts, "go-scratch-test/cmdsvc-deps:1", "deps");
    // 2. Only a .go file changes, then the full build: the cache layer must be reused.
    appendFileSync(join(src, "cmd", "server", "main.go"), "\n// an edit that changes no dependency\n");
    secondLog = await dockerBuildStages(res, toolchain, src, opts, "go-scratch-test/cmdsvc-build:2");
    binary = await copyBinaryOut(res, "go-scratch-test/cmdsvc-build:2", opts, join(work, "2", "app"));
    // 3. go.mod changes: the cache layer must be rebuilt.
    appendFileSync(join(src, "go.mod"), "\n// a manifest edit\n");
    thirdLog = await dockerBuildStages(res, toolchain, src, opts, "go-scratch-test/cmdsvc-deps:3", "deps");
  }, 600_000);

  afterAll(async () => {
    await res.cleanup();
  });

  it("downloads its modules in the cache layer on the first build", () => {
    const step = stepLog(firstLog, `RUN ${JSON.stringify(MOD_DOWNLOAD_ARGS)}`);
    expect(step).not.toMatch(/Using cache/);
  });

  it("rebuilds the go mod download layer when go.mod changed", () => {
    expect(stepLog(thirdLog, `RUN ${JSON.stringify(MOD_DOWNLOAD_ARGS)}`)).not.toMatch(/Using cache/);
  });

  it("reuses the go mod download layer when only a .go file changed, and rebuilds the source layer", () => {
    const download = stepLog(secondLog, `RUN ${JSON.stringify(MOD_DOWNLOAD_ARGS)}`);
    const source = stepLog(secondLog, "COPY . .");
    console.log(`second build, cache layer step:\n${download.trim()}\nsource step:\n${source.trim()}`);
    expect(download).toMatch(/---> Using cache/);
    expect(source).not.toMatch(/Using cache/);
  });

  it("runs locked down from the scratch image, healthy, and serves its dependency's output", async () => {
    const image = await buildRuntimeImage(res, "go-scratch-test/cmdsvc:latest", { version: opts.version }, {
      binary,
      caBundle: HOST_CA_BUNDLE,
    });
    const c = await runLockedDown(res, image.tag, 8080);
    expect(await waitHealthy(c.id, 60_000)).toBe("healthy");
    const resp = await fetch(`${c.url}/id`);
    expect(resp.status).toBe(200);
    const body = (await resp.json()) as { id: string };
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }, 120_000);
});

describe.skipIf(!run)("negative control: a service that listens on 127.0.0.1 only", () => {
  const res = new DockerResources();
  const work = res.dir(tempDir("loopback"));

  afterAll(async () => {
    await res.cleanup();
  });

  it("looks healthy inside its container but cannot be reached from outside, so the probes fail", async () => {
    const src = copyTree(join(ROOT, "test", "fixtures", "loopback"), join(work, "src"));
    const { binary } = await localGoBuild(src, { platform: "linux/amd64", output: join(work, "app") });
    const image = await buildRuntimeImage(res, "go-scratch-test/loopback:latest", {}, { binary, caBundle: HOST_CA_BUNDLE });
    const c = await runLockedDown(res, image.tag, 8080);
    // Its own health check runs inside the container's namespace, where 127.0.0.1 is the service.
    expect(await waitHealthy(c.id, 60_000)).toBe("healthy");
    // From this machine, through the published port, nothing answers.
    await expect(fetch(`${c.url}/healthz`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  }, 180_000);
});
