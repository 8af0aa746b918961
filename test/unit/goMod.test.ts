/** recipe/goMod.ts: go.mod read as the cache layer needs it, and a workspace's downloads. */
import { describe, expect, it } from "vitest";

import { parseGoMod, workspaceDownloads } from "../../dagger/src/recipe/goMod.js";

const lib = parseGoMod("module example.com/ws/lib\n\ngo 1.26\n\nrequire github.com/google/uuid v1.6.0 // indirect\n");
const svc = parseGoMod(
  [
    "// The service.",
    "module example.com/ws/svc",
    "",
    "go 1.26",
    "",
    "require (",
    "\texample.com/ws/lib v0.0.0",
    '\t"golang.org/x/text" v0.20.0',
    "\texample.com/old v1.0.0",
    "\texample.com/local v1.0.0",
    ")",
    "",
    "replace example.com/old v1.0.0 => example.com/new v1.2.0",
    "replace (",
    "\texample.com/local => ../local",
    ")",
  ].join("\n"),
);

describe("parseGoMod", () => {
  it("reads the module, single and block requires (quoted, commented) and replaces", () => {
    expect(svc.module).toBe("example.com/ws/svc");
    expect(svc.requires).toEqual([
      { path: "example.com/ws/lib", version: "v0.0.0" },
      { path: "golang.org/x/text", version: "v0.20.0" },
      { path: "example.com/old", version: "v1.0.0" },
      { path: "example.com/local", version: "v1.0.0" },
    ]);
    expect(svc.replaces).toEqual([
      { from: "example.com/old", fromVersion: "v1.0.0", to: "example.com/new", toVersion: "v1.2.0" },
      { from: "example.com/local", fromVersion: undefined, to: "../local", toVersion: undefined },
    ]);
    expect(lib.requires).toEqual([{ path: "github.com/google/uuid", version: "v1.6.0" }]);
  });
});

describe("workspaceDownloads", () => {
  const work = parseGoMod("go 1.26\n\nuse (\n\t./lib\n\t./svc\n)\n");

  it("leaves a workspace whose modules do not require each other to go mod download", () => {
    expect(workspaceDownloads(work, [lib, parseGoMod("module example.com/ws/svc\n\ngo 1.26\n")])).toBeUndefined();
  });

  it("lists what the modules require from outside, never a module the workspace provides, replaced as told", () => {
    expect(workspaceDownloads(work, [lib, svc])).toEqual([
      { path: "example.com/new", version: "v1.2.0" },
      { path: "github.com/google/uuid", version: "v1.6.0" },
      { path: "golang.org/x/text", version: "v0.20.0" },
    ]);
  });

  it("is empty for a workspace that needs nothing from outside", () => {
    const a = parseGoMod("module example.com/a\n\nrequire example.com/b v0.0.0\n");
    const b = parseGoMod("module example.com/b\n");
    expect(workspaceDownloads(work, [a, b])).toEqual([]);
  });
});
