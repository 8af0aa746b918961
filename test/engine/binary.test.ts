/**
 * `binary` on the engine: for linux/amd64 and linux/arm64 a static, stripped, trimmed executable for
 * the right machine, with the version and revision stamped (into the variables given), the same
 * bytes from two checkouts, and the main package chosen with --pkg.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { minutes, ROOT, sh } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession, type ModuleUnderTest } from "../support/engine.js";
import { toolAvailable } from "../support/requirements.js";

const run = engineSuite("binary", [toolAvailable("readelf", ["--version"]), toolAvailable("go", ["version"])]);

const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-binary-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
/** `binary(platform)` exported to this machine. */
async function exported(gs: ModuleUnderTest, platform?: string): Promise<string> {
  const path = join(work, `app-${++n}`);
  await (await gs.binary(platform)).export(path);
  return path;
}

const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

describe.skipIf(!run)("engine: binary", () => {
  useEngineSession();

  for (const [platform, machine] of [
    ["linux/amd64", "Advanced Micro Devices X86-64"],
    ["linux/arm64", "AArch64"],
  ] as const) {
    it(
      `builds for ${platform}: static, stripped, trimmed, version stamped, for ${machine}`,
      async () => {
        const app = await exported(goScratch({ version: "v1.2.3", revision: "abc123" }), platform);
        expect(await sh("readelf", ["-hW", app])).toMatch(new RegExp(`Machine:\\s+${machine}`));
        const headers = await sh("readelf", ["-lW", app]);
        expect(headers).toMatch(/LOAD/);
        expect(headers, "static: no ELF interpreter").not.toMatch(/INTERP|Requesting program interpreter/);
        expect(await sh("readelf", ["-SW", app]), "stripped: no symbol table").not.toMatch(/\.symtab/);
        // The build info Go embeds: what the build layer really passed.
        const info = await sh("go", ["version", "-m", app]);
        expect(info).toMatch(/build\s+-trimpath=true/);
        expect(info).toMatch(/build\s+CGO_ENABLED=0/);
        expect(info).toMatch(new RegExp(`build\\s+GOARCH=${platform.split("/")[1]}`));
        expect(info, "no VCS stamping").not.toMatch(/vcs\./);
        expect((await sh("go", ["tool", "buildid", app])).trim(), "-buildid= leaves no build ID").toBe("");
        // -trimpath keeps -ldflags out of the build info: look for the stamped values themselves.
        const bytes = readFileSync(app);
        expect(bytes.includes("v1.2.3") && bytes.includes("abc123"), "version and revision stamped").toBe(true);
        if (platform === "linux/amd64") {
          const stamped = JSON.parse(await sh(app, ["version"])) as Record<string, string>;
          expect({ version: stamped.version, commit: stamped.commit }).toEqual({ version: "v1.2.3", commit: "abc123" });
        }
      },
      minutes(10),
    );
  }

  it(
    "gives the same bytes from two checkouts in different directories",
    async () => {
      const a = join(work, "a", "service");
      const b = join(work, "b", "deep", "er", "svc");
      cpSync(join(ROOT, "service"), a, { recursive: true });
      cpSync(join(ROOT, "service"), b, { recursive: true });
      const [binA, binB] = [await exported(goScratch({ source: a })), await exported(goScratch({ source: b }))];
      console.log(`binary sha256 from two checkouts: ${sha256(binA)} ${sha256(binB)}`);
      expect(sha256(binB)).toBe(sha256(binA));
    },
    minutes(10),
  );

  it(
    "stamps the variables named by --version-var and --revision-var",
    async () => {
      // Swapped on purpose: the running binary shows which variable received which value.
      const app = await exported(
        goScratch({ version: "v7.7.7", revision: "feedbeef", versionVar: "main.commit", revisionVar: "main.version" }),
      );
      const stamped = JSON.parse(await sh(app, ["version"])) as Record<string, string>;
      expect({ version: stamped.version, commit: stamped.commit }).toEqual({ version: "feedbeef", commit: "v7.7.7" });
    },
    minutes(10),
  );

  it(
    "builds the main package given with --pkg, with its dependency",
    async () => {
      const app = await exported(goScratch({ source: "test/fixtures/cmdsvc", pkg: "./cmd/server/" }));
      const info = await sh("go", ["version", "-m", app]);
      expect(info).toMatch(/^\s*path\s+example\.com\/cmdsvc\/cmd\/server$/m);
      expect(info).toMatch(/^\s*dep\s+github\.com\/google\/uuid\s+v1\.6\.0/m);
    },
    minutes(10),
  );

  it("says what to pass when --pkg is not a main package or does not exist", async () => {
    const cmdsvc = { source: "test/fixtures/cmdsvc" };
    expect(await rejection(goScratch(cmdsvc).binary())).toBe("no Go files in package .: pass the main package with --pkg (e.g. ./cmd/server)");
    expect(await rejection(goScratch({ ...cmdsvc, pkg: "./internal/api" }).binary())).toBe(
      "package ./internal/api is not a main package: pass the main package with --pkg (e.g. ./cmd/server)",
    );
    expect(await rejection(goScratch({ ...cmdsvc, pkg: "./nope" }).binary())).toBe(
      "package ./nope does not exist in the source directory: pass the main package with --pkg",
    );
  });

  it("finds the main package in any file, and is not fooled by a main.go of another package", async () => {
    // service/ with main.go renamed: the package is found in another file.
    const renamed = join(work, "renamed");
    cpSync(join(ROOT, "service"), renamed, { recursive: true });
    cpSync(join(renamed, "main.go"), join(renamed, "zz_entry.go"));
    rmSync(join(renamed, "main.go"));
    const app = await exported(goScratch({ source: renamed }));
    expect(await sh("go", ["version", "-m", app])).toMatch(/^\s*path\s+goscratch\.example\/service$/m);
    // A main.go that is not package main, and no other file that is: refused as before.
    const library = join(work, "library");
    cpSync(join(ROOT, "test/fixtures/cmdsvc"), library, { recursive: true });
    cpSync(join(library, "internal/api/api.go"), join(library, "internal/api/main.go"));
    rmSync(join(library, "internal/api/api.go"));
    expect(await rejection(goScratch({ source: library, pkg: "./internal/api" }).binary())).toBe(
      "package ./internal/api is not a main package: pass the main package with --pkg (e.g. ./cmd/server)",
    );
  }, minutes(5));
});
