/**
 * `build` on the engine: the exported OCI layout is the recipe's image — exactly the recipe's files,
 * each once, with their modes, owners and every mtime at the source date epoch, in one layer — and
 * its configuration (user, entrypoint, env, ports, health check, labels, annotations) is the
 * recipe's, for the defaults and for every option.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { imageConfig, rootfsLayout, type RuntimeOptions } from "../../dagger/src/recipe/image.js";
import { minutes } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession, type TestOptions, type ModuleUnderTest } from "../support/engine.js";
import { OciLayout, type OciImage } from "../support/ociLayout.js";

const run = engineSuite("build");

const EPOCH = 1_700_000_000;
const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-build-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let exports = 0;
/** `build(platform)` exported by the engine and unpacked. */
async function exported(gs: ModuleUnderTest, platform?: string): Promise<{ layout: OciLayout; image: OciImage }> {
  const n = ++exports;
  const tar = join(work, `image-${n}.tar`);
  await (await gs.build(platform)).export(tar);
  const layout = OciLayout.unpack(tar, join(work, `layout-${n}`));
  return { layout, image: layout.single() };
}

/** The recipe's runtime options for module options `o` (what the module passes the recipe). */
function runtime(o: TestOptions, assets = false): RuntimeOptions {
  return {
    binaryName: o.binaryName,
    port: o.port,
    healthcheck: o.healthcheck,
    assets,
    sourceDateEpoch: o.sourceDateEpoch,
    title: o.title,
    version: o.version,
    revision: o.revision,
    source: o.sourceUrl,
  };
}

/** Checks the image's single layer holds exactly the recipe's entries: each once, mode, owner, mtime. */
function expectRecipeFiles(image: OciImage, o: RuntimeOptions, extra: { path: string; mode: number }[] = []): void {
  expect(image.manifest.layers, "one layer").toHaveLength(1);
  expect(image.config.rootfs.diff_ids, "one diff_id").toHaveLength(1);
  const entries = image.layers[0];
  const paths = entries.map((e) => e.path);
  expect(new Set(paths).size, `a path is stored twice: ${paths.join(" ")}`).toBe(paths.length);
  const want = [
    ...rootfsLayout(o).filter((e) => e.kind !== "tree").map((e) => ({ path: e.path, mode: e.mode })),
    ...extra,
  ];
  expect([...paths].sort()).toEqual(want.map((w) => w.path).sort());
  const epoch = o.sourceDateEpoch ?? 0;
  for (const w of want) {
    const got = entries.find((e) => e.path === w.path)!;
    expect({ path: got.path, mode: got.mode.toString(8), uid: got.uid, gid: got.gid, mtime: got.mtime }).toEqual({
      path: w.path,
      mode: w.mode.toString(8),
      uid: 0,
      gid: 0,
      mtime: epoch,
    });
  }
}

/** Checks the config and the manifest annotations are the recipe's imageConfig(o). */
function expectRecipeConfig(image: OciImage, o: RuntimeOptions, arch = "amd64"): void {
  const want = imageConfig(o);
  const c = image.config.config;
  expect(image.config.os).toBe("linux");
  expect(image.config.architecture).toBe(arch);
  expect(c.User).toBe(want.user);
  expect(c.Entrypoint).toEqual(want.entrypoint);
  expect(c.Cmd ?? []).toEqual(want.cmd);
  expect(c.WorkingDir).toBe(want.workdir);
  expect(c.Env ?? []).toEqual(Object.entries(want.env).map(([k, v]) => `${k}=${v}`));
  expect(Object.keys(c.ExposedPorts ?? {})).toEqual(want.exposedPorts.map((p) => `${p}/tcp`));
  expect(c.Labels).toEqual(want.labels);
  expect(image.manifest.annotations).toEqual(want.labels);
  if (want.healthcheck) {
    const h = want.healthcheck;
    const ns = (d: string): number => Number(d.replace(/s$/, "")) * 1e9;
    expect(c.Healthcheck).toEqual({
      Test: ["CMD", ...h.args],
      Interval: ns(h.interval),
      Timeout: ns(h.timeout),
      StartPeriod: ns(h.startPeriod),
      StartInterval: ns(h.startInterval),
      Retries: h.retries,
    });
  } else {
    expect(c.Healthcheck).toBeUndefined();
  }
}

describe.skipIf(!run)("engine: build", () => {
  useEngineSession();

  it(
    "exports one layer holding exactly the recipe's files, root-owned, each mtime at the epoch, /tmp 1777",
    async () => {
      const o: TestOptions = { version: "v1.2.3", revision: "abc123", sourceDateEpoch: EPOCH };
      const { image } = await exported(goScratch(o));
      const rt = runtime(o);
      expectRecipeFiles(image, rt);
      const tmp = image.layers[0].find((e) => e.path === "/tmp")!;
      expect(tmp.mode.toString(8), "the sticky bit on /tmp").toBe("1777");
      console.log(
        `build: ${image.manifest.layers.length} layer(s); entries:\n` +
          image.layers[0].map((e) => `  ${e.mode.toString(8).padStart(4, "0")} ${e.uid}:${e.gid} mtime=${e.mtime} ${e.path}`).join("\n"),
      );
      expectRecipeConfig(image, rt);
      // Nothing but the binary of any size: the rest (CA bundle, passwd, group) is under 300 kB.
      const total = image.layers[0].reduce((n, e) => n + e.size, 0);
      const binary = image.layers[0].find((e) => e.path === "/usr/local/bin/app")!.size;
      console.log(`build: files ${total} bytes, binary ${binary} bytes, the rest ${total - binary} bytes; layer blob ${image.manifest.layers[0].size} bytes gzipped`);
      expect(total - binary).toBeLessThanOrEqual(300_000);
    },
    minutes(10),
  );

  it(
    "is configured as the recipe says with every runtime option changed",
    async () => {
      const o: TestOptions = {
        version: "v2.0.0",
        revision: "f00d",
        port: 9090,
        healthcheck: false,
        binaryName: "svc",
        title: "my service",
        sourceUrl: "https://example.com/me/svc",
        sourceDateEpoch: 86_400,
      };
      const { image } = await exported(goScratch(o));
      const rt = runtime(o);
      expectRecipeFiles(image, rt);
      expectRecipeConfig(image, rt);
      expect(image.layers[0].map((e) => e.path)).toContain("/usr/local/bin/svc");
    },
    minutes(10),
  );

  it(
    "copies --assets read-only under /assets, in the same layer",
    async () => {
      const o: TestOptions = { assets: "test/fixtures/cmdsvc/internal", sourceDateEpoch: EPOCH };
      const { image } = await exported(goScratch(o));
      expectRecipeFiles(image, runtime(o, true), [
        { path: "/assets", mode: 0o555 },
        { path: "/assets/api", mode: 0o555 },
        { path: "/assets/api/api.go", mode: 0o444 },
        { path: "/assets/api/api_test.go", mode: 0o444 },
      ]);
    },
    minutes(10),
  );

  it(
    "builds linux/arm64 by cross-compiling: an arm64 image with the same files",
    async () => {
      const o: TestOptions = { sourceDateEpoch: EPOCH };
      const { image } = await exported(goScratch(o), "linux/arm64");
      expectRecipeFiles(image, runtime(o));
      expectRecipeConfig(image, runtime(o), "arm64");
    },
    minutes(10),
  );

  it(
    "fails with the compiler's message for a source that does not compile",
    async () => {
      const broken = join(work, "broken");
      const { cpSync, writeFileSync } = await import("node:fs");
      cpSync("service", broken, { recursive: true });
      writeFileSync(join(broken, "zz_broken.go"), "package main\n\nfunc broken() {\n\treturn 1 +\n}\n");
      const message = await rejection(goScratch({ source: broken }).build());
      console.log(`build of a source that does not compile:\n${message}`);
      expect(message).toMatch(/^go build \. for linux\/amd64 failed \(exit 1\):/);
      expect(message).toMatch(/zz_broken\.go:\d+:\d+: syntax error/);
    },
    minutes(10),
  );

  it("refuses an unsupported platform before anything runs", async () => {
    const message = await rejection(goScratch().build("windows/amd64"));
    expect(message).toContain('unsupported platform "windows/amd64"');
  });
});
