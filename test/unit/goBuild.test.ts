import { describe, expect, it } from "vitest";

import {
  GOLANG_IMAGE,
  GO_PATHS,
  goBuildArgs,
  goBuildEnv,
  SOURCE_GOTOOLCHAIN,
  ldflags,
  normalizePackage,
  validateDefine,
} from "../../dagger/src/recipe/goBuild.js";

describe("GOLANG_IMAGE", () => {
  it("is pinned by a patch tag and an index digest", () => {
    expect(GOLANG_IMAGE).toMatch(/^golang:1\.\d+\.\d+-[a-z0-9.]+@sha256:[0-9a-f]{64}$/);
  });
});

describe("ldflags", () => {
  it("strips, drops the build id and stamps version and revision", () => {
    expect(ldflags({ platform: "linux/amd64", version: "v1.2.3", revision: "abc123" })).toBe(
      "-s -w -buildid= -X main.version=v1.2.3 -X main.commit=abc123",
    );
  });

  it("uses configurable variable names", () => {
    expect(
      ldflags({ platform: "linux/amd64", versionVar: "example.com/x/build.Version", revisionVar: "main.rev" }),
    ).toBe("-s -w -buildid= -X example.com/x/build.Version=dev -X main.rev=unknown");
  });

  it.each(["has space", "quote\"", "$(rm)", "", "a;b"])("rejects version %j", (version) => {
    expect(() => ldflags({ platform: "linux/amd64", version })).toThrow(/invalid version/);
  });

  it("rejects a variable name that is not pkg.name", () => {
    expect(() => ldflags({ platform: "linux/amd64", versionVar: "version" })).toThrow(/invalid version variable/);
  });
});

describe("normalizePackage", () => {
  it.each([
    [".", "."],
    ["./cmd/server", "./cmd/server"],
    ["cmd/server/", "./cmd/server"],
    ["", "."],
  ])("%j → %j", (input, want) => {
    expect(normalizePackage(input)).toBe(want);
  });

  it.each(["../other", "./cmd/../../x", "/abs/path", "./cmd/ser ver"])("rejects %j", (pkg) => {
    expect(() => normalizePackage(pkg)).toThrow(/invalid package/);
  });
});

describe("goBuildArgs", () => {
  it("is the static, trimmed, reproducible build", () => {
    expect(goBuildArgs({ platform: "linux/amd64", version: "v1.0.0", revision: "r1" })).toEqual([
      "go",
      "build",
      "-trimpath",
      "-buildvcs=false",
      "-ldflags",
      "-s -w -buildid= -X main.version=v1.0.0 -X main.commit=r1",
      "-o",
      GO_PATHS.out,
      ".",
    ]);
  });

  it("builds a vendored source with -mod=vendor and a cmd/ package", () => {
    const args = goBuildArgs({ platform: "linux/arm64", vendor: true, pkg: "cmd/api", output: "/tmp/x" });
    expect(args).toContain("-mod=vendor");
    expect(args.slice(-3)).toEqual(["-o", "/tmp/x", "./cmd/api"]);
  });

  it("never uses -a, which throws the build cache away", () => {
    expect(goBuildArgs({ platform: "linux/amd64" })).not.toContain("-a");
  });
});

describe("goBuildEnv", () => {
  it("disables cgo and cross-compiles (the toolchain is go.mod's: GOTOOLCHAIN=auto on every go command)", () => {
    expect(goBuildEnv("linux/arm64")).toEqual({
      CGO_ENABLED: "0",
      GOOS: "linux",
      GOARCH: "arm64",
    });
    expect(SOURCE_GOTOOLCHAIN).toBe("auto");
  });
});

describe("more -X definitions and the time zone database", () => {
  it("adds each --define to -ldflags after the version and revision", () => {
    expect(ldflags({ platform: "linux/amd64", defines: ["main.channel=stable", "example.com/x/build.Date=2026-12-02"] })).toBe(
      "-s -w -buildid= -X main.version=dev -X main.commit=unknown -X main.channel=stable -X example.com/x/build.Date=2026-12-02",
    );
  });

  it.each(["main.channel", "channel=stable", "main.channel=two words", "main.x=$(id)"])("refuses the definition %j", (d) => {
    expect(() => validateDefine(d)).toThrow(`invalid definition ${JSON.stringify(d)}: expected importpath.name=value`);
  });

  it("builds with -tags timetzdata only when asked", () => {
    expect(goBuildArgs({ platform: "linux/amd64", tzdata: true })).toEqual(expect.arrayContaining(["-tags", "timetzdata"]));
    expect(goBuildArgs({ platform: "linux/amd64" })).not.toContain("timetzdata");
  });
});
