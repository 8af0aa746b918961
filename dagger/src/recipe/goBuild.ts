/**
 * The Go side of the recipe: base image, cache locations, and the exact `go build` the module runs.
 * No Dagger import: the module and the tests share this file, so a test builds with the very same
 * arguments and environment the Dagger function uses.
 */
import { goPlatformEnv } from "./platform.js";

/**
 * The golang image the cache and build layers run in, pinned by tag AND multi-arch index digest.
 * Users can override it with `--golang-image`. Where the digest came from and how to refresh it: below.
 */
export const GOLANG_IMAGE =
  "golang:1.26.8-alpine3.23@sha256:a8fa79c5bd40d880b52bd3b6d7669ecdcfd00e85facdd427d279efb5ddd79cb1";

// Provenance of GOLANG_IMAGE's digest. No registry is reachable where this module is developed, so
// the multi-arch index digest was read from public Dockerfiles that pin the same tag, and taken only
// because three repositories of different owners agree on it (checked 2026-11-24):
//   0xPiranhaCodes/webpty Dockerfile, Vedric/mongodb-k8s-dbaas-platform api/gateway/Dockerfile,
//   mi2428/dropcheck-agent docker/minio/Dockerfile (whose README lists it as the index for
//   amd64, arm/v6, arm/v7, arm64, 386, ppc64le, riscv64 and s390x).
// It matches the Go (1.26.8) this project is tested with. To refresh, on a machine with registry access:
//   docker buildx imagetools inspect golang:<new tag>   # the "Digest:" line is the index digest

/** Paths inside the build container. */
export const GO_PATHS = {
  /** Where the source is copied. */
  src: "/src",
  /** Module download cache (GOMODCACHE), on the `go-mod` cache volume. */
  modCache: "/go/pkg/mod",
  /** Build cache (GOCACHE), on the `go-build` cache volume. */
  buildCache: "/root/.cache/go-build",
  /** Where `go build` writes the binary. */
  out: "/out/app",
  /** Where a vulnerability database given as a directory is mounted for govulncheck. */
  vulnDb: "/go-scratch/vulndb",
  /** Where the .netrc secret for private modules is mounted (the toolchain runs as root). */
  netrc: "/root/.netrc",
} as const;

/** Cache volume names: the module's name, then what they hold, so no other module's volume is shared. */
export const CACHE_VOLUMES = { modCache: "go-scratch-go-mod", buildCache: "go-scratch-go-build" } as const;

/** The host name a module proxy given as a service has while modules download. */
export const GOPROXY_ALIAS = "goproxy";

/** What a Go build needs to know, beyond the source. */
export interface GoBuildOptions {
  /** Target platform, e.g. `linux/arm64`; the build cross-compiles, never emulates. */
  platform: string;
  /** The main package to build, relative to the module root: `.` or e.g. `./cmd/server`. */
  pkg?: string;
  /** Stamped into `versionVar` with `-X`. */
  version?: string;
  /** Stamped into `revisionVar` with `-X`. */
  revision?: string;
  /** The fully qualified string variable that receives the version. */
  versionVar?: string;
  /** The fully qualified string variable that receives the revision. */
  revisionVar?: string;
  /** Further `-X importpath.name=value` definitions, each `name=value`. */
  defines?: readonly string[];
  /** Embed Go's time zone database (`-tags timetzdata`), so time.LoadLocation works in scratch. */
  tzdata?: boolean;
  /** The source has a vendor/ directory: build with -mod=vendor and download nothing. */
  vendor?: boolean;
  /** Where the binary is written. */
  output?: string;
}

export const BUILD_DEFAULTS = {
  pkg: ".",
  version: "dev",
  revision: "unknown",
  versionVar: "main.version",
  revisionVar: "main.commit",
} as const;

/** A value `-X` can carry without quoting: no spaces, quotes or shell metacharacters. */
const STAMP = /^[A-Za-z0-9][A-Za-z0-9._+:/@-]{0,127}$/;
/** `import/path.Name` or `main.name`. */
const VARIABLE = /^(?:[A-Za-z0-9_.~-]+\/)*[A-Za-z0-9_.~-]+\.[A-Za-z_][A-Za-z0-9_]*$/;
/** `.` or `./a/b`: a package inside the module, never outside it. */
const PACKAGE = /^\.(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

function check(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

/** Validates and normalises the package argument (`./cmd/server/` → `./cmd/server`). */
export function normalizePackage(pkg: string): string {
  const p = pkg.trim().replace(/\/+$/, "") || ".";
  const rel = p === "." || p.startsWith("./") ? p : `./${p}`;
  check(
    PACKAGE.test(rel) && !rel.split("/").includes(".."),
    `invalid package ${JSON.stringify(pkg)}: expected "." or a path inside the module such as ./cmd/server`,
  );
  return rel;
}

/** Validates one `-X` definition, `importpath.name=value`; returns it. */
export function validateDefine(define: string): string {
  const eq = define.indexOf("=");
  const [name, value] = eq < 0 ? [define, undefined] : [define.slice(0, eq), define.slice(eq + 1)];
  check(
    value !== undefined && VARIABLE.test(name) && (value === "" || STAMP.test(value)),
    `invalid definition ${JSON.stringify(define)}: expected importpath.name=value, e.g. main.buildChannel=stable ` +
      "(the value: letters, digits and . _ + - : / @, at most 128)",
  );
  return define;
}

/** The `-ldflags` value: stripped, no build id, version and revision stamped. */
export function ldflags(opts: GoBuildOptions): string {
  const version = opts.version ?? BUILD_DEFAULTS.version;
  const revision = opts.revision ?? BUILD_DEFAULTS.revision;
  const versionVar = opts.versionVar ?? BUILD_DEFAULTS.versionVar;
  const revisionVar = opts.revisionVar ?? BUILD_DEFAULTS.revisionVar;
  check(STAMP.test(version), `invalid version ${JSON.stringify(version)}: use letters, digits and . _ + - : / @ (at most 128)`);
  check(STAMP.test(revision), `invalid revision ${JSON.stringify(revision)}: use letters, digits and . _ + - : / @ (at most 128)`);
  check(VARIABLE.test(versionVar), `invalid version variable ${JSON.stringify(versionVar)}: expected e.g. main.version`);
  check(VARIABLE.test(revisionVar), `invalid revision variable ${JSON.stringify(revisionVar)}: expected e.g. main.commit`);
  const defines = (opts.defines ?? []).map((d) => `-X ${validateDefine(d)}`);
  return ["-s", "-w", "-buildid=", `-X ${versionVar}=${version}`, `-X ${revisionVar}=${revision}`, ...defines].join(" ");
}

/** The exact `go build` command line: static, stripped, trimmed, reproducible, version-stamped. */
export function goBuildArgs(opts: GoBuildOptions): string[] {
  return [
    "go",
    "build",
    "-trimpath",
    "-buildvcs=false",
    ...(opts.tzdata ? ["-tags", "timetzdata"] : []),
    ...(opts.vendor ? ["-mod=vendor"] : []),
    "-ldflags",
    ldflags(opts),
    "-o",
    opts.output ?? GO_PATHS.out,
    normalizePackage(opts.pkg ?? BUILD_DEFAULTS.pkg),
  ];
}

/**
 * GOTOOLCHAIN for every go command run on the user's source: auto, so a go.mod or go.work that asks
 * for a newer Go than the image's (its go or toolchain line) gets that Go the way the go command
 * gets it: golang.org/toolchain from GOPROXY, verified against the checksum database, kept in the
 * module cache (the go-scratch-go-mod volume). The golang images set local, which refuses such a
 * go.mod. The same go.mod always selects the same toolchain, so the binary still repeats.
 */
export const SOURCE_GOTOOLCHAIN = "auto";

/**
 * The environment of the build: no cgo (a static binary, no libc in scratch) and the target's
 * GOOS/GOARCH.
 */
export function goBuildEnv(platform: string): Record<string, string> {
  return { CGO_ENABLED: "0", ...goPlatformEnv(platform) };
}

/** The cache layer's command: download modules for the manifests only. */
export const MOD_DOWNLOAD_ARGS = ["go", "mod", "download"] as const;

/** The cache layer's command for a workspace `go mod download` cannot load: these versions exactly. */
export function modDownloadArgs(modules: readonly { path: string; version: string }[]): string[] {
  return [...MOD_DOWNLOAD_ARGS, ...modules.map((m) => `${m.path}@${m.version}`)];
}
