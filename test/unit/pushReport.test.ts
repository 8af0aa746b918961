/** recipe/pushReport.ts: the pusher's JSON read into what publish prints and says when it fails. */
import { describe, expect, it } from "vitest";

import { parsePushFailure, parsePushReport, publishedLines, pushFailureMessage } from "../../dagger/src/recipe/pushReport.js";

const I = "sha256:" + "1".repeat(64);
const A = "sha256:" + "a".repeat(64);
const B = "sha256:" + "b".repeat(64);
const S = "sha256:" + "5".repeat(64);

const report = {
  repository: "localhost:5000/team/svc",
  index: I,
  tags: [
    { tag: "v1.0.0", digest: I },
    { tag: "latest", digest: I },
  ],
  platforms: [
    { platform: "linux/amd64", digest: A, sbom: S },
    { platform: "linux/arm64", digest: B },
  ],
  retries: 0,
};

describe("parsePushReport", () => {
  it("reads a complete report", () => {
    expect(parsePushReport(JSON.stringify(report))).toEqual(report);
  });

  it("refuses a report with a digest that is not one", () => {
    expect(() => parsePushReport(JSON.stringify({ ...report, index: "sha256:xyz" }))).toThrow(/no report/);
    expect(() => parsePushReport(JSON.stringify({ ...report, platforms: [{ platform: "linux/amd64", digest: "nope" }] }))).toThrow(/no report/);
  });
});

describe("publishedLines", () => {
  it("prints the tags first (as the user named the repository), then each platform with its SBOM", () => {
    expect(publishedLines("ghcr.io/team/svc", report)).toEqual([
      `ghcr.io/team/svc:v1.0.0@${I}`,
      `ghcr.io/team/svc:latest@${I}`,
      `linux/amd64: ghcr.io/team/svc@${A} sbom ghcr.io/team/svc@${S}`,
      `linux/arm64: ghcr.io/team/svc@${B}`,
    ]);
  });

  it("says how many requests were retried", () => {
    expect(publishedLines("r/s", { ...report, retries: 3 }).at(-1)).toBe("retried 3 requests after transient registry failures");
  });

  it("refuses tags that name another digest than the index", () => {
    expect(() => publishedLines("r/s", { ...report, tags: [{ tag: "v1", digest: A }] })).toThrow(/different digests/);
  });
});

describe("pushFailureMessage", () => {
  const fail = (kind: string, error = "x", retries = 0) => parsePushFailure(JSON.stringify({ error, kind, retries }))!;

  it("says credentials are required when none were given, and how to give them", () => {
    expect(pushFailureMessage("ghcr.io", "ghcr.io/o/s:v1", fail("credentials-required"))).toBe(
      "could not push ghcr.io/o/s:v1: ghcr.io requires credentials and none were given " +
        "(pass --username and --password, e.g. --password env://REGISTRY_TOKEN, or --registry-config file://$HOME/.docker/config.json)",
    );
  });

  it("says the registry refused the credentials, in one line", () => {
    expect(pushFailureMessage("ghcr.io", "ghcr.io/o/s:v1", fail("credentials-refused"))).toBe(
      "could not push ghcr.io/o/s:v1: ghcr.io refused the credentials (check --username and --password, or the --registry-config entry for ghcr.io)",
    );
  });

  it("names an unreachable registry with the pusher's cause and the retries", () => {
    expect(pushFailureMessage("r:5000", "r:5000/s:v1", fail("unreachable", "dial tcp r:5000: connection refused", 4))).toBe(
      "could not push r:5000/s:v1: r:5000 could not be reached (after 4 retries): dial tcp r:5000: connection refused",
    );
  });

  it("reads only the pusher's own JSON line", () => {
    expect(parsePushFailure("panic: something\ngoroutine 1")).toBeUndefined();
    expect(parsePushFailure('{"error":"e","kind":"registry","retries":1}')).toEqual({ error: "e", kind: "registry", retries: 1 });
  });
});
