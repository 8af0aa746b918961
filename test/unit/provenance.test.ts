import { readFileSync } from "node:fs";

import { describe, expect, it } from "vitest";

import { helperBuildArgs, pushArgs, signArgs, verifyArgs } from "../../dagger/src/recipe/helpers.js";
import {
  MODULE,
  PROVENANCE,
  parseSignerReport,
  provenancePredicate,
  signFailureMessage,
  verifiedLines,
  type VerifyReport,
} from "../../dagger/src/recipe/provenance.js";
import { parseImageReference } from "../../dagger/src/recipe/reference.js";

const HEX = "a".repeat(64);
const facts = {
  sourceDigest: `sha256:${"b".repeat(64)}`,
  revision: "0123abc",
  sourceUrl: "https://github.com/me/svc",
  build: { platform: "linux/amd64", platforms: ["linux/amd64", "linux/arm64"], pkg: "./cmd/api", version: "v1.2.3", revision: "0123abc", tzdata: true },
  toolchain: `golang:1.26.8-alpine@sha256:${HEX}`,
  repository: "ghcr.io/me/svc",
  tags: ["v1.2.3", "latest"],
};

describe("provenancePredicate", () => {
  it("says what was built, from which source, with which toolchain, by this module, and no time", () => {
    const p = provenancePredicate(facts) as {
      buildDefinition: { buildType: string; externalParameters: Record<string, unknown>; resolvedDependencies: { name: string; uri: string; digest?: Record<string, string> }[] };
      runDetails: { builder: { id: string }; metadata: Record<string, unknown> };
    };
    expect(p.buildDefinition.buildType).toBe(PROVENANCE.buildType);
    expect(p.buildDefinition.externalParameters).toMatchObject({
      source: { url: "https://github.com/me/svc", revision: "0123abc", digest: { sha256: "b".repeat(64) } },
      package: "./cmd/api",
      platforms: ["linux/amd64", "linux/arm64"],
      ldflags: "-s -w -buildid= -X main.version=v1.2.3 -X main.commit=0123abc",
      tags: ["timetzdata"],
      repository: "ghcr.io/me/svc",
      imageTags: ["v1.2.3", "latest"],
    });
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      { name: "source", uri: "https://github.com/me/svc@0123abc", digest: { sha256: "b".repeat(64) } },
      { name: "toolchain", uri: `oci://golang:1.26.8-alpine@sha256:${HEX}`, digest: { sha256: HEX } },
    ]);
    expect(p.runDetails.builder.id).toBe(`https://goscratch.example/go-scratch@v${MODULE.version}`);
    expect(p.runDetails.metadata).toEqual({});
    expect(JSON.stringify(p)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
  });

  it("names the module at the version package.json gives", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
    expect(MODULE.version).toBe(pkg.version);
  });
});

describe("the signer's reports", () => {
  it("reads a report with the fields asked for, and refuses one without", () => {
    const r = parseSignerReport<{ digest: string; keyId: string }>(JSON.stringify({ digest: `sha256:${HEX}`, keyId: "sha256:k" }), ["digest", "keyId"]);
    expect(r.digest).toBe(`sha256:${HEX}`);
    expect(() => parseSignerReport<{ digest: string; keyId: string }>(JSON.stringify({ digest: "x" }), ["digest", "keyId"])).toThrow("lacks keyId");
    expect(() => parseSignerReport("not json", [])).toThrow("printed no report");
  });

  it("says what verify verified, and what the provenance holds", () => {
    const report: VerifyReport = {
      reference: "ghcr.io/me/svc:v1.2.3",
      digest: `sha256:${HEX}`,
      keyId: "sha256:k",
      signatures: 1,
      attestations: 1,
      provenance: {
        builder: PROVENANCE.builderId,
        buildType: PROVENANCE.buildType,
        externalParameters: { source: { url: "https://github.com/me/svc", revision: "0123abc" }, platforms: ["linux/amd64"], ldflags: "-s -w" },
        resolvedDependencies: [{ name: "toolchain", uri: "oci://golang:1.26.8" }],
      },
    };
    expect(verifiedLines(report)).toEqual([
      `verified ghcr.io/me/svc:v1.2.3 = sha256:${HEX}: 1 signature(s) and 1 SLSA v1 provenance attestation(s) with key sha256:k`,
      `  builder ${PROVENANCE.builderId} (${PROVENANCE.buildType})`,
      "  source https://github.com/me/svc at 0123abc",
      "  toolchain golang:1.26.8",
      "  platforms linux/amd64; ldflags -s -w",
    ]);
  });

  it("says a failed signing pushed no tag, and what the key options are for a key error", () => {
    expect(signFailureMessage("sign", "r@d", { kind: "key", error: "the signing key could not be decrypted" })).toBe(
      "could not sign r@d, so no tag was pushed: the signing key could not be decrypted (--signing-key takes cosign.key from cosign generate-key-pair, --signing-password its password)",
    );
    expect(signFailureMessage("verify", "r:v1", { kind: "unsigned", error: "no signature made with this key" })).toBe("r:v1 did not verify: no signature made with this key");
  });
});

describe("the command lines", () => {
  it("builds the signer alone, like the pusher", () => {
    expect(helperBuildArgs(["sign"])).toEqual(["go", "build", "-C", "sign", "-trimpath", "-o", "/go-scratch/bin/", "."]);
    expect(() => helperBuildArgs(["sign", "rootfs"])).toThrow("built on its own");
  });

  it("pushes in stages around signing, and signs and verifies with the same registry access", () => {
    expect(pushArgs("r/x", [], { stage: "content", connect: "registry:5000" })).toEqual(["/go-scratch/bin/push", "-layout", "/go-scratch/in/image.tar", "-repository", "r/x", "-stage", "content", "-connect", "registry:5000"]);
    expect(pushArgs("r/x", ["v1"], { stage: "all" })).not.toContain("-stage");
    expect(signArgs("r/x", `sha256:${HEX}`, { dockerConfig: true })).toEqual([
      "/go-scratch/bin/sign", "sign", "-repository", "r/x", "-digest", `sha256:${HEX}`, "-key", "/go-scratch/in/cosign.key",
      "-predicate", "/go-scratch/in/provenance.json", "-docker-config", "/go-scratch/in/docker-config.json",
    ]);
    expect(verifyArgs("r/x:v1")).toEqual(["/go-scratch/bin/sign", "verify", "-reference", "r/x:v1", "-public-key", "/go-scratch/in/cosign.pub"]);
  });
});

describe("parseImageReference", () => {
  it("takes a tag or a digest", () => {
    expect(parseImageReference("localhost:5000/svc:v1.0.0")).toEqual({ repository: { registry: "localhost:5000", path: "svc", name: "localhost:5000/svc" }, suffix: ":v1.0.0" });
    expect(parseImageReference(`ghcr.io/me/svc@sha256:${HEX}`).suffix).toBe(`@sha256:${HEX}`);
  });

  it.each(["ghcr.io/me/svc", "localhost:5000/svc", "ghcr.io/me/svc@sha256:1234", "ghcr.io/Me/svc:v1"])("refuses %j", (r) => {
    expect(() => parseImageReference(r)).toThrow(/invalid (reference|repository)/);
  });
});
