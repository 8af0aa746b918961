/**
 * The module on a real Dagger engine, for the suites in test/engine: one session per test file, and
 * the module's own class (`GoScratch`, exactly the code `dagger call` runs) constructed with named
 * options instead of CLI flags ("library mode"). The golang image is GO_SCRATCH_GOLANG_IMAGE when set
 * (a stand-in, where the pinned image cannot be pulled), the module's pinned default otherwise; the
 * vulnerability database a local one (by default empty), so `scan` runs where vuln.go.dev cannot be reached.
 */
import { accessSync, constants } from "node:fs";
import { isAbsolute, join } from "node:path";

import { connection, dag, type Directory } from "@dagger.io/dagger";
import { afterAll, beforeAll } from "vitest";

import { GoScratch, type ModuleOptions } from "../../dagger/src/index.js";
import { useHelpersFrom } from "../../dagger/src/pipeline/helpers.js";
import { ROOT, minutes } from "./commands.js";
import { constructorParameters } from "./moduleSource.js";
import { requireOrSkip, toolAvailable, type Availability } from "./requirements.js";
import { EMPTY_VULN_DB } from "./vulnDatabase.js";

/** Whether a Dagger session can be opened: inside `dagger run`, or with a dagger CLI to start one. */
export function engineAvailable(): Availability {
  if (process.env.DAGGER_SESSION_PORT) return { ok: true, reason: "" };
  const bin = process.env._EXPERIMENTAL_DAGGER_CLI_BIN;
  if (bin) {
    try {
      accessSync(bin, constants.X_OK);
      return { ok: true, reason: "" };
    } catch {
      return { ok: false, reason: `_EXPERIMENTAL_DAGGER_CLI_BIN=${bin} is not an executable` };
    }
  }
  const cli = toolAvailable("dagger", ["version"]);
  return cli.ok
    ? cli
    : {
        ok: false,
        reason:
          "no Dagger engine: run ../shared/dagger-engine/up and source /var/lib/go-scratch-engine/env, or run under `dagger run`",
      };
}

/** At the top of an engine suite: true when it can run; skips with one line, or fails under CI=true. */
export function engineSuite(name: string, extra: Availability[] = []): boolean {
  return requireOrSkip(`engine: ${name}`, [engineAvailable(), ...extra]);
}

/**
 * Opens one Dagger session for the calling test file (in beforeAll) and closes it (in afterAll).
 * `dag` reaches the engine in between.
 */
export function useEngineSession(): void {
  let release: (() => void) | undefined;
  let closed: Promise<void> | undefined;
  beforeAll(async () => {
    let ready!: () => void;
    const opened = new Promise<void>((r) => (ready = r));
    closed = connection(async () => {
      ready();
      await new Promise<void>((r) => (release = r));
    });
    // A session that fails to open rejects `closed` before `opened` resolves.
    await Promise.race([opened, closed]);
  }, minutes(3));
  afterAll(async () => {
    release?.();
    await closed;
  }, minutes(2));
}

/** The golang image the suites build with. */
export const TEST_GOLANG_IMAGE: string | undefined = process.env.GO_SCRATCH_GOLANG_IMAGE || undefined;

/**
 * The module's options by name, as `dagger call --<option>` gives them (the module's own
 * ModuleOptions), except that directories are paths on this machine; and the source every function
 * of the module is then called with, as `dagger call <function> --source=<path>` gives it.
 */
export type TestOptions = Partial<Omit<ModuleOptions, "assets" | "vulnDb" | "freshNonce">> & {
  /** A directory on this machine (absolute, or relative to the repository root); default service/. */
  source?: string;
  /**
   * Read the source from the host anew (`noCache`), as every new `dagger call` does; without it, a
   * session reads a host directory once and later edits go unseen.
   */
  reloadSource?: boolean;
  /** A directory on this machine. */
  assets?: string;
  /** A vulnerability database directory on this machine; default: an empty one (the public one may be out of reach). */
  vulnDb?: string;
  /** Chain `fresh` before the function, as `dagger call fresh <function>` does. */
  fresh?: boolean;
};

/** A host directory, as `--source=<path>` would load it (without .git and node_modules). */
export function hostDirectory(path: string, reload = false): Directory {
  return dag.host().directory(isAbsolute(path) ? path : join(ROOT, path), {
    exclude: ["**/.git", "**/node_modules"],
    ...(reload ? { noCache: true } : {}),
  });
}

/** The functions of GoScratch that take the source first, as a test calls them: the source already given. */
type SourceFunctions = {
  [K in keyof GoScratch as GoScratch[K] extends (...args: infer P) => unknown ? (P extends [Directory, ...unknown[]] ? K : never) : never]: GoScratch[K] extends (
    source: Directory,
    ...rest: infer A
  ) => infer R
    ? (...args: A) => R
    : never;
};

/** The module under test: its functions with the source bound, `fresh` chained likewise, and the object itself. */
export type ModuleUnderTest = SourceFunctions & {
  /** `dagger call fresh <function>`: the same module with every cache bypassed for the next call. */
  fresh(): ModuleUnderTest;
  readonly object: GoScratch;
  readonly source: Directory;
};

/** The functions that take the source, by name (checked against the class by the type above). */
const SOURCE_FUNCTIONS = ["deps", "binary", "build", "tarball", "sbom", "scan", "serve", "test", "publish"] as const satisfies readonly (keyof SourceFunctions)[];

/** `object`'s functions with `source` given first, as the module runtime passes a function's arguments. */
export function bindSource(object: GoScratch, source: Directory): ModuleUnderTest {
  const call = (name: keyof SourceFunctions) => (...args: unknown[]) => (object[name] as (...a: unknown[]) => unknown).call(object, source, ...args);
  const bound = Object.fromEntries(SOURCE_FUNCTIONS.map((name) => [name, call(name)])) as SourceFunctions;
  return { ...bound, fresh: () => bindSource(object.fresh(), source), object, source };
}

/**
 * `new GoScratch(...)` with named options, passed in the constructor's parameter order as the SDK's
 * runtime passes them (an option not given is undefined, so the constructor's default applies); the
 * golang images default to TEST_GOLANG_IMAGE. Its functions are then called with the source.
 */
export function goScratch(o: TestOptions = {}): ModuleUnderTest {
  // Library mode has no current module: the helpers' source comes from this checkout, as the engine
  // would load it from the module's own directory.
  useHelpersFrom(() => hostDirectory("dagger/helpers"));
  const { source, reloadSource, assets, vulnDb, fresh, ...rest } = o;
  const named: Partial<Record<string, unknown>> = {
    ...rest,
    golangImage: o.golangImage ?? TEST_GOLANG_IMAGE,
    helperImage: o.helperImage ?? TEST_GOLANG_IMAGE,
    assets: assets === undefined ? undefined : hostDirectory(assets),
    vulnDb: o.vulnDbUrl === undefined || vulnDb !== undefined ? hostDirectory(vulnDb ?? EMPTY_VULN_DB) : undefined,
  };
  const order = constructorParameters();
  const unknown = Object.keys(named).filter((k) => !order.includes(k));
  if (unknown.length > 0) throw new Error(`goScratch: no such option ${unknown.join(", ")}`);
  // The constructor's parameters, by position: the one place the SDK itself reads them from.
  const ctor = GoScratch as unknown as new (...args: unknown[]) => GoScratch;
  const module = bindSource(new ctor(...order.map((name) => named[name])), hostDirectory(source ?? "service", reloadSource));
  return fresh ? module.fresh() : module;
}

/** The error message a promise rejects with; throws if it resolves. */
export async function rejection(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  throw new Error("expected a failure, but it succeeded");
}

/**
 * test/fixtures/confsvc as its users would configure it: its own -addr flag and TZ_NAME variable,
 * port 9090, no healthcheck subcommand. Without --tzdata its health path answers 500.
 */
export const CONFSVC: TestOptions = {
  source: "test/fixtures/confsvc",
  port: 9090,
  healthcheck: false,
  args: ["-addr", ":9090"],
  env: ["TZ_NAME=America/New_York"],
};
