/**
 * The image contract, proven on the reference service with real tools: the module's exact go build
 * with local Go, the recipe's files and configuration assembled into a FROM-scratch image by a real
 * Docker engine, run locked down, and probed from outside its network namespace.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CA_BUNDLE_PATH, NONROOT, rootfsLayout, type RuntimeOptions } from "../../dagger/src/recipe/image.js";
import { FORBIDDEN_PATHS } from "../../dagger/src/recipe/policy.js";
import { summarizeGoTest } from "../../dagger/src/recipe/report.js";
import { DockerResources, HOST_CA_BUNDLE, buildRuntimeImage, copyTree, docker, localGoBuild, tempDir } from "../support/recipeRealisation.js";
import { ROOT, sh } from "../support/commands.js";
import { dockerAvailable, requireOrSkip, toolAvailable } from "../support/requirements.js";
import { layerEntries, runLockedDown, waitHealthy, type RunningContainer } from "../support/containers.js";

const run = requireOrSkip("image: reference service", [
  dockerAvailable(),
  toolAvailable("go", ["version"]),
  toolAvailable("readelf", ["--version"]),
]);

const STAMP = { version: "v1.2.3-test", revision: "0123abcd" };
const EPOCH = 1_700_000_000;
const RUNTIME: RuntimeOptions = { ...STAMP, sourceDateEpoch: EPOCH, title: "go-scratch reference service" };
const SIZE_SLACK = 300_000;

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

describe.skipIf(!run)("the reference service built by the recipe", () => {
  const res = new DockerResources();
  const work = res.dir(tempDir("service"));
  const binA = join(work, "a.bin");
  const binB = join(work, "b.bin");
  let imageA = "";
  let imageB = "";
  let running: RunningContainer;

  beforeAll(async () => {
    // Two checkouts in different directories, built at different times, each with a cold build cache.
    const srcA = copyTree(join(ROOT, "service"), join(work, "a", "service"));
    await localGoBuild(srcA, { platform: "linux/amd64", ...STAMP, output: binA, goCache: join(work, "cache-a") });
    await sleep(1100);
    const srcB = copyTree(join(ROOT, "service"), join(work, "b", "elsewhere", "src"));
    await localGoBuild(srcB, { platform: "linux/amd64", ...STAMP, output: binB, goCache: join(work, "cache-b") });

    // --no-cache: with the builder's cache the second build would only reuse the first image's layer.
    const noCache = ["--no-cache"];
    imageA = (await buildRuntimeImage(res, "go-scratch-test/service:a", RUNTIME, { binary: binA, caBundle: HOST_CA_BUNDLE }, noCache)).tag;
    await sleep(1100);
    imageB = (await buildRuntimeImage(res, "go-scratch-test/service:b", RUNTIME, { binary: binB, caBundle: HOST_CA_BUNDLE }, noCache)).tag;
    running = await runLockedDown(res, imageA, 8080);
  });

  afterAll(async () => {
    await res.cleanup();
  });

  describe("binary", () => {
    it("is byte-identical across two checkouts built at different times", () => {
      const [a, b] = [sha256(binA), sha256(binB)];
      console.log(`binary sha256: a=${a}\n               b=${b}\nbinary size: ${statSync(binA).size} bytes`);
      expect(b).toBe(a);
    });

    it("is statically linked: no ELF interpreter", async () => {
      const headers = await sh("readelf", ["-lW", binA]);
      expect(headers).toMatch(/LOAD/);
      expect(headers).not.toMatch(/INTERP|Requesting program interpreter/);
    });

    it("is stripped: no symbol table", async () => {
      const sections = await sh("readelf", ["-SW", binA]);
      expect(sections).toMatch(/\.text/);
      expect(sections).not.toMatch(/\.symtab/);
    });

    it("carries the version and revision stamped with -X", async () => {
      const out = JSON.parse(await sh(binA, ["version"])) as Record<string, string>;
      expect(out.version).toBe(STAMP.version);
      expect(out.commit).toBe(STAMP.revision);
    });

    it("cross-compiles for linux/arm64 without emulation", async () => {
      const arm = join(work, "arm64.bin");
      await localGoBuild(join(work, "a", "service"), { platform: "linux/arm64", ...STAMP, output: arm });
      expect(await sh("readelf", ["-hW", arm])).toMatch(/Machine:\s+AArch64/);
    });
  });

  describe("image", () => {
    it("has the same layer content when built twice from the two binaries", async () => {
      const layers = async (img: string) =>
        JSON.parse(await docker(["image", "inspect", "-f", "{{json .RootFS.Layers}}", img])) as string[];
      const [a, b] = [await layers(imageA), await layers(imageB)];
      const id = async (img: string) => (await docker(["image", "inspect", "-f", "{{.Id}}", img])).trim();
      console.log(`layer diff_ids: a=${a.join(",")}\n                b=${b.join(",")}`);
      // Two separate builds (their image IDs differ: the builder stamps its clock into the config) ...
      expect(await id(imageB)).not.toBe(await id(imageA));
      // ... whose layer content is the same, byte for byte.
      expect(a).toHaveLength(1);
      expect(b).toEqual(a);
    });

    it("holds exactly the recipe's files, root-owned, timestamps at the epoch, no shell or package manager", async () => {
      const entries = await layerEntries(imageA, work);
      const want = rootfsLayout(RUNTIME);
      expect(entries.map((e) => e.path).sort()).toEqual(want.map((e) => e.path).sort());
      for (const w of want) {
        const got = entries.find((e) => e.path === w.path)!;
        expect({ path: got.path, mode: got.mode.toString(8), uid: got.uid, gid: got.gid, mtime: got.mtime }).toEqual({
          path: w.path,
          mode: w.mode.toString(8),
          uid: 0,
          gid: 0,
          mtime: EPOCH,
        });
      }
      for (const p of FORBIDDEN_PATHS) expect(entries.map((e) => e.path)).not.toContain(p);
      const passwd = entries.find((e) => e.path === "/etc/passwd")!;
      expect(passwd.type).toBe("file");
      expect(entries.find((e) => e.path === CA_BUNDLE_PATH)?.size).toBe(statSync(HOST_CA_BUNDLE).size);
    });

    it("is configured as the recipe says: user 65532, port, entrypoint, health check, labels", async () => {
      const cfg = JSON.parse(await docker(["image", "inspect", "-f", "{{json .Config}}", imageA])) as {
        User: string;
        ExposedPorts: Record<string, unknown>;
        Entrypoint: string[];
        Cmd: string[] | null;
        Env: string[];
        Healthcheck: { Test: string[] };
        Labels: Record<string, string>;
      };
      expect(cfg.User).toBe(`${NONROOT.uid}:${NONROOT.gid}`);
      expect(Object.keys(cfg.ExposedPorts)).toEqual(["8080/tcp"]);
      expect(cfg.Entrypoint).toEqual(["/usr/local/bin/app"]);
      expect(cfg.Env).toContain("PORT=8080");
      expect(cfg.Healthcheck.Test).toEqual(["CMD", "/usr/local/bin/app", "healthcheck"]);
      expect(cfg.Labels["org.opencontainers.image.version"]).toBe(STAMP.version);
      expect(cfg.Labels["org.opencontainers.image.revision"]).toBe(STAMP.revision);
      expect(cfg.Labels["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:20Z");
    });

    it("is at most the binary plus 300 KB", async () => {
      const image = Number(await docker(["image", "inspect", "-f", "{{.Size}}", imageA]));
      const binary = statSync(binA).size;
      console.log(`image ${image} bytes, binary ${binary} bytes, overhead ${image - binary} bytes (limit ${SIZE_SLACK})`);
      expect(image).toBeGreaterThanOrEqual(binary);
      expect(image).toBeLessThanOrEqual(binary + SIZE_SLACK);
    });
  });

  describe("running image (--read-only --cap-drop ALL --security-opt no-new-privileges)", () => {
    it("runs as 65532 with no capabilities and no new privileges", () => {
      const status = readFileSync(`/proc/${running.pid}/status`, "utf8");
      expect(status).toMatch(new RegExp(`^Uid:\\s+${NONROOT.uid}\\s+${NONROOT.uid}\\s+${NONROOT.uid}\\s+${NONROOT.uid}$`, "m"));
      expect(status).toMatch(new RegExp(`^Gid:\\s+${NONROOT.gid}\\s`, "m"));
      expect(status).toMatch(/^CapEff:\s+0{16}$/m);
      expect(status).toMatch(/^CapPrm:\s+0{16}$/m);
      expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    });

    it("has a read-only root file system", async () => {
      expect((await docker(["inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", running.id])).trim()).toBe("true");
    });

    it("becomes healthy through its own health check", async () => {
      expect(await waitHealthy(running.id, 60_000)).toBe("healthy");
    }, 90_000);

    it("has no shell to exec into", async () => {
      await expect(docker(["exec", running.id, "/bin/sh", "-c", "true"])).rejects.toThrow(/no such file|not found|executable file/i);
    });

    it("passes the service's black-box suite, reached from outside the container's network namespace", async () => {
      await waitHealthy(running.id, 60_000);
      const out = await sh("go", ["test", "-count=1", "-v", "-run", "^TestBlackBox", "./..."], {
        cwd: join(ROOT, "service"),
        env: {
          ...process.env,
          SERVICE_URL: running.url,
          EXPECT_VERSION: STAMP.version,
          EXPECT_COMMIT: STAMP.revision,
        },
      });
      const t = summarizeGoTest(out, /^TestBlackBox/);
      console.log(`black-box suite against ${running.url}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
      expect(t.failed).toBe(0);
      expect(t.skipped).toBe(0);
      expect(t.passed).toBeGreaterThanOrEqual(5);
    }, 120_000);

    it("logs JSON access lines to stdout", async () => {
      const logs = await docker(["logs", running.id]);
      const lines = logs.split("\n").filter((l) => l.startsWith("{"));
      expect(lines.length).toBeGreaterThan(0);
      expect(() => lines.map((l) => JSON.parse(l) as unknown)).not.toThrow();
      writeFileSync(join(work, "container.log"), logs);
    });
  });
});
