/**
 * Publishing proven against a real registry (Debian's docker-registry on 127.0.0.1), once without
 * and once with htpasswd auth: the recipe's image is pushed under the tags the module's rules
 * compute, every tag resolves to one digest, a wrong password fails with one clear line, and a bad
 * tag is rejected before anything is pushed.
 */
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DockerResources, HOST_CA_BUNDLE, buildRuntimeImage, localGoBuild, tempDir } from "../support/recipeRealisation.js";
import { ROOT } from "../support/commands.js";
import { localRelease } from "../support/localRelease.js";
import { catalog, listTags, manifestDigest, startRegistry, type LocalRegistry } from "../support/registry.js";
import { dockerAvailable, requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("registry: publish", [
  dockerAvailable(),
  toolAvailable("go", ["version"]),
  toolAvailable("skopeo", ["--version"]),
  toolAvailable("docker-registry", ["--version"]),
  toolAvailable("htpasswd", ["-nbB", "probe", "probe"]),
]);

const ALICE = { username: "alice", password: "correct-horse-battery" };

describe.skipIf(!run)("publishing the recipe's image to a real registry", () => {
  const res = new DockerResources();
  const work = res.dir(tempDir("publish"));
  let release = "";
  let candidate = "";
  let open: LocalRegistry;
  let locked: LocalRegistry;

  beforeAll(async () => {
    const { binary } = await localGoBuild(join(ROOT, "service"), {
      platform: "linux/amd64",
      version: "v1.0.0",
      revision: "publish-test",
      output: join(work, "app"),
    });
    const sources = { binary, caBundle: HOST_CA_BUNDLE };
    release = (await buildRuntimeImage(res, "go-scratch-test/publish:v1.0.0", { version: "v1.0.0" }, sources)).tag;
    candidate = (await buildRuntimeImage(res, "go-scratch-test/publish:rc", { version: "v1.1.0-rc.1" }, sources)).tag;
    open = await startRegistry();
    locked = await startRegistry({ user: ALICE });
  }, 300_000);

  afterAll(async () => {
    await open?.stop();
    await locked?.stop();
    await res.cleanup();
  });

  it("without auth: pushes v1.0.0 and latest, and both resolve to one digest", async () => {
    const repository = `127.0.0.1:${open.port}/go-scratch`;
    const refs = await localRelease({ dockerImage: release }, "v1.0.0", { repository, registryUrl: open.url });
    console.log(`published (no auth):\n${refs.join("\n")}`);
    expect(refs.map((r) => r.split("@")[0])).toEqual([`${repository}:v1.0.0`, `${repository}:latest`]);
    const [a, b] = await Promise.all(["v1.0.0", "latest"].map((t) => manifestDigest(open.url, "go-scratch", t)));
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(b.digest).toBe(a.digest);
    expect(refs[0]).toBe(`${repository}:v1.0.0@${a.digest}`);
  });

  it("a pre-release is pushed under its own tag and does not move latest", async () => {
    const repository = `127.0.0.1:${open.port}/go-scratch`;
    const refs = await localRelease({ dockerImage: candidate }, "v1.1.0-rc.1", { repository, registryUrl: open.url });
    expect(refs).toHaveLength(1);
    const latest = await manifestDigest(open.url, "go-scratch", "latest");
    const stable = await manifestDigest(open.url, "go-scratch", "v1.0.0");
    const rc = await manifestDigest(open.url, "go-scratch", "v1.1.0-rc.1");
    expect(latest.digest).toBe(stable.digest);
    expect(rc.digest).not.toBe(stable.digest);
    expect(await listTags(open.url, "go-scratch")).toEqual(["latest", "v1.0.0", "v1.1.0-rc.1"]);
  });

  it("a bad tag is rejected before anything is pushed", async () => {
    const before = await catalog(open.url);
    const repository = `127.0.0.1:${open.port}/never-pushed`;
    await expect(localRelease({ dockerImage: release }, "bad tag", { repository, registryUrl: open.url })).rejects.toThrow(
      'invalid tag "bad tag": a tag cannot contain white space',
    );
    await expect(localRelease({ dockerImage: release }, "v1.0.0", { repository: `127.0.0.1:${open.port}/Never`, registryUrl: open.url })).rejects.toThrow(
      "must be lowercase",
    );
    expect(await catalog(open.url)).toEqual(before);
  });

  it("with htpasswd auth: the right password pushes both tags to one digest", async () => {
    const repository = `127.0.0.1:${locked.port}/go-scratch`;
    expect((await fetch(`${locked.url}/v2/`)).status).toBe(401);
    const refs = await localRelease({ dockerImage: release }, "v1.0.0", { repository, registryUrl: locked.url, user: ALICE });
    console.log(`published (htpasswd):\n${refs.join("\n")}`);
    expect(refs).toHaveLength(2);
    const digests = refs.map((r) => r.split("@")[1]);
    expect(digests[1]).toBe(digests[0]);
    expect(await listTags(locked.url, "go-scratch", ALICE)).toEqual(["latest", "v1.0.0"]);
  });

  it("with a wrong password: one clear line that names the registry, no secret, nothing pushed", async () => {
    const repository = `127.0.0.1:${locked.port}/other`;
    const wrong = { username: ALICE.username, password: "wrong-password-123" };
    const err = await localRelease({ dockerImage: release }, "v2.0.0", { repository, registryUrl: locked.url, user: wrong }).then(
      () => undefined,
      (e: Error) => e,
    );
    console.log(`wrong password: ${err?.message}`);
    expect(err?.message).toBe(
      `could not push ${repository}:v2.0.0: 127.0.0.1:${locked.port} refused the credentials (check --username and --password)`,
    );
    expect(err?.message).not.toContain(wrong.password);
    expect(await listTags(locked.url, "other", ALICE)).toEqual([]);
  });
});
