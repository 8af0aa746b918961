/**
 * The module-wide options users reach for with services that are not built the go-scratch way, on
 * the engine: runtime configuration (--env, --args) used by test as by build, Go's time zone
 * database (--tzdata), more -X definitions (--define), a toolchain given as a Container with cache
 * volumes of the user's own, zstd layers, and the misuses refused before anything runs.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";
import { minutes, sh } from "../support/commands.js";
import { CONFSVC, TEST_GOLANG_IMAGE, engineSuite, goScratch, rejection, useEngineSession } from "../support/engine.js";
import { OciLayout } from "../support/ociLayout.js";
import { getManifest, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";

const run = engineSuite("options", [registryAvailable()]);

const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-options-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));



describe.skipIf(!run)("engine: module options", () => {
  useEngineSession();

  it.each([
    ["a registry host that does not resolve", "registry.invalid/golang:1.26", /no such host/],
    ["an image the registry does not have", "127.0.0.1:5000/go-scratch-no-such-image:1", /not found/],
  ])(
    "says in one line that it could not pull --golang-image from %s, with the engine's cause and what to pass",
    async (_, golangImage, cause) => {
      const started = Date.now();
      const message = await rejection(goScratch({ golangImage }).build());
      console.log(`build with --golang-image=${golangImage} (${((Date.now() - started) / 1000).toFixed(1)} s):\n${message}`);
      expect(message.split("\n")).toHaveLength(1);
      expect(message).toMatch(new RegExp(`^failed to resolve image "${golangImage.replace(/[.:/]/g, "\\$&")}"`));
      expect(message).toMatch(cause);
      expect(message).toMatch(/: pass --golang-image with an image this engine can pull .*, or --toolchain$/);
    },
    minutes(5),
  );

  it(
    "puts --env and --args into the image, and test runs the service with them; --tzdata makes LoadLocation work",
    async () => {
      const gs = goScratch({ ...CONFSVC, tzdata: true });
      const image = await gs.build();
      expect(await image.defaultArgs()).toEqual(["-addr", ":9090"]);
      expect(await image.envVariable("TZ_NAME")).toBe("America/New_York");
      const report = await gs.test();
      expect(report).toContain("GET http://app:9090/healthz: 200");
    },
    minutes(10),
  );

  it(
    "without --tzdata the same service fails test: scratch has no time zone database",
    async () => {
      const message = await rejection(goScratch(CONFSVC).test());
      console.log(`test of test/fixtures/confsvc without --tzdata:\n${message}`);
      expect(message).toMatch(/^health probe GET http:\/\/app:9090\/healthz failed/);
      expect(message).toContain("status 500 Internal Server Error, want 200");
    },
    minutes(10),
  );

  it(
    "stamps --define after the version and revision",
    async () => {
      const app = join(work, "app-define");
      await (await goScratch({ revision: "r1", define: ["main.commit=from-define"] }).binary("linux/amd64")).export(app);
      const stamped = JSON.parse(await sh(app, ["version"])) as Record<string, string>;
      expect(stamped.commit).toBe("from-define");
    },
    minutes(10),
  );

  it(
    "builds with a toolchain given as a Container and cache volumes of the caller's own",
    async () => {
      const tag = `go-scratch-test-mod-${Date.now()}`;
      const modCache = dag.cacheVolume(tag);
      const toolchain = dag.container().from(TEST_GOLANG_IMAGE ?? GOLANG_IMAGE);
      const gs = goScratch({ source: "test/fixtures/cmdsvc", pkg: "./cmd/server", toolchain, modCache, buildCache: dag.cacheVolume("go-scratch-test-go-build") });
      expect(await (await gs.build()).user()).toBe("65532:65532");
      // The modules went into the caller's volume: another container mounting it finds them there.
      const listed = await toolchain
        .withMountedCache("/mod", modCache)
        .withExec(["ls", "/mod/cache/download/github.com/google/uuid/@v"])
        .stdout();
      expect(listed).toContain("v1.6.0.zip");
    },
    minutes(10),
  );

  describe("zstd layers", () => {
    let registry: LocalRegistry;
    beforeAll(async () => {
      registry = await startRegistry();
    }, minutes(2));
    afterAll(() => registry?.stop());

    it(
      "compresses the tarball's and the published image's layers with zstd when asked",
      async () => {
        const tar = join(work, "zstd.tar");
        await (await goScratch().tarball("linux/amd64", "zstd")).export(tar);
        const layout = OciLayout.unpack(tar, join(work, "zstd"));
        const manifest = layout.json<{ layers: { mediaType: string }[] }>(layout.index().manifests[0].digest);
        expect(manifest.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+zstd"]);

        const service = dag.host().service([{ frontend: registry.port, backend: registry.port }]);
        await goScratch().publish("v1.0.0", `localhost:${registry.port}/zstd`, undefined, undefined, "linux/amd64", undefined, undefined, true, service, "zstd");
        const index = await getManifest<{ manifests: { digest: string }[] }>(registry.url, "zstd", "v1.0.0");
        const pushed = await getManifest<{ layers: { mediaType: string }[] }>(registry.url, "zstd", index.body.manifests[0].digest);
        expect(pushed.body.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+zstd"]);
      },
      minutes(10),
    );
  });

  it("refuses misuse before anything runs, saying what to do", async () => {
    expect(() => goScratch({ port: 80 })).toThrow("port 80 is privileged (below 1024)");
    expect(() => goScratch({ env: ["AWS_SECRET_ACCESS_KEY=x"] })).toThrow("this looks like a secret");
    expect(() => goScratch({ define: ["main.x"] })).toThrow('invalid definition "main.x"');
    expect(await rejection(goScratch().tarball(undefined, "brotli"))).toBe('invalid compression "brotli": expected gzip or zstd');
  });
});
