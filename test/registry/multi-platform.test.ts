/**
 * The release as one multi-platform index, proven without a Dagger engine: the recipe's image for
 * linux/amd64 and linux/arm64 (cross-compiled with local Go, configured with buildah from the same
 * recipe values), pushed as v1.0.0 and latest to a real registry, both tags one digest, each platform's
 * config right, and the image pulled back from the registry runs locked down and healthy.
 */
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { imageConfig } from "../../dagger/src/recipe/image.js";
import { DEFAULT_PUBLISH_PLATFORMS, parsePlatform } from "../../dagger/src/recipe/platform.js";
import { runLockedDown, waitHealthy } from "../support/containers.js";
import { localRelease } from "../support/localRelease.js";
import { BuildahResources, buildIndex } from "../support/multiPlatform.js";
import { DockerResources, docker, tempDir } from "../support/recipeRealisation.js";
import { ROOT } from "../support/commands.js";
import { getBlob, getManifest, listTags, startRegistry, type LocalRegistry } from "../support/registry.js";
import { dockerAvailable, requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("registry: multi-platform index", [
  dockerAvailable(),
  toolAvailable("go", ["version"]),
  toolAvailable("buildah", ["--version"]),
  toolAvailable("skopeo", ["--version"]),
  toolAvailable("docker-registry", ["--version"]),
]);

interface Index {
  manifests: { digest: string; mediaType: string; platform: { os: string; architecture: string } }[];
}

describe.skipIf(!run)("a release published as one multi-platform index", () => {
  const docker_ = new DockerResources();
  const buildah = new BuildahResources();
  const work = docker_.dir(tempDir("index"));
  const stamp = { version: "v1.0.0", revision: "index-test", sourceDateEpoch: 1_700_000_000 };
  let registry: LocalRegistry;
  let refs: string[] = [];

  beforeAll(async () => {
    registry = await startRegistry();
    const list = await buildIndex(buildah, work, join(ROOT, "service"), "go-scratch-test", DEFAULT_PUBLISH_PLATFORMS, stamp);
    refs = await localRelease({ buildahList: list }, "v1.0.0", {
      repository: `127.0.0.1:${registry.port}/go-scratch`,
      registryUrl: registry.url,
    });
    console.log(`published index:\n${refs.join("\n")}`);
  }, 600_000);

  afterAll(async () => {
    await registry?.stop();
    await buildah.cleanup();
    await docker_.cleanup();
  });

  it("tags v1.0.0 and latest with one index digest", async () => {
    expect(refs.map((r) => r.split("@")[0].split(":").pop())).toEqual(["v1.0.0", "latest"]);
    const [a, b] = await Promise.all(["v1.0.0", "latest"].map((t) => getManifest<Index>(registry.url, "go-scratch", t)));
    expect(a.mediaType).toMatch(/manifest\.list\.v2\+json|image\.index\.v1\+json/);
    expect(b.digest).toBe(a.digest);
    expect(refs[0].endsWith(`@${a.digest}`)).toBe(true);
    expect(await listTags(registry.url, "go-scratch")).toEqual(["latest", "v1.0.0"]);
  });

  it("holds one image per default platform, each configured for its architecture", async () => {
    const index = (await getManifest<Index>(registry.url, "go-scratch", "v1.0.0")).body;
    const platforms = index.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`);
    expect(platforms.sort()).toEqual([...DEFAULT_PUBLISH_PLATFORMS].sort());
    for (const m of index.manifests) {
      const manifest = (await getManifest<{ config: { digest: string } }>(registry.url, "go-scratch", m.digest)).body;
      const config = await getBlob<{
        architecture: string;
        config: { User: string; Entrypoint: string[]; Healthcheck: { Test: string[] } };
      }>(
        registry.url,
        "go-scratch",
        manifest.config.digest,
      );
      expect(config.architecture).toBe(parsePlatform(`linux/${m.platform.architecture}`).arch);
      expect(config.config.User).toBe("65532:65532");
      expect(config.config.Entrypoint).toEqual(["/usr/local/bin/app"]);
      expect(config.config.Healthcheck.Test).toEqual(["CMD", ...imageConfig(stamp).healthcheck!.args]);
    }
  });

  it("pulled back from the registry, the amd64 image runs locked down, healthy, at the released version", async () => {
    const ref = docker_.image(`127.0.0.1:${registry.port}/go-scratch:v1.0.0`);
    await docker(["pull", "--quiet", ref]);
    const c = await runLockedDown(docker_, ref, 8080);
    expect(await waitHealthy(c.id, 60_000)).toBe("healthy");
    const version = (await (await fetch(`${c.url}/version`)).json()) as { version: string; commit: string };
    expect(version).toMatchObject({ version: stamp.version, commit: stamp.revision });
  }, 120_000);
});
