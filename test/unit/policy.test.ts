import { describe, expect, it } from "vitest";

import { formatBytes, isRootUser, policyViolations, type ImageFacts } from "../../dagger/src/recipe/policy.js";

const good: ImageFacts = {
  user: "65532:65532",
  entrypoint: ["/usr/local/bin/app"],
  healthcheck: ["/usr/local/bin/app", "healthcheck"],
  presentForbidden: [],
  sizeBytes: 6_000_000,
};
const opts = { requireHealthcheck: true, maxSizeBytes: 20_000_000 };

describe("policyViolations", () => {
  it("passes the recipe's image", () => {
    expect(policyViolations(good, opts)).toEqual([]);
  });

  it.each(["", "root", "0", "0:0", "000:65532"])("fails user %j as root", (user) => {
    expect(policyViolations({ ...good, user }, opts)).toEqual([expect.stringMatching(/runs as root/)]);
  });

  it("fails an image with a shell", () => {
    expect(policyViolations({ ...good, presentForbidden: ["/bin/sh"] }, opts)).toEqual([
      "contains /bin/sh: a scratch image carries no shell or package manager",
    ]);
  });

  it("fails a shell-form or empty entrypoint", () => {
    expect(policyViolations({ ...good, entrypoint: ["/bin/sh", "-c", "app"] }, opts)[0]).toMatch(/not exec form/);
    expect(policyViolations({ ...good, entrypoint: [] }, opts)).toEqual(["has no entrypoint"]);
  });

  it("requires a health check unless turned off", () => {
    expect(policyViolations({ ...good, healthcheck: undefined }, opts)[0]).toMatch(/no health check/);
    expect(policyViolations({ ...good, healthcheck: undefined }, { ...opts, requireHealthcheck: false })).toEqual([]);
  });

  it("fails an image over budget and prints both sizes", () => {
    expect(policyViolations({ ...good, sizeBytes: 25_000_000 }, opts)).toEqual([
      "is 25.00 MB, over the budget of 20.00 MB",
    ]);
  });
});

describe("isRootUser / formatBytes", () => {
  it("knows non-root users", () => {
    expect(isRootUser("65532")).toBe(false);
    expect(isRootUser("nonroot:nonroot")).toBe(false);
  });

  it("formats decimal sizes", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(2_510_000)).toBe("2.51 MB");
  });
});
