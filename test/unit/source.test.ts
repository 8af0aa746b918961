import { describe, expect, it } from "vitest";

import { checkSource, declaresPackageMain, hasVendor, manifestFiles, packagePatterns, parseGoWork } from "../../dagger/src/recipe/source.js";

describe("checkSource", () => {
  const ok = { entries: ["go.mod", "main.go"], mainPackageGoFiles: ["main.go"], hasPackageMain: true };

  it("accepts a Go module with a main package", () => {
    expect(() => checkSource(ok, ".")).not.toThrow();
  });

  it("says go.mod is missing", () => {
    expect(() => checkSource({ ...ok, entries: ["main.go"] }, ".")).toThrow(/no go.mod at the root/);
  });

  it("says there is no Go code in the package", () => {
    expect(() => checkSource({ ...ok, mainPackageGoFiles: [] }, "./cmd/x")).toThrow(
      "no Go files in package ./cmd/x: pass the main package with --pkg",
    );
  });

  it("says the package is not main", () => {
    expect(() => checkSource({ ...ok, hasPackageMain: false }, ".")).toThrow("package . is not a main package");
  });
});

describe("declaresPackageMain", () => {
  it("finds package main after comments and build tags", () => {
    expect(declaresPackageMain("//go:build linux\n\n// Doc.\npackage main\n")).toBe(true);
    expect(declaresPackageMain("package main // the service\n")).toBe(true);
  });

  it("does not mistake other packages", () => {
    expect(declaresPackageMain("package mainly\n")).toBe(false);
    expect(declaresPackageMain("package server\n// package main\n")).toBe(false);
  });
});

describe("hasVendor", () => {
  it("detects vendor/", () => {
    expect(hasVendor(["go.mod", "vendor/"])).toBe(true);
    expect(hasVendor(["go.mod"])).toBe(false);
  });
});

describe("go.work workspaces", () => {
  it("lists the modules a go.work uses, in either form", () => {
    expect(parseGoWork("go 1.26\n\nuse (\n\t./lib // the library\n\tsvc/\n)\n")).toEqual(["./lib", "./svc"]);
    expect(parseGoWork("go 1.26\nuse ./one\n")).toEqual(["./one"]);
  });

  it("refuses a module outside the source, or none", () => {
    expect(() => parseGoWork("use ../elsewhere\n")).toThrow('go.work uses "../elsewhere", outside the source directory');
    expect(() => parseGoWork("go 1.26\n")).toThrow("go.work uses no module");
  });

  it("copies only the manifests into the cache layer, and tests every module", () => {
    const layout = { vendor: false, workspace: ["./lib", "./svc"] };
    expect(manifestFiles(layout)).toEqual(["go.work", "go.work.sum", "lib/go.mod", "lib/go.sum", "svc/go.mod", "svc/go.sum"]);
    expect(packagePatterns(layout)).toEqual(["./lib/...", "./svc/..."]);
    expect(manifestFiles({ vendor: false })).toEqual(["go.mod", "go.sum"]);
    expect(packagePatterns({ vendor: false })).toEqual(["./..."]);
  });
});
