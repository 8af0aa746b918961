/**
 * The module as users run it: the real `dagger` CLI loads it from a copy of this repository (what a
 * clone holds) and runs every function the README shows, on an engine that loads TypeScript modules.
 * Nothing here calls the class: the CLI goes through the engine's module runtime, with the SDK
 * library the engine bundles for the module, its argument decoding and the registered defaults.
 * Each command's whole-process time is printed at the end.
 */
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";
import { lastLines, minutes, sh, type CommandResult } from "../support/commands.js";
import { cliAvailable, dagger, daggerBackground, daggerError, execOutcomes, moduleCopy } from "../support/daggerCli.js";
import { TEST_GOLANG_IMAGE } from "../support/engine.js";
import { OciLayout } from "../support/ociLayout.js";
import { REGISTERED_DEFAULTS } from "../support/registeredDefaults.js";
import { getManifest, listTags, registryAvailable, startRegistry, type LocalRegistry } from "../support/registry.js";
import { requireOrSkip } from "../support/requirements.js";
import { EMPTY_VULN_DB } from "../support/vulnDatabase.js";

const run = requireOrSkip("cli: the module through dagger call", [cliAvailable(), registryAvailable()]);

/** What the module's constructor gets on every call here: the golang image that can be pulled, for the service and the module's helpers. */
const GOLANG = TEST_GOLANG_IMAGE ? [`--golang-image=${TEST_GOLANG_IMAGE}`, `--helper-image=${TEST_GOLANG_IMAGE}`] : [];

describe.skipIf(!run)("cli: the module through dagger call", () => {
  let dir: string;
  let registry: LocalRegistry;
  const times: { command: string; ms: number }[] = [];

  beforeAll(async () => {
    dir = moduleCopy();
    // `dagger check` takes no constructor flags: its options come from the module's .env, as users
    // set them (local defaults; names are the arguments', case-insensitive).
    const env = [...(TEST_GOLANG_IMAGE ? [`GOLANGIMAGE=${TEST_GOLANG_IMAGE}`, `HELPERIMAGE=${TEST_GOLANG_IMAGE}`] : []), `VULNDB=${EMPTY_VULN_DB}`];
    writeFileSync(join(dir, ".env"), env.join("\n") + "\n");
    registry = await startRegistry();
  }, minutes(2));
  afterAll(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(["whole-process times of the dagger commands (in order):", ...times.map((t) => `  ${(t.ms / 1000).toFixed(1)} s  ${t.command}`)].join("\n"));
  });

  /** `dagger <args>` in the copy; fails the test with the end of its output unless it exits 0. */
  async function ok(args: string[], timeoutMs = minutes(15)): Promise<CommandResult> {
    const r = await dagger(dir, args, { timeoutMs });
    times.push({ command: `dagger ${args.join(" ")}`, ms: r.ms });
    expect(r.code, `${r.command} exited ${r.code}:\n${lastLines(r.stderr, 30)}`).toBe(0);
    return r;
  }

  it(
    "lists the ten functions (dagger functions)",
    async () => {
      const r = await ok(["functions"]);
      const names = r.stdout.split("\n").map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").split(/\s+/)[0]);
      for (const fn of ["binary", "build", "deps", "fresh", "publish", "sbom", "scan", "serve", "tarball", "test"]) expect(names, fn).toContain(fn);
    },
    minutes(15),
  );

  it(
    "runs only what the engine's bundled SDK exports: every value the module imports from @dagger.io/dagger is in the index `dagger develop` generates",
    async () => {
      await ok(["develop"]);
      const index = readFileSync(join(dir, "dagger", "sdk", "index.ts"), "utf8");
      const exported = new Set([...index.matchAll(/export\s*\{([^}]*)\}/g)].flatMap((m) => m[1].split(",").map((n) => n.trim().split(/\s+as\s+/).pop()!)));
      const client = readFileSync(join(dir, "dagger", "sdk", "client.gen.ts"), "utf8");
      const generated = new Set([...client.matchAll(/^export (?:declare )?(?:class|const|function|enum|async function) (\w+)/gm)].map((m) => m[1]));
      expect(index, "the bundled index re-exports the generated client").toMatch(/export \* from "\.\/client\.gen\.js"/);
      const sources = await sh("git", ["grep", "-l", "@dagger.io/dagger", "--", "dagger/src"], { cwd: dir }).catch(() => "");
      const missing: string[] = [];
      for (const file of sources.split("\n").filter((f) => f.endsWith(".ts"))) {
        const text = readFileSync(join(dir, file), "utf8");
        for (const m of text.matchAll(/import\s*(type\s*)?\{([^}]*)\}\s*from\s*"@dagger\.io\/dagger"/g)) {
          if (m[1]) continue; // a type-only import is erased
          for (const raw of m[2].split(",").map((s) => s.trim()).filter((s) => s !== "" && !s.startsWith("type "))) {
            const name = raw.split(/\s+as\s+/)[0];
            if (!exported.has(name) && !generated.has(name)) missing.push(`${file}: ${name}`);
          }
        }
      }
      expect(missing, "imported at run time but not exported by the library the engine hands the module").toEqual([]);
    },
    minutes(15),
  );

  it(
    "registers every optional argument's default as the recipe states it (the engine's own schema)",
    async () => {
      const doc = join(dir, "typedefs.graphql");
      writeFileSync(doc, "{ currentTypeDefs { asObject { name constructor { args { name defaultValue } } functions { name args { name defaultValue } } } } }");
      const out = (await ok(["query", `--doc=${doc}`])).stdout;
      const defs = (JSON.parse(out) as { currentTypeDefs: { asObject: RegisteredObject | null }[] }).currentTypeDefs;
      const obj = defs.map((d) => d.asObject).find((o) => o?.name === "GoScratch");
      expect(obj, "GoScratch is in the engine's schema").toBeDefined();
      const registered: Record<string, Record<string, string | null>> = {
        "": Object.fromEntries(obj!.constructor!.args.map((a) => [a.name, a.defaultValue])),
      };
      for (const fn of obj!.functions) registered[fn.name] = Object.fromEntries(fn.args.map((a) => [a.name, a.defaultValue]));
      expect(registered).toEqual(REGISTERED_DEFAULTS);
    },
    minutes(5),
  );

  it(
    "shows the defaults in --help: the registered ones, and the .env's where it sets one",
    async () => {
      const help = (await ok(["call", "--help"])).stdout.replace(/\x1b\[[0-9;]*m/g, "").replace(/\s+/g, " ");
      const golang = TEST_GOLANG_IMAGE ?? GOLANG_IMAGE;
      expect(help).toContain(
        `--golang-image string The golang image for the cache and build layers, pinned by digest. A go.mod asking for a newer Go gets it from GOPROXY, as the go command does. (default "${golang}")`,
      );
      expect(help).toMatch(/--port int .*?\(default 8080\)/);
      const publish = (await ok(["call", "publish", "--help"])).stdout.replace(/\x1b\[[0-9;]*m/g, "").replace(/\s+/g, " ");
      expect(publish).toMatch(/--platforms string .*?\(default "linux\/amd64,linux\/arm64"\)/);
      expect(publish).toMatch(/--tag string .*?\[required\]/);
    },
    minutes(5),
  );

  it(
    "build: the runtime image, chained as a Container (user, entrypoint, export)",
    async () => {
      expect((await ok(["call", ...GOLANG, "build", "user"])).stdout.trim()).toBe("65532:65532");
      const tar = join(dir, "image.tar");
      await ok(["call", ...GOLANG, "build", "export", `--path=${tar}`]);
      const layout = OciLayout.unpack(tar, join(dir, "image"));
      const image = layout.single();
      expect(image.config.config.User).toBe("65532:65532");
      expect(image.layers).toHaveLength(1);
    },
    minutes(15),
  );

  it(
    "binary export: the static, stamped binary",
    async () => {
      const app = join(dir, "app");
      await ok(["call", ...GOLANG, "--version=v9.8.7", "binary", "export", `--path=${app}`]);
      const info = await sh("go", ["version", "-m", app]);
      expect(info).toMatch(/build\s+CGO_ENABLED=0/);
      expect(info).toMatch(/build\s+-trimpath=true/);
      const stamped = JSON.parse(await sh(app, ["version"])) as { version?: string };
      expect(stamped.version).toBe("v9.8.7");
    },
    minutes(15),
  );

  it(
    "deps: the cache layer holds go.mod (and nothing of the source)",
    async () => {
      const gomod = (await ok(["call", ...GOLANG, "deps", "file", "--path=/src/go.mod", "contents"])).stdout;
      expect(gomod.trim()).toBe(readFileSync(join(dir, "service", "go.mod"), "utf8").trim());
      const r = await dagger(dir, ["call", ...GOLANG, "deps", "file", "--path=/src/main.go", "contents"], { timeoutMs: minutes(5) });
      expect(r.code, "main.go is not in the cache layer").not.toBe(0);
    },
    minutes(15),
  );

  it(
    "tarball export: the same bytes twice",
    async () => {
      const sums: string[] = [];
      for (const name of ["a.tar", "b.tar"]) {
        const tar = join(dir, name);
        await ok(["call", ...GOLANG, "--source-date-epoch=1700000000", "tarball", "export", `--path=${tar}`]);
        sums.push(createHash("sha256").update(readFileSync(tar)).digest("hex"));
      }
      expect(sums[1]).toBe(sums[0]);
    },
    minutes(15),
  );

  it(
    "sbom export: a CycloneDX document",
    async () => {
      const path = join(dir, "sbom.cdx.json");
      await ok(["call", ...GOLANG, "sbom", "export", `--path=${path}`]);
      const bom = JSON.parse(readFileSync(path, "utf8")) as { bomFormat?: string; specVersion?: string };
      expect(bom.bomFormat).toBe("CycloneDX");
      expect(bom.specVersion).toBe("1.5");
    },
    minutes(15),
  );

  it(
    "scan: govulncheck against a database directory",
    async () => {
      const r = await ok(["call", ...GOLANG, `--vuln-db=${EMPTY_VULN_DB}`, "scan"]);
      expect(r.stdout).toMatch(/^scan: no vulnerable code is called/);
    },
    minutes(15),
  );

  it(
    "test: every check passes",
    async () => {
      const r = await ok(["call", ...GOLANG, "test"]);
      expect(r.stdout).toContain("go-scratch test: all checks passed");
    },
    minutes(15),
  );

  it(
    "dagger check: runs test, with the options of the module's .env",
    async () => {
      const r = await ok(["check"]);
      expect(r.stderr + r.stdout).toMatch(/go-scratch:test/);
    },
    minutes(15),
  );

  it(
    "publish --tag v1.0.0: the index and latest in a registry on 127.0.0.1",
    async () => {
      const repo = "cli/service";
      const r = await ok([
        "call", ...GOLANG, `--vuln-db=${EMPTY_VULN_DB}`, "publish", "--tag=v1.0.0",
        `--repository=localhost:${registry.port}/${repo}`, `--registry-service=tcp://localhost:${registry.port}`,
        "--platforms=linux/amd64", "--skip-tests",
      ]);
      const first = r.stdout.trim().split("\n")[0];
      expect(first).toMatch(new RegExp(`^localhost:${registry.port}/${repo}:v1\\.0\\.0@sha256:[0-9a-f]{64}$`));
      expect(await listTags(registry.url, repo)).toEqual(expect.arrayContaining(["latest", "v1.0.0"]));
      const pushed = await getManifest(registry.url, repo, "v1.0.0");
      expect(pushed.digest).toBe(first.slice(first.indexOf("@") + 1));
      expect((await getManifest(registry.url, repo, "latest")).digest).toBe(pushed.digest);
      // Without --signing-key the signer (sigstore's dependency tree) is never built.
      expect(execOutcomes(r.stderr, /^go build -C push /).length, "the pusher was built or found cached").toBeGreaterThan(0);
      expect(execOutcomes(r.stderr, /^go build -C sign /), "the signer is not built for an unsigned publish").toEqual([]);
    },
    minutes(15),
  );

  it(
    "refuses a bad option with one line naming it, before anything runs",
    async () => {
      const r = await dagger(dir, ["call", ...GOLANG, "--port=80", "build"], { timeoutMs: minutes(5) });
      times.push({ command: "dagger call --port=80 build", ms: r.ms });
      expect(r.code).not.toBe(0);
      expect(daggerError(r)).toMatch(/port 80/);
    },
    minutes(5),
  );

  it(
    "serve up: the service answers on the host port it is bound to",
    async () => {
      const port = 18000 + Math.floor(Math.random() * 1000);
      const bg = daggerBackground(dir, ["call", ...GOLANG, "serve", "up", `--ports=${port}:8080`]);
      const started = Date.now();
      try {
        let status = 0;
        while (Date.now() - started < minutes(10) && !bg.exited()) {
          status = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) }).then((res) => res.status, () => 0);
          if (status === 200) break;
          await new Promise((r) => setTimeout(r, 1_000));
        }
        times.push({ command: "dagger call serve up (until /healthz answers)", ms: Date.now() - started });
        expect(status, `serve up never answered:\n${lastLines(bg.output(), 30)}`).toBe(200);
      } finally {
        await bg.stop(10_000);
      }
    },
    minutes(12),
  );
});

interface RegisteredObject {
  name: string;
  constructor: { args: { name: string; defaultValue: string | null }[] } | null;
  functions: { name: string; args: { name: string; defaultValue: string | null }[] }[];
}
