import { describe, expect, it } from "vitest";

import { checkSource, declaresPackageMain, hasVendor } from "../../dagger/src/recipe/source.js";

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
