import { describe, expect, it } from "vitest";

import { isPrerelease, releaseTags, tagProblem, validateTag } from "../../dagger/src/recipe/tags.js";

describe("validateTag", () => {
  it.each(["v1.0.0", "latest", "1.2", "_internal", "v1.0.0-rc.1", "a".repeat(128), "A_b.C-d"])(
    "accepts %s",
    (tag) => {
      expect(validateTag(tag)).toBe(tag);
    },
  );

  it("rejects an empty tag", () => {
    expect(() => validateTag("")).toThrow('invalid tag "": a tag cannot be empty');
  });

  it("rejects a tag of 129 characters and says how long it is", () => {
    expect(() => validateTag("a".repeat(129))).toThrow("at most 128 characters (this one has 129)");
  });

  it("rejects a tag with spaces, quoting it", () => {
    expect(() => validateTag("v1 .0")).toThrow('invalid tag "v1 .0": a tag cannot contain white space');
  });

  it("rejects semver build metadata, which OCI tags cannot carry", () => {
    expect(tagProblem("v1.0.0+build.7")).toMatch(/cannot contain '\+'/);
  });

  it.each([".hidden", "-dash", "v1/0", "v1:0", "ünï", "v1@x"])("rejects %s", (tag) => {
    expect(tagProblem(tag)).toBeDefined();
  });
});

describe("releaseTags", () => {
  it("adds latest to a stable release", () => {
    expect(releaseTags("v1.0.0")).toEqual(["v1.0.0", "latest"]);
  });

  it("adds latest to a stable release written without v", () => {
    expect(releaseTags("2.3.4")).toEqual(["2.3.4", "latest"]);
  });

  it("never moves latest for a pre-release", () => {
    expect(releaseTags("v1.0.0-rc.1")).toEqual(["v1.0.0-rc.1"]);
    expect(releaseTags("v1.0.0-rc.1", { latest: true, aliases: true })).toEqual(["v1.0.0-rc.1"]);
  });

  it("leaves latest out when asked", () => {
    expect(releaseTags("v1.0.0", { latest: false })).toEqual(["v1.0.0"]);
  });

  it("adds the X.Y and X aliases on request, keeping the v prefix", () => {
    expect(releaseTags("v1.2.3", { aliases: true })).toEqual(["v1.2.3", "v1.2", "v1", "latest"]);
    expect(releaseTags("1.2.3", { aliases: true, latest: false })).toEqual(["1.2.3", "1.2", "1"]);
  });

  it("publishes a non-semver tag as it is, without latest", () => {
    expect(releaseTags("nightly")).toEqual(["nightly"]);
    // Not semver 2.0.0: leading zeros, a missing patch, an empty pre-release part.
    for (const tag of ["v01.2.3", "v1.2", "v1.2.3-", "v1.2.3-rc..1", "v1.02.3"]) expect(releaseTags(tag), tag).toEqual([tag]);
  });

  it("validates every tag before returning any", () => {
    expect(() => releaseTags("v1.0.0", { extra: ["ok", "not ok"] })).toThrow('invalid tag "not ok"');
    expect(() => releaseTags("v1.0.0+meta")).toThrow('invalid tag "v1.0.0+meta"');
  });

  it("drops duplicates", () => {
    expect(releaseTags("v1.0.0", { extra: ["latest", "v1.0.0"] })).toEqual(["v1.0.0", "latest"]);
  });
});

describe("isPrerelease", () => {
  it("tells pre-releases from releases", () => {
    expect(isPrerelease("v1.0.0-rc.1")).toBe(true);
    expect(isPrerelease("v1.0.0")).toBe(false);
    expect(isPrerelease("nightly")).toBe(false);
    expect(isPrerelease("1.0.0-alpha.beta-2.0")).toBe(true);
    expect(isPrerelease("v1.0.0-01")).toBe(false); // a numeric identifier with a leading zero is not semver
  });
});
