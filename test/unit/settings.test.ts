import { describe, expect, it } from "vitest";

import type { ModuleOptions } from "../../dagger/src/index.js";
import { validateOptions } from "../../dagger/src/pipeline/settings.js";
import { BUILD_DEFAULTS, GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";
import { RUNTIME_DEFAULTS } from "../../dagger/src/recipe/image.js";
import { constructorDefaults } from "../support/registeredDefaults.js";

/** The options as the constructor hands them over: its defaults (as the engine registers them), then `given`. */
function options(given: Partial<ModuleOptions> = {}): ModuleOptions {
  // The defaults come from JSON, untyped; the introspection test holds them to the constructor's.
  return { ...constructorDefaults(), ...given } as ModuleOptions;
}

describe("validateOptions", () => {
  it("keeps the defaults the constructor registered", () => {
    const s = validateOptions(options());
    expect(s).toMatchObject({
      pkg: BUILD_DEFAULTS.pkg,
      version: BUILD_DEFAULTS.version,
      revision: BUILD_DEFAULTS.revision,
      golangImage: GOLANG_IMAGE,
      port: RUNTIME_DEFAULTS.port,
      healthcheck: true,
      binaryName: RUNTIME_DEFAULTS.binaryName,
      sourceDateEpoch: 0,
      helperImage: GOLANG_IMAGE,
      vet: true,
      goTest: true,
      testFlags: [],
      checkPackages: [],
    });
  });

  it("normalises the package", () => {
    expect(validateOptions(options({ pkg: "cmd/api/" })).pkg).toBe("./cmd/api");
  });

  it.each([
    [{ port: 0 }, "invalid port 0"],
    [{ version: "v1 beta" }, 'invalid version "v1 beta"'],
    [{ revisionVar: "commit" }, 'invalid revision variable "commit"'],
    [{ pkg: "../x" }, 'invalid package "../x"'],
    [{ binaryName: "a/b" }, 'invalid binary name "a/b"'],
    [{ sourceDateEpoch: -5 }, "invalid source date epoch -5"],
    [{ golangImage: " " }, "golang image is empty"],
    [{ port: 80 }, "port 80 is privileged"],
    [{ env: ["GITHUB_TOKEN=x"] }, "--env GITHUB_TOKEN: this looks like a secret"],
    [{ define: ["nope"] }, 'invalid definition "nope"'],
    [{ healthPath: "healthz" }, 'invalid health path "healthz"'],
    [{ maxSizeMb: 0 }, "invalid size budget 0 MB"],
    [{ goproxy: "https://me:pw@proxy.internal" }, "GOPROXY holds credentials in a URL: pass them as a secret with --netrc"],
    [{ goprivate: "a b" }, 'invalid GOPRIVATE "a b"'],
    [{ testFlags: "-json" }, "--test-flags cannot set -json"],
    [{ testFlags: "-run TestX" }, 'invalid --test-flags word "TestX"'],
    [{ checkPackages: ["../other/..."] }, 'invalid --check-packages "../other/..."'],
    [{ helperImage: "" }, "helper image is empty"],
  ])("rejects %j before anything is built", (input, message) => {
    expect(() => validateOptions(options(input))).toThrow(message);
  });
});
