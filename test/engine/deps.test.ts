/**
 * `deps` on the engine: the cache layer holds only go.mod and go.sum, with every module of the build
 * list downloaded, so the build can run offline; its input is the same when only a .go file changed.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { dag } from "@dagger.io/dagger";
import { afterAll, describe, expect, it } from "vitest";

import { GO_PATHS } from "../../dagger/src/recipe/goBuild.js";
import { minutes, ROOT } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession } from "../support/engine.js";

const run = engineSuite("deps");

const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-deps-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!run)("engine: deps", () => {
  useEngineSession();

  it(
    "holds only go.mod and go.sum, and every required module, so nothing needs the network after it",
    async () => {
      const deps = await goScratch({ source: "test/fixtures/cmdsvc", pkg: "./cmd/server" }).deps();
      expect((await deps.directory(GO_PATHS.src).entries()).sort()).toEqual(["go.mod", "go.sum"]);
      const offline = deps.withEnvVariable("GOPROXY", "off").withEnvVariable("GOFLAGS", "-mod=mod");
      const listed = await offline.withExec(["go", "list", "-m", "-f", "{{.Path}} {{.Version}} {{.Dir}}", "github.com/google/uuid"]).stdout();
      expect(listed.trim()).toMatch(new RegExp(`^github.com/google/uuid v1\\.6\\.0 ${GO_PATHS.modCache}/github.com/google/uuid@v1\\.6\\.0$`));
      await offline.withExec(["go", "mod", "verify"]).sync();
    },
    minutes(10),
  );

  it(
    "has the same input when only a .go file changed, and another when go.mod changed",
    async () => {
      const edited = join(work, "edited");
      cpSync(join(ROOT, "test/fixtures/cmdsvc"), edited, { recursive: true });
      writeFileSync(join(edited, "cmd/server/zz_extra.go"), "package main\n\nconst extra = 1\n");
      const bumped = join(work, "bumped");
      cpSync(join(ROOT, "test/fixtures/cmdsvc"), bumped, { recursive: true });
      writeFileSync(join(bumped, "go.mod"), "module example.com/cmdsvc\n\ngo 1.26\n\nrequire github.com/google/uuid v1.5.0\n");
      const missing = join(work, "missing");
      cpSync(join(ROOT, "test/fixtures/cmdsvc"), missing, { recursive: true });
      writeFileSync(join(missing, "go.mod"), "module example.com/cmdsvc\n\ngo 1.26\n\nrequire github.com/google/uuid v1.99.0\n");
      const input = async (source: string) =>
        (await goScratch({ source, pkg: "./cmd/server" }).deps()).directory(GO_PATHS.src).digest();
      const original = await input("test/fixtures/cmdsvc");
      expect(await input(edited), "a .go edit must not change the cache layer's input").toBe(original);
      expect(await input(bumped), "a go.mod change must change it").not.toBe(original);
      // A version that does not exist: the download's own error says which module.
      const message = await rejection(input(missing));
      console.log(`deps with a go.mod requiring a version that does not exist:\n${message}`);
      expect(message).toMatch(/^go mod download failed \(exit 1\):/);
      expect(message).toContain("github.com/google/uuid@v1.99.0");
    },
    minutes(10),
  );

  it(
    "downloads for a workspace whose modules require each other at v0.0.0 what it needs from outside, and nothing it provides",
    async () => {
      // test/fixtures/wsrequires, with a module from the proxy required by its library.
      const dir = join(work, "wsrequires-uuid");
      cpSync(join(ROOT, "test/fixtures/wsrequires"), dir, { recursive: true });
      writeFileSync(join(dir, "lib", "go.mod"), "module example.com/wsr/lib\n\ngo 1.26\n\nrequire github.com/google/uuid v1.6.0\n");
      cpSync(join(ROOT, "test/fixtures/vulnsvc/go.sum"), join(dir, "lib", "go.sum"));
      const modCache = dag.cacheVolume(`go-scratch-test-wsrequires-${Date.now()}`); // empty: only this download fills it
      const deps = await goScratch({ source: dir, pkg: "./svc/cmd/server", modCache }).deps();
      const cached = await deps.withExec(["sh", "-c", `ls ${GO_PATHS.modCache}/cache/download/github.com/google/uuid/@v/ ${GO_PATHS.modCache}/cache/download/example.com 2>&1 || true`]).stdout();
      expect(cached).toContain("v1.6.0.zip");
      expect(cached, "nothing asked for the workspace's own modules").toMatch(/example\.com.*No such file or directory/);
    },
    minutes(10),
  );

  it("says what is wrong with a source that has no go.mod", async () => {
    const message = await rejection(goScratch({ source: "test/fixtures/cmdsvc/cmd" }).deps());
    expect(message).toBe(
      "no go.mod at the root of the source directory: pass the Go module's root with --source (it must contain go.mod, or go.work for a workspace)",
    );
  });
});
