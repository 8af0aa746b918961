/**
 * Signed releases as users make and check them: `dagger call publish --signing-key …` to a real
 * registry (docker-registry on 127.0.0.1), then the real cosign CLI (v2.6.5, `go install`ed) and
 * the module's own `verify` check the signature and the SLSA v1 provenance with the public key of
 * a pair made here by `cosign generate-key-pair`. A wrong key, a tag moved to another image and a
 * key that cannot be decrypted are refused; the key and its password never show in any output.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { lastLines, minutes, type CommandResult } from "../support/commands.js";
import { cosign, cosignAvailable } from "../support/cosign.js";
import { cliAvailable, dagger, daggerError, execSpans, moduleCopy } from "../support/daggerCli.js";
import { TEST_GOLANG_IMAGE } from "../support/engine.js";
import { listTags, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import { requireOrSkip } from "../support/requirements.js";

const run = requireOrSkip("cli: signed releases", [cliAvailable(), registryAvailable(), cosignAvailable()]);

const IMAGES = TEST_GOLANG_IMAGE ? [`--golang-image=${TEST_GOLANG_IMAGE}`, `--helper-image=${TEST_GOLANG_IMAGE}`] : [];
const PASSWORD = "correct horse battery staple 7";
const DIGEST = /sha256:[0-9a-f]{64}/;

describe.skipIf(!run)("cli: signed releases", () => {
  let dir: string;
  let keys: string;
  let registry: LocalRegistry;
  let repo: string;
  let signedDigest: string;
  const outputs: string[] = [];

  /** A cosign key pair made by the real CLI in `keys/<name>`. */
  async function keyPair(name: string): Promise<{ key: string; pub: string }> {
    const at = join(keys, name);
    mkdirSync(at);
    const r = await cosign(["generate-key-pair"], { COSIGN_PASSWORD: PASSWORD }, at);
    expect(r.code, r.stderr).toBe(0);
    return { key: join(at, "cosign.key"), pub: join(at, "cosign.pub") };
  }

  let good: { key: string; pub: string };
  let other: { key: string; pub: string };

  beforeAll(async () => {
    dir = moduleCopy();
    keys = mkdtempSync(join(tmpdir(), "go-scratch-keys-"));
    registry = await startRegistry();
    repo = `localhost:${registry.port}/signed`;
    good = await keyPair("good");
    other = await keyPair("other");
  }, minutes(2));
  afterAll(async () => {
    await registry?.stop();
    for (const d of [dir, keys]) if (d) rmSync(d, { recursive: true, force: true });
  });

  /** `dagger call <args>` in the copy, with the key's password in the environment (for env://COSIGN_PASSWORD). */
  async function call(args: string[]): Promise<CommandResult> {
    const r = await dagger(dir, ["call", ...args], { timeoutMs: minutes(15), env: { COSIGN_PASSWORD: PASSWORD, WRONG_PASSWORD: "not the password" } });
    outputs.push(r.stdout, r.stderr);
    return r;
  }

  function publish(tag: string, extra: string[], version = "v1.0.0", to = repo): Promise<CommandResult> {
    return call([
      ...IMAGES, `--version=${version}`, "--revision=0123abc", "--source-url=https://example.com/svc",
      "publish", `--tag=${tag}`, `--repository=${to}`, `--registry-service=tcp://localhost:${registry.port}`,
      "--platforms=linux/amd64", "--skip-tests", "--skip-scan", ...extra,
    ]);
  }

  it(
    "publishes a signed release that cosign verify and cosign verify-attestation accept with the public key",
    async () => {
      const r = await publish("v1.0.0", [`--signing-key=file://${good.key}`, "--signing-password=env://COSIGN_PASSWORD"]);
      expect(r.code, `${r.command}:\n${lastLines(r.stderr, 30)}`).toBe(0);
      const lines = r.stdout.trim().split("\n");
      console.log(`publish --signing-key printed:\n${r.stdout.trim()}`);
      // The signer's compile (sigstore's packages), measured where it happens: on an engine that
      // never signed before, this publish compiles it; later ones find it CACHED.
      const signer = execSpans(r.stderr, /^go build -C sign /);
      expect(signer.length, "the signer was built or found cached").toBeGreaterThan(0);
      console.log(`the signer's compile: ${signer.map((c) => `${c.outcome} ${(c.ms / 1000).toFixed(1)} s`).join(", ")}; the whole publish ${(r.ms / 1000).toFixed(1)} s`);
      expect(lines[0]).toMatch(new RegExp(`^${repo}:v1\\.0\\.0@sha256:[0-9a-f]{64}$`));
      signedDigest = DIGEST.exec(lines[0])![0];
      expect(r.stdout).toMatch(new RegExp(`^signed ${signedDigest} with key sha256:[0-9a-f]{64}: signature ${repo}:sha256-[0-9a-f]{64}\\.sig$`, "m"));
      expect(await listTags(registry.url, "signed")).toEqual(
        expect.arrayContaining(["v1.0.0", "latest", `${signedDigest.replace(":", "-")}.sig`, `${signedDigest.replace(":", "-")}.att`]),
      );

      const verified = await cosign(["verify", "--key", good.pub, "--insecure-ignore-tlog", `${repo}@${signedDigest}`]);
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.stderr).toContain("The signatures were verified against the specified public key");
      const payload = JSON.parse(verified.stdout.trim().split("\n")[0]) as { critical: { image: { "docker-manifest-digest": string } } }[];
      expect(payload[0].critical.image["docker-manifest-digest"]).toBe(signedDigest);

      const attested = await cosign(["verify-attestation", "--type", "slsaprovenance1", "--key", good.pub, "--insecure-ignore-tlog", `${repo}:v1.0.0`]);
      expect(attested.code, attested.stderr).toBe(0);
      const envelope = JSON.parse(attested.stdout.trim().split("\n")[0]) as { payload: string };
      const statement = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8")) as {
        predicateType: string;
        subject: { digest: { sha256: string } }[];
        predicate: { buildDefinition: { externalParameters: { source: { revision: string; url: string }; ldflags: string } }; runDetails: { builder: { id: string } } };
      };
      expect(statement.predicateType).toBe("https://slsa.dev/provenance/v1");
      expect(`sha256:${statement.subject[0].digest.sha256}`).toBe(signedDigest);
      expect(statement.predicate.buildDefinition.externalParameters.source).toMatchObject({ revision: "0123abc", url: "https://example.com/svc" });
      expect(statement.predicate.buildDefinition.externalParameters.ldflags).toContain("-X main.version=v1.0.0");
      expect(statement.predicate.runDetails.builder.id).toMatch(/go-scratch@v/);
    },
    minutes(20),
  );

  it(
    "verify prints what it verified: the digest, the key, the provenance",
    async () => {
      const r = await call([...IMAGES, "verify", `--reference=${repo}:v1.0.0`, `--public-key=${good.pub}`, `--registry-service=tcp://localhost:${registry.port}`]);
      expect(r.code, lastLines(r.stderr, 30)).toBe(0);
      console.log(`verify printed:\n${r.stdout.trim()}`);
      expect(r.stdout).toMatch(new RegExp(`^verified ${repo}:v1\\.0\\.0 = ${signedDigest}: 1 signature\\(s\\) and 1 SLSA v1 provenance attestation\\(s\\) with key sha256:`, "m"));
      expect(r.stdout).toContain("source https://example.com/svc at 0123abc");
    },
    minutes(10),
  );

  it(
    "refuses a wrong key, in cosign and in verify",
    async () => {
      const c = await cosign(["verify", "--key", other.pub, "--insecure-ignore-tlog", `${repo}@${signedDigest}`]);
      expect(c.code).not.toBe(0);
      const a = await cosign(["verify-attestation", "--type", "slsaprovenance1", "--key", other.pub, "--insecure-ignore-tlog", `${repo}@${signedDigest}`]);
      expect(a.code).not.toBe(0);
      const r = await call([...IMAGES, "verify", `--reference=${repo}:v1.0.0`, `--public-key=${other.pub}`, `--registry-service=tcp://localhost:${registry.port}`]);
      expect(r.code).not.toBe(0);
      console.log(`verify with another key: ${daggerError(r)}`);
      expect(daggerError(r)).toMatch(new RegExp(`^Error: ${repo}:v1\\.0\\.0 did not verify: no signature made with this key for ${signedDigest}; it was signed with another key`));
    },
    minutes(10),
  );

  it(
    "refuses a tag moved to another image",
    async () => {
      // Another build (another version stamped) published, unsigned, under the same tag.
      const moved = await publish("v1.0.0", ["--latest=false"], "v1.0.1");
      expect(moved.code, lastLines(moved.stderr, 30)).toBe(0);
      expect(DIGEST.exec(moved.stdout)![0]).not.toBe(signedDigest);
      const c = await cosign(["verify", "--key", good.pub, "--insecure-ignore-tlog", `${repo}:v1.0.0`]);
      expect(c.code).not.toBe(0);
      const r = await call([...IMAGES, "verify", `--reference=${repo}:v1.0.0`, `--public-key=${good.pub}`, `--registry-service=tcp://localhost:${registry.port}`]);
      expect(r.code).not.toBe(0);
      console.log(`verify after the tag moved: ${daggerError(r)}`);
      expect(daggerError(r)).toContain("the tag may have been moved");
    },
    minutes(10),
  );

  it(
    "pushes no tag when signing fails, and says why",
    async () => {
      const r = await publish("v2.0.0", [`--signing-key=file://${good.key}`, "--signing-password=env://WRONG_PASSWORD"], "v2.0.0", `localhost:${registry.port}/refused`);
      expect(r.code).not.toBe(0);
      console.log(`publish with a wrong password: ${daggerError(r)}`);
      expect(daggerError(r)).toMatch(/^Error: could not sign localhost:\d+\/refused@sha256:[0-9a-f]{64}, so no tag was pushed: .*could not be decrypted/);
      const tags = await listTags(registry.url, "refused").catch(() => []);
      expect(tags.filter((t) => !t.startsWith("sha256-")), "no release tag").toEqual([]);
    },
    minutes(10),
  );

  it("never shows the key or its password in any output", () => {
    const key = readFileSync(good.key, "utf8");
    const keyBody = key.split("\n").filter((l) => l !== "" && !l.startsWith("-----"))[1];
    for (const out of outputs) {
      expect(out).not.toContain(PASSWORD);
      expect(out).not.toContain("not the password");
      expect(out).not.toContain("PRIVATE KEY");
      expect(out).not.toContain(keyBody);
    }
    expect(outputs.length).toBeGreaterThan(8);
  });
});
