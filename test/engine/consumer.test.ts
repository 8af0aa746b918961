/**
 * Docker as the consumer of what the engine built: the image `build` exported, loaded into Docker,
 * and the index `publish` pushed, pulled back by Docker, each run the way users run a scratch
 * service (--read-only --cap-drop ALL --security-opt no-new-privileges): as 65532 with no
 * capabilities, healthy by its own health check, no shell, and passing the service's black-box suite
 * through a published port.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { NONROOT } from "../../dagger/src/recipe/image.js";
import { summarizeGoTest } from "../../dagger/src/recipe/report.js";
import { minutes, ROOT, sh } from "../support/commands.js";
import { DockerResources, docker, runLockedDown, waitHealthy, type RunningContainer } from "../support/docker.js";
import { engineSuite, goScratch, useEngineSession } from "../support/engine.js";
import { registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import { dockerAvailable, toolAvailable } from "../support/requirements.js";

const run = engineSuite("Docker runs what the engine built", [dockerAvailable(), registryAvailable(), toolAvailable("go", ["version"])]);

const STAMP = { version: "v1.2.3-consumer", revision: "0123abcd" };

describe.skipIf(!run)("engine: the exported image, run by Docker", () => {
  useEngineSession();
  const res = new DockerResources();
  const work = res.dir(mkdtempSync(join(tmpdir(), "go-scratch-consumer-")));
  let running: RunningContainer;

  beforeAll(async () => {
    const tar = join(work, "image.tar");
    await (await goScratch({ ...STAMP, sourceDateEpoch: 1_700_000_000 }).build("linux/amd64")).export(tar);
    const loaded = await docker(["load", "-i", tar]);
    const id = /Loaded image ID: (sha256:[0-9a-f]{64})/.exec(loaded)?.[1];
    expect(id, `docker load printed: ${loaded}`).toBeDefined();
    await docker(["tag", id!, res.image("go-scratch-test/consumer:engine")]);
    running = await runLockedDown(res, "go-scratch-test/consumer:engine", 8080);
  }, minutes(10));
  afterAll(() => res.cleanup(), minutes(2));

  it("runs as 65532 with no capabilities, no new privileges and a read-only root", async () => {
    const status = readFileSync(`/proc/${running.pid}/status`, "utf8");
    expect(status).toMatch(new RegExp(`^Uid:\\s+${NONROOT.uid}\\s+${NONROOT.uid}\\s+${NONROOT.uid}\\s+${NONROOT.uid}$`, "m"));
    expect(status).toMatch(new RegExp(`^Gid:\\s+${NONROOT.gid}\\s`, "m"));
    expect(status).toMatch(/^CapEff:\s+0{16}$/m);
    expect(status).toMatch(/^CapPrm:\s+0{16}$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    expect((await docker(["inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", running.id])).trim()).toBe("true");
  });

  it("becomes healthy through its own health check", async () => {
    expect(await waitHealthy(running.id, minutes(1))).toBe("healthy");
  }, minutes(2));

  it("has no shell to exec into", async () => {
    await expect(docker(["exec", running.id, "/bin/sh", "-c", "true"])).rejects.toThrow(/no such file|not found|executable file/i);
  });

  it("passes the service's black-box suite through the published port", async () => {
    await waitHealthy(running.id, minutes(1));
    const out = await sh("go", ["test", "-count=1", "-v", "-run", "^TestBlackBox", "./..."], {
      cwd: join(ROOT, "service"),
      env: { ...process.env, SERVICE_URL: running.url, EXPECT_VERSION: STAMP.version, EXPECT_COMMIT: STAMP.revision },
    });
    const t = summarizeGoTest(out, /^TestBlackBox/);
    console.log(`black-box suite against ${running.url} (Docker, image exported by the engine): ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
    expect(t).toMatchObject({ failed: 0, skipped: 0 });
    expect(t.passed).toBeGreaterThanOrEqual(5);
  }, minutes(2));

  it("logs JSON access lines to stdout", async () => {
    const lines = (await docker(["logs", running.id])).split("\n").filter((l) => l.startsWith("{"));
    expect(lines.length).toBeGreaterThan(0);
    expect(() => lines.map((l) => JSON.parse(l) as unknown)).not.toThrow();
  });

  describe("the published index, pulled by Docker", () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    }, minutes(2));
    afterAll(() => registry?.stop());

    it(
      "pulls the platform of this machine from the two-platform index and runs it, healthy, with the stamped version",
      async () => {
        const service = dag.host().service([{ frontend: registry.port, backend: registry.port }]);
        const [ref] = (
          await goScratch({ version: "v2.0.0" }).publish("v2.0.0", `127.0.0.1:${registry.port}/consumer`, undefined, undefined, undefined, undefined, undefined, true, service)
        ).split("\n");
        const pulled = res.image(ref.split("@")[0]);
        await docker(["pull", "-q", pulled]);
        expect((await docker(["image", "inspect", "-f", "{{.Architecture}}", pulled])).trim()).toBe("amd64");
        const c = await runLockedDown(res, pulled, 8080);
        expect(await waitHealthy(c.id, minutes(1))).toBe("healthy");
        const version = (await (await fetch(`${c.url}/version`)).json()) as { version?: string };
        expect(version.version).toBe("v2.0.0");
      },
      minutes(10),
    );
  });
});
