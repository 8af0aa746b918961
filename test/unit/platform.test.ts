import { parseCompression } from "../../dagger/src/recipe/compression.js";
import { describe, expect, it } from "vitest";

import {
  PUBLISH_PLATFORMS,
  goPlatformEnv,
  normalizePlatform,
  parsePlatform,
  parsePlatformList,
} from "../../dagger/src/recipe/platform.js";

describe("normalizePlatform", () => {
  it("accepts the common Linux platforms", () => {
    expect(normalizePlatform("linux/amd64")).toBe("linux/amd64");
    expect(normalizePlatform(" Linux/ARM64 ")).toBe("linux/arm64");
    expect(normalizePlatform("linux/arm64/v8")).toBe("linux/arm64");
  });

  it("rejects another OS and says why", () => {
    expect(() => normalizePlatform("windows/amd64")).toThrow(/Linux binaries only/);
    expect(() => normalizePlatform("darwin/arm64")).toThrow('unsupported platform "darwin/arm64"');
  });

  it("rejects an unknown architecture and lists the supported ones", () => {
    expect(() => normalizePlatform("linux/mips")).toThrow(/expected one of linux\/amd64, linux\/arm64/);
  });

  it("rejects an empty platform", () => {
    expect(() => normalizePlatform("  ")).toThrow(/platform is empty/);
  });
});

describe("parsePlatform", () => {
  it("splits os, arch and variant", () => {
    expect(parsePlatform("linux/arm/v7")).toEqual({ os: "linux", arch: "arm", variant: "v7" });
    expect(parsePlatform("linux/amd64")).toEqual({ os: "linux", arch: "amd64" });
  });
});

describe("parsePlatformList", () => {
  it("parses the publish default", () => {
    expect(parsePlatformList("linux/amd64,linux/arm64")).toEqual(PUBLISH_PLATFORMS.split(","));
  });

  it("normalises, keeps order and drops duplicates", () => {
    expect(parsePlatformList(" linux/arm64 , linux/amd64,linux/arm64/v8 ")).toEqual(["linux/arm64", "linux/amd64"]);
  });

  it("rejects an empty list", () => {
    expect(() => parsePlatformList(" , ")).toThrow(/no platform given/);
  });

  it("names the bad entry", () => {
    expect(() => parsePlatformList("linux/amd64,linux/sparc")).toThrow('"linux/sparc"');
  });
});

describe("goPlatformEnv", () => {
  it("cross-compiles by GOOS/GOARCH", () => {
    expect(goPlatformEnv("linux/arm64")).toEqual({ GOOS: "linux", GOARCH: "arm64" });
  });

  it("sets GOARM for 32-bit ARM", () => {
    expect(goPlatformEnv("linux/arm/v7")).toEqual({ GOOS: "linux", GOARCH: "arm", GOARM: "7" });
  });
});

describe("parseCompression", () => {
  it("is gzip unless zstd is asked for, in any case", () => {
    expect(parseCompression(undefined)).toBe("gzip");
    expect(parseCompression(" ZSTD ")).toBe("zstd");
  });

  it("refuses anything else, naming what it accepts", () => {
    expect(() => parseCompression("brotli")).toThrow('invalid compression "brotli": expected gzip or zstd');
  });
});
