/**
 * `publish` against registries as releases meet them, each a real docker-registry on 127.0.0.1:
 * Bearer tokens through a real token flow (`auth: token`, a token service of the suite's), the
 * credentials of a Docker config given as --registry-config, a registry that answers 503 to the
 * first requests (the publish retries and says so), and an existing referrers fallback index, which
 * is kept and extended. What was pushed is read back from the registry.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { minutes } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession } from "../support/engine.js";
import { OciLayout } from "../support/ociLayout.js";
import { publishTo } from "../support/publishing.js";
import { flakyFront, startTokenRegistry } from "../support/registryFront.js";
import { getManifest, listTags, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import { toolAvailable } from "../support/requirements.js";

const run = engineSuite("publish to registries", [
  registryAvailable(),
  toolAvailable("htpasswd", ["-nbB", "probe", "probe"]),
  toolAvailable("openssl", ["version"]),
]);

const ALICE = { username: "alice", password: "s3cret-for-the-suite" };
const SBOM_TYPE = "application/vnd.cyclonedx+json";
const one = { platforms: "linux/amd64", skipTests: true, skipScan: true };

/** A token of `registry`'s token service for `scope`, as a client gets one. */
async function bearer(registry: LocalRegistry, scope: string): Promise<Record<string, string>> {
  const basic = Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64");
  const res = await fetch(`${registry.url}/token?service=go-scratch-test-registry&scope=${encodeURIComponent(scope)}`, {
    headers: { Authorization: `Basic ${basic}` },
  });
  const { token } = (await res.json()) as { token: string };
  return { Authorization: `Bearer ${token}` };
}

/** Pushes an artifact manifest of `artifactType` (empty config, no layers) to `repo`; returns its descriptor. */
async function pushArtifact(registry: LocalRegistry, repo: string, artifactType: string) {
  const empty = Buffer.from("{}");
  const emptyDigest = `sha256:${createHash("sha256").update(empty).digest("hex")}`;
  const session = await fetch(`${registry.url}/v2/${repo}/blobs/uploads/`, { method: "POST" });
  expect(session.status, await session.text()).toBe(202);
  const location = new URL(session.headers.get("location") ?? "", registry.url);
  location.searchParams.set("digest", emptyDigest);
  const upload = await fetch(location, { method: "PUT", body: empty, headers: { "Content-Type": "application/octet-stream" } });
  expect(upload.status, await upload.text()).toBe(201);
  const mediaType = "application/vnd.oci.image.manifest.v1+json";
  const body = JSON.stringify({ schemaVersion: 2, mediaType, artifactType, config: { mediaType: "application/vnd.oci.empty.v1+json", digest: emptyDigest, size: 2 }, layers: [] });
  const digest = `sha256:${createHash("sha256").update(body).digest("hex")}`;
  const put = await fetch(`${registry.url}/v2/${repo}/manifests/${digest}`, { method: "PUT", headers: { "Content-Type": mediaType }, body });
  expect(put.status, await put.text()).toBe(201);
  return { mediaType, digest, size: Buffer.byteLength(body), artifactType };
}

describe.skipIf(!run)("engine: publish to registries", () => {
  useEngineSession();
  let token: Awaited<ReturnType<typeof startTokenRegistry>>;
  let locked: LocalRegistry;
  let open: LocalRegistry;
  const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-registries-"));

  beforeAll(async () => {
    [token, locked, open] = await Promise.all([startTokenRegistry(ALICE), startRegistry({ user: ALICE }), startRegistry()]);
  }, minutes(2));
  afterAll(async () => {
    await Promise.all([token, locked, open].map((r) => r?.stop()));
    rmSync(work, { recursive: true, force: true });
  });

  it(
    "pushes with Bearer tokens from the registry's token service, and refuses wrong credentials in one line",
    async () => {
      const out = await publishTo(token.port, { tag: "v1.0.0", repository: "team/svc", username: ALICE.username, password: ALICE.password, ...one });
      console.log(`publish through token auth:\n${out}`);
      expect(token.tokensIssued(), "the pusher asked the token service").toBeGreaterThan(0);
      const headers = await bearer(token, "repository:team/svc:pull");
      const tags = (await (await fetch(`${token.url}/v2/team/svc/tags/list`, { headers })).json()) as { tags: string[] };
      expect(tags.tags.filter((t) => !t.startsWith("sha256-")).sort()).toEqual(["latest", "v1.0.0"]);
      const message = await rejection(publishTo(token.port, { tag: "v1.0.1", repository: "team/svc", username: ALICE.username, password: "wrong", ...one }));
      expect(message).toBe(
        `could not push localhost:${token.port}/team/svc:v1.0.1: localhost:${token.port} refused the credentials (check --username and --password, or the --registry-config entry for localhost:${token.port})`,
      );
    },
    minutes(10),
  );

  it(
    "takes the credentials from a Docker config's auths entry (--registry-config), as docker login writes it",
    async () => {
      const auth = Buffer.from(`${ALICE.username}:${ALICE.password}`).toString("base64");
      const config = JSON.stringify({ auths: { [`localhost:${locked.port}`]: { auth } } });
      const out = await publishTo(locked.port, { tag: "v2.0.0", repository: "from-config", registryConfig: config, ...one });
      expect(out.split("\n")[0]).toMatch(new RegExp(`^localhost:${locked.port}/from-config:v2\\.0\\.0@sha256:[0-9a-f]{64}$`));
      expect((await listTags(locked.url, "from-config", ALICE)).filter((t) => !t.startsWith("sha256-"))).toEqual(["latest", "v2.0.0"]);
    },
    minutes(10),
  );

  it(
    "survives a registry that answers 503 to its first requests, and says it retried",
    async () => {
      const flaky = await flakyFront(open.port, 3);
      try {
        const out = await publishTo(flaky.port, { tag: "v3.0.0", repository: "flaky", ...one });
        console.log(`publish through a front that failed ${flaky.failed()} requests:\n${out}`);
        expect(flaky.failed()).toBe(3);
        const retried = Number(/^retried (\d+) requests? after transient registry failures$/m.exec(out)?.[1] ?? 0);
        expect(retried).toBeGreaterThanOrEqual(3);
        expect(await listTags(open.url, "flaky")).toEqual(expect.arrayContaining(["latest", "v3.0.0"]));
      } finally {
        await flaky.stop();
      }
    },
    minutes(10),
  );

  it(
    "keeps the referrers already in a fallback index and adds the SBOM to them",
    async () => {
      // The platform manifest publish will push: the tarball's, which is exactly what is pushed.
      const o = { sourceDateEpoch: 1_700_000_000, version: "v4.0.0" };
      const tar = join(work, "image.tar");
      await (await goScratch(o).tarball("linux/amd64")).export(tar);
      const subject = OciLayout.unpack(tar, join(work, "layout")).index().manifests[0];
      // Another tool's referrer of that image (an artifact manifest of its own, pushed first), listed
      // under the referrers tag schema's fallback tag as that tool would list it.
      const other = await pushArtifact(open, "referred", "application/vnd.example.signature");
      const fallback = `sha256-${subject.digest.slice("sha256:".length)}`;
      const put = await fetch(`${open.url}/v2/referred/manifests/${fallback}`, {
        method: "PUT",
        headers: { "Content-Type": "application/vnd.oci.image.index.v1+json" },
        body: JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [other] }),
      });
      expect(put.status, await put.text()).toBe(201);
      await publishTo(open.port, { tag: "v4.0.0", repository: "referred", ...one }, o);
      const index = await getManifest<{ manifests: { digest: string; artifactType?: string }[] }>(open.url, "referred", fallback);
      expect(index.body.manifests.map((m) => m.artifactType).sort()).toEqual([SBOM_TYPE, "application/vnd.example.signature"]);
      expect(index.body.manifests.map((m) => m.digest)).toContain(other.digest);
    },
    minutes(10),
  );
});
