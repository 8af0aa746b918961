import { describe, expect, it } from "vitest";

import { toolchainFailure, toolchainMessage } from "../../dagger/src/recipe/toolchainSwitch.js";

// What the go command (1.26.8) printed here for a go.mod asking for a Go it could not fetch.
const NOT_SERVED = `go: downloading go1.27.9 (linux/amd64)
go: download go1.27.9: golang.org/toolchain@v0.0.1-go1.27.9.linux-amd64: reading https://proxy.example/golang.org/toolchain/@v/v0.0.1-go1.27.9.linux-amd64.zip: 403 Forbidden
	server response: This module version is not available.`;
const OFFLINE = `go: downloading go1.27.3 (linux/amd64)
go: download go1.27.3 for linux/amd64: toolchain not available`;
const LOCAL = "go: go.mod requires go >= 1.27.3 (running go 1.26.8; GOTOOLCHAIN=local)";

describe("toolchainFailure", () => {
  it("reads the version the go command wanted and the proxy's answer", () => {
    expect(toolchainFailure(NOT_SERVED)).toEqual({ wanted: "go1.27.9", reason: "403 Forbidden: This module version is not available." });
  });

  it("reads a toolchain the proxy (or GOPROXY=off) could not give", () => {
    expect(toolchainFailure(OFFLINE)).toEqual({ wanted: "go1.27.3", reason: "toolchain not available" });
  });

  it("reads a go.mod refused under GOTOOLCHAIN=local", () => {
    expect(toolchainFailure(LOCAL)).toEqual({ wanted: "go1.27.3", reason: "GOTOOLCHAIN=local forbids fetching it" });
  });

  it("ignores any other failure, a compile error among them", () => {
    expect(toolchainFailure("./main.go:3:1: syntax error: non-declaration statement outside function body")).toBeUndefined();
    expect(toolchainFailure("go: downloading github.com/google/uuid v1.6.0")).toBeUndefined();
  });
});

describe("toolchainMessage", () => {
  it("says in one line what go.mod asks for, what the toolchain has and what to pass", () => {
    const m = toolchainMessage({ wanted: "go1.27.9", reason: "403 Forbidden: This module version is not available." }, "go1.26.8");
    expect(m).not.toContain("\n");
    expect(m).toBe(
      "go.mod (or go.work) asks for go1.27.9; the toolchain has go1.26.8, and the go command could not fetch go1.27.9 from GOPROXY " +
        "(403 Forbidden: This module version is not available.): pass --golang-image with Go 1.27.9 or newer (e.g. golang:1.27.9-alpine, pinned by digest), " +
        "or --toolchain, or --goproxy with a proxy that serves golang.org/toolchain",
    );
  });
});
