/**
 * `publish` on the engine, to registries this suite starts on 127.0.0.1 (Debian's docker-registry,
 * reached through a host service binding as on any machine): the tag and `latest` at one digest, a
 * pre-release never moving latest, aliases, an index for one and for two platforms, right, wrong and
 * missing credentials, and nothing pushed on any failure — each checked in the registry itself (its
 * catalog, tags and manifests), not in what publish returns.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { minutes, ROOT } from "../support/commands.js";
import { CONFSVC, engineSuite, goScratch, rejection, useEngineSession, type TestOptions } from "../support/engine.js";
import { catalog, getBlob, getManifest, listTags, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import type { OciConfig, OciIndex } from "../support/ociLayout.js";
import { publishTo, type PublishArgs } from "../support/publishing.js";
import { toolAvailable } from "../support/requirements.js";
import { UUID_VULN, vulnDatabase } from "../support/vulnDatabase.js";

const run = engineSuite("publish", [registryAvailable(), toolAvailable("htpasswd", ["-nbB", "probe", "probe"])]);

const ALICE = { username: "alice", password: "correct-horse-battery" };
const INDEX = "application/vnd.oci.image.index.v1+json";


describe.skipIf(!run)("engine: publish", () => {
  useEngineSession();
  let open: LocalRegistry;
  // Each credentials case gets a registry of its own, so its catalog shows only what that case pushed.
  let locked: LocalRegistry;
  let lockedWrong: LocalRegistry;
  let lockedMissing: LocalRegistry;
  const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-publish-"));

  beforeAll(async () => {
    [open, locked, lockedWrong, lockedMissing] = await Promise.all([
      startRegistry(),
      ...[1, 2, 3].map(() => startRegistry({ user: ALICE })),
    ]);
  }, minutes(2));
  afterAll(async () => {
    await Promise.all([open, locked, lockedWrong, lockedMissing].map((r) => r?.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  const publish = (registry: LocalRegistry, a: PublishArgs, o: TestOptions = {}) => publishTo(registry.port, a, o);

  /** The digest each tag of `repo` resolves to, in the registry. */
  async function digests(registry: LocalRegistry, repo: string, tags: string[]) {
    return Promise.all(tags.map(async (t) => (await getManifest(registry.url, repo, t, userOf(registry))).digest));
  }

  /** The tags of `repo` other than the referrers tag schema's sha256-<digest> tags (one per SBOM'd image). */
  async function releaseTags(url: string, repo: string, user?: { username: string; password: string }): Promise<string[]> {
    return (await listTags(url, repo, user)).filter((t) => !/^sha256-[0-9a-f]{64}$/.test(t));
  }

  /** The user a registry wants, if any. */
  const userOf = (registry: LocalRegistry) => (registry === open ? undefined : ALICE);

  /** Checks `repo:tag` is an OCI index whose images are for exactly `archs`, each configured for it. */
  async function expectIndex(registry: LocalRegistry, repo: string, tag: string, archs: string[]): Promise<void> {
    const user = userOf(registry);
    const index = await getManifest<OciIndex>(registry.url, repo, tag, user);
    expect(index.mediaType, `${repo}:${tag} should be an index`).toBe(INDEX);
    expect(index.body.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(archs.map((a) => `linux/${a}`));
    for (const m of index.body.manifests) {
      const manifest = await getManifest<{ config: { digest: string } }>(registry.url, repo, m.digest, user);
      const config = await getBlob<OciConfig>(registry.url, repo, manifest.body.config.digest, user);
      expect(config.architecture).toBe(m.platform?.architecture);
      expect(config.config.User).toBe("65532:65532");
    }
  }

  /** A copy of service/ with one more file, for a source that fails in a chosen way. */
  function serviceWith(name: string, file: string, contents: string): string {
    const dir = join(work, name);
    cpSync(join(ROOT, "service"), dir, { recursive: true });
    writeFileSync(join(dir, file), contents);
    return dir;
  }

  it(
    "tests, then pushes v1.0.0 and latest as one index for linux/amd64 and linux/arm64",
    async () => {
      const out = await publish(open, { tag: "v1.0.0", repository: "svc" }, { version: "v1.0.0" });
      console.log(`publish v1.0.0 (two platforms):\n${out}`);
      const lines = out.split("\n");
      const refs = lines.filter((l) => !l.startsWith("linux/"));
      const repo = `localhost:${open.port}/svc`;
      expect(refs.map((r) => r.split("@")[0])).toEqual([`${repo}:v1.0.0`, `${repo}:latest`]);
      const [release, latest] = await digests(open, "svc", ["v1.0.0", "latest"]);
      expect(latest).toBe(release);
      expect(refs.map((r) => r.split("@")[1])).toEqual([release, release]);
      expect(await releaseTags(open.url, "svc")).toEqual(["latest", "v1.0.0"]);
      await expectIndex(open, "svc", "v1.0.0", ["amd64", "arm64"]);
      // Then each platform's image manifest, as the index names it, with its SBOM referrer.
      const index = await getManifest<OciIndex>(open.url, "svc", "v1.0.0");
      const platformLines = lines.filter((l) => l.startsWith("linux/"));
      expect(platformLines).toHaveLength(2);
      index.body.manifests.forEach((m, i) => {
        const platform = `${m.platform?.os}/${m.platform?.architecture}`;
        expect(platformLines[i]).toMatch(new RegExp(`^${platform}: ${repo}@${m.digest} sbom ${repo}@sha256:[0-9a-f]{64}$`));
      });
    },
    minutes(10),
  );

  it(
    "attaches each platform's SBOM as a referrer, found through the referrers tag schema",
    async () => {
      const index = await getManifest<{ manifests: { digest: string; platform?: { architecture: string } }[] }>(open.url, "svc", "v1.0.0");
      for (const m of index.body.manifests) {
        const fallback = `sha256-${m.digest.slice("sha256:".length)}`;
        const referrers = await getManifest<{ manifests: { digest: string; artifactType?: string }[] }>(open.url, "svc", fallback);
        expect(referrers.body.manifests.map((r) => r.artifactType)).toEqual(["application/vnd.cyclonedx+json"]);
        const artifact = await getManifest<{ subject: { digest: string }; layers: { digest: string }[] }>(open.url, "svc", referrers.body.manifests[0].digest);
        expect(artifact.body.subject.digest).toBe(m.digest);
        const sbom = await getBlob<{ metadata: { component: { name: string; purl: string } } }>(open.url, "svc", artifact.body.layers[0].digest);
        expect(sbom.metadata.component.name).toBe("goscratch.example/service");
        expect(sbom.metadata.component.purl).toContain(`goarch=${m.platform?.architecture}`);
      }
    },
    minutes(10),
  );

  it(
    "pushes nothing when the scan finds vulnerable code that is called",
    async () => {
      const vulnDb = vulnDatabase([UUID_VULN]);
      const message = await rejection(
        publish(open, { tag: "v1.0.0", repository: "vulnerable", skipTests: true }, { source: "test/fixtures/vulnsvc", healthcheck: false, vulnDb }),
      );
      expect(message).toMatch(/^scan found 1 vulnerability the code calls/);
      console.log(`catalog after the refused publish of test/fixtures/vulnsvc: ${JSON.stringify(await catalog(open.url))}`);
      expect(await catalog(open.url)).not.toContain("vulnerable");
    },
    minutes(10),
  );

  it(
    "pushes the same index digest to another registry from a build with nothing cached",
    async () => {
      const second = await startRegistry();
      try {
        const [first] = await digests(open, "svc", ["v1.0.0"]);
        await publish(second, { tag: "v1.0.0", repository: "svc", skipTests: true }, { version: "v1.0.0", fresh: true });
        const [again] = await digests(second, "svc", ["v1.0.0"]);
        console.log(`index digest, two registries, the second from a --fresh build: ${first} ${again}`);
        expect(again).toBe(first);
      } finally {
        await second.stop();
      }
    },
    minutes(10),
  );

  it(
    "pushes an index for one platform too",
    async () => {
      await publish(open, { tag: "v1.0.0", repository: "one", platforms: "linux/amd64", skipTests: true }, { version: "v1.0.0" });
      await expectIndex(open, "one", "v1.0.0", ["amd64"]);
      await expectIndex(open, "one", "latest", ["amd64"]);
    },
    minutes(10),
  );

  it(
    "never moves latest for a pre-release, nor with --latest=false",
    async () => {
      const base = { repository: "svc", platforms: "linux/amd64,linux/arm64", skipTests: true };
      const [before] = await digests(open, "svc", ["latest"]);
      await publish(open, { ...base, tag: "v1.1.0-rc.1" }, { version: "v1.1.0-rc.1" });
      await publish(open, { ...base, tag: "v1.1.0", latest: false }, { version: "v1.1.0" });
      const [rc, stable, latest] = await digests(open, "svc", ["v1.1.0-rc.1", "v1.1.0", "latest"]);
      expect(rc, "the rc is a different image").not.toBe(before);
      expect(stable, "v1.1.0 is a different image").not.toBe(before);
      expect(latest, "latest still names v1.0.0").toBe(before);
      expect(await releaseTags(open.url, "svc")).toEqual(["latest", "v1.0.0", "v1.1.0", "v1.1.0-rc.1"]);
    },
    minutes(10),
  );

  it(
    "adds the vX.Y and vX aliases with --aliases, all at one digest",
    async () => {
      await publish(open, { tag: "v1.2.3", repository: "aliased", aliases: true, skipTests: true }, { version: "v1.2.3" });
      expect(await releaseTags(open.url, "aliased")).toEqual(["latest", "v1", "v1.2", "v1.2.3"]);
      const all = await digests(open, "aliased", ["v1.2.3", "v1.2", "v1", "latest"]);
      expect(new Set(all).size, `one digest for all tags: ${all.join(" ")}`).toBe(1);
    },
    minutes(10),
  );

  it(
    "pushes with the right credentials to a registry that needs them",
    async () => {
      const out = await publish(locked, { tag: "v1.0.0", repository: "private", ...ALICE, skipTests: true }, { version: "v1.0.0" });
      const [release] = await digests(locked, "private", ["v1.0.0"]);
      expect(out.split("\n")[0]).toBe(`localhost:${locked.port}/private:v1.0.0@${release}`);
      expect(await releaseTags(locked.url, "private", ALICE)).toEqual(["latest", "v1.0.0"]);
    },
    minutes(10),
  );

  it(
    "refuses wrong credentials in one line that holds no secret, and pushes nothing",
    async () => {
      const wrong = "not-the-password-4711";
      const message = await rejection(
        publish(lockedWrong, { tag: "v1.0.0", repository: "wrong", username: "alice", password: wrong, skipTests: true }),
      );
      console.log(`publish with wrong credentials: ${message}`);
      const host = `localhost:${lockedWrong.port}`;
      expect(message).toBe(`could not push ${host}/wrong:v1.0.0: ${host} refused the credentials (check --username and --password, or the --registry-config entry for ${host})`);
      expect(message).not.toContain(wrong);
      expect(await catalog(lockedWrong.url, ALICE)).toEqual([]);
    },
    minutes(10),
  );

  it(
    "says credentials are needed when none were given, and pushes nothing",
    async () => {
      const message = await rejection(publish(lockedMissing, { tag: "v1.0.0", repository: "anonymous", skipTests: true }));
      console.log(`publish with no credentials: ${message}`);
      const host = `localhost:${lockedMissing.port}`;
      expect(message).toBe(
        `could not push ${host}/anonymous:v1.0.0: ${host} requires credentials and none were given ` +
          "(pass --username and --password, e.g. --password env://REGISTRY_TOKEN, or --registry-config file://$HOME/.docker/config.json)",
      );
      expect(await catalog(lockedMissing.url, ALICE)).toEqual([]);
    },
    minutes(10),
  );

  it("rejects a bad tag, a bad repository and half a credential pair before anything runs", async () => {
    const before = await catalog(open.url);
    expect(await rejection(publish(open, { tag: "bad tag", repository: "bad" }))).toBe('invalid tag "bad tag": a tag cannot contain white space');
    expect(await rejection(goScratch().publish("v1.0.0", "Upper/Case"))).toContain("repository names must be lowercase");
    expect(await rejection(publish(open, { tag: "v1.0.0", repository: "half", username: "alice" }))).toContain(
      "--username was given without --password",
    );
    expect(await catalog(open.url)).toEqual(before);
  });

  it(
    "pushes nothing when a unit test fails",
    async () => {
      const source = serviceWith(
        "failing-unit",
        "zz_fail_test.go",
        'package main\n\nimport "testing"\n\nfunc TestZZDeliberateFailure(t *testing.T) { t.Fatal("deliberate failure") }\n',
      );
      const message = await rejection(publish(open, { tag: "v9.0.0", repository: "untested" }, { source }));
      expect(message).toMatch(/^go test \.\/\.\.\. failed/);
      expect(message).toContain("TestZZDeliberateFailure");
      expect(await catalog(open.url)).not.toContain("untested");
    },
    minutes(10),
  );

  it(
    "runs the checks test runs, with the module's own test options: a service whose probe fails is not pushed",
    async () => {
      const confsvc: TestOptions = { ...CONFSVC, healthPath: "/healthz" };
      const message = await rejection(publish(open, { tag: "v1.0.0", repository: "conf" }, confsvc));
      expect(message).toMatch(/^health probe GET http:\/\/app:9090\/healthz failed/);
      expect(await catalog(open.url)).not.toContain("conf");
      await publish(open, { tag: "v1.0.0", repository: "conf", platforms: "linux/amd64" }, { ...confsvc, tzdata: true });
      expect(await releaseTags(open.url, "conf")).toEqual(["latest", "v1.0.0"]);
    },
    minutes(10),
  );

  it(
    "pushes nothing, for any platform, when one platform fails to build",
    async () => {
      const source = serviceWith("arm64-broken", "zz_broken_arm64.go", "//go:build arm64\n\npackage main\n\nfunc broken() { return 1 }\n");
      const message = await rejection(publish(open, { tag: "v9.0.0", repository: "halfbuilt", skipTests: true }, { source }));
      expect(message).toMatch(/^go build \. for linux\/arm64 failed/);
      expect(message).toContain("zz_broken_arm64.go");
      expect(await catalog(open.url)).not.toContain("halfbuilt");
    },
    minutes(10),
  );
});
