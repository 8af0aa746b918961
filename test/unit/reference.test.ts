import { describe, expect, it } from "vitest";

import { imageRef, parseRepository } from "../../dagger/src/recipe/reference.js";

describe("parseRepository", () => {
  it("splits a registry host from the path", () => {
    expect(parseRepository("ghcr.io/owner/service")).toEqual({
      registry: "ghcr.io",
      path: "owner/service",
      name: "ghcr.io/owner/service",
    });
  });

  it("keeps a registry port", () => {
    expect(parseRepository("127.0.0.1:5000/go-scratch").registry).toBe("127.0.0.1:5000");
    expect(parseRepository("localhost/app").registry).toBe("localhost");
  });

  it("defaults to docker.io like container tools do", () => {
    expect(parseRepository("owner/service").registry).toBe("docker.io");
  });

  it("rejects an uppercase repository", () => {
    expect(() => parseRepository("ghcr.io/Owner/service")).toThrow(
      'invalid repository "ghcr.io/Owner/service": repository names must be lowercase',
    );
  });

  it("rejects a repository that carries a tag or a digest", () => {
    expect(() => parseRepository("ghcr.io/o/s:v1")).toThrow("without a tag");
    expect(() => parseRepository("ghcr.io/o/s@sha256:" + "0".repeat(64))).toThrow("without a digest");
  });

  it.each(["", "  ", "ghcr.io/o//s", "ghcr.io/o/s-", "ghcr.io/o/_s", "ghcr.io/o/s..x", "ghcr.io/o/s x"])(
    "rejects %j",
    (repo) => {
      expect(() => parseRepository(repo)).toThrow();
    },
  );

  it("accepts the separators the grammar allows", () => {
    expect(() => parseRepository("r.example:443/a.b/c_d/e__f/g---h")).not.toThrow();
  });

  it("rejects a path longer than 255 characters", () => {
    expect(() => parseRepository("ghcr.io/" + "a".repeat(256))).toThrow("longer than 255");
  });
});

describe("imageRef", () => {
  it("joins a valid repository and tag", () => {
    expect(imageRef("ghcr.io/o/s", "v1.0.0")).toBe("ghcr.io/o/s:v1.0.0");
  });

  it("validates both parts", () => {
    expect(() => imageRef("ghcr.io/o/s", "bad tag")).toThrow('invalid tag "bad tag"');
    expect(() => imageRef("ghcr.io/O/s", "v1")).toThrow("lowercase");
  });
});
