/**
 * The module on a real Dagger engine, for the suites in test/engine: one session per test file, and
 * the module's own class (`GoScratch`, exactly the code `dagger call` runs) constructed with named
 * options instead of CLI flags ("library mode"). The golang image is GO_SCRATCH_GOLANG_IMAGE when set
 * (a stand-in, where the pinned image cannot be pulled), the module's pinned default otherwise; the
 * vulnerability database a local one (by default empty), so `scan` runs where vuln.go.dev cannot be reached.
 */
import { accessSync, constants } from "node:fs";
import { isAbsolute, join } from "node:path";

import { connection, dag, type CacheVolume, type Container, type Directory, type Secret, type Service } from "@dagger.io/dagger";
import { afterAll, beforeAll } from "vitest";

import { GoScratch } from "../../dagger/src/index.js";
import { ROOT, minutes } from "./commands.js";
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

/** The module's options by name: the constructor's arguments, as `dagger call --<option>` gives them. */
export interface ModuleOptions {
  /** A directory on this machine (absolute, or relative to the repository root); default service/. */
  source?: string;
  /**
   * Read the source from the host anew (`noCache`), as every new `dagger call` does; without it, a
   * session reads a host directory once and later edits go unseen.
   */
  reloadSource?: boolean;
  pkg?: string;
  version?: string;
  revision?: string;
  versionVar?: string;
  revisionVar?: string;
  golangImage?: string;
  sourceDateEpoch?: number;
  port?: number;
  healthcheck?: boolean;
  /** A directory on this machine. */
  assets?: string;
  binaryName?: string;
  title?: string;
  sourceUrl?: string;
  fresh?: boolean;
  toolchain?: Container;
  modCache?: CacheVolume;
  buildCache?: CacheVolume;
  define?: string[];
  tzdata?: boolean;
  env?: string[];
  args?: string[];
  healthPath?: string;
  blackboxPattern?: string;
  maxSizeMb?: number;
  goprivate?: string;
  gonosumdb?: string;
  goproxy?: string;
  netrc?: Secret;
  goproxyService?: Service;
  /** A vulnerability database directory on this machine; default: an empty one (the public one may be out of reach). */
  vulnDb?: string;
  vulnDbUrl?: string;
}

/** A host directory, as `--source=<path>` would load it (without .git and node_modules). */
export function hostDirectory(path: string, reload = false): Directory {
  return dag.host().directory(isAbsolute(path) ? path : join(ROOT, path), {
    exclude: ["**/.git", "**/node_modules"],
    ...(reload ? { noCache: true } : {}),
  });
}

/** `new GoScratch(...)` with named options; the golang image defaults to TEST_GOLANG_IMAGE. */
export function goScratch(o: ModuleOptions = {}): GoScratch {
  return new GoScratch(
    hostDirectory(o.source ?? "service", o.reloadSource),
    o.pkg,
    o.version,
    o.revision,
    o.versionVar,
    o.revisionVar,
    o.golangImage ?? TEST_GOLANG_IMAGE,
    o.sourceDateEpoch,
    o.port,
    o.healthcheck,
    o.assets === undefined ? undefined : hostDirectory(o.assets),
    o.binaryName,
    o.title,
    o.sourceUrl,
    o.fresh,
    o.toolchain,
    o.modCache,
    o.buildCache,
    o.define,
    o.tzdata,
    o.env,
    o.args,
    o.healthPath,
    o.blackboxPattern,
    o.maxSizeMb,
    o.goprivate,
    o.gonosumdb,
    o.goproxy,
    o.netrc,
    o.goproxyService,
    o.vulnDbUrl === undefined || o.vulnDb !== undefined ? hostDirectory(o.vulnDb ?? EMPTY_VULN_DB) : undefined,
    o.vulnDbUrl,
  );
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
export const CONFSVC: ModuleOptions = {
  source: "test/fixtures/confsvc",
  port: 9090,
  healthcheck: false,
  args: ["-addr", ":9090"],
  env: ["TZ_NAME=America/New_York"],
};
