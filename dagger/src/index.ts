/**
 * go-scratch: build a Go HTTP service into a minimal, reproducible, non-root image FROM scratch,
 * prove the running image works, and publish it.
 *
 * The image holds the static binary, CA certificates, a passwd entry for user 65532 and /tmp;
 * nothing else. Module-wide options (the source, the version to stamp, the port, ...) are given
 * before the function: `dagger call --source=./my-service --version=v1.2.3 build`.
 */
import {
  argument,
  check,
  dag,
  func,
  object,
  up,
  type CacheVolume,
  type Container,
  type Directory,
  type File,
  type Platform,
  type Secret,
  type Service,
} from "@dagger.io/dagger";

import { evaluateOnce } from "./pipeline/exec.js";
import { buildBinary, cacheLayer, sourceLayer } from "./pipeline/goLayers.js";
import { caBundle } from "./pipeline/toolchain.js";
import { checkReleaseTarget, release } from "./pipeline/release.js";
import { runtimeImage } from "./pipeline/runtimeImage.js";
import { sbomOf, vulnScan } from "./pipeline/supplyChain.js";
import { imageTarball } from "./pipeline/tarball.js";
import { resolveSettings, type Settings } from "./pipeline/settings.js";
import { inspectSource } from "./pipeline/sourceCheck.js";
import { packagePatterns } from "./recipe/source.js";
import { policyChecks, serviceChecks, sourceChecks } from "./pipeline/verify.js";
import { parseCompression } from "./recipe/compression.js";
import { DEFAULT_PUBLISH_PLATFORMS, normalizePlatform, parsePlatformList } from "./recipe/platform.js";
import { releaseTags } from "./recipe/tags.js";

@object()
export class GoScratch {
  // The constructor's arguments, kept as state between calls (Dagger serialises public fields) and
  // not exposed as functions. Each call resolves them into validated Settings.
  source: Directory;
  pkg?: string;
  version?: string;
  revision?: string;
  versionVar?: string;
  revisionVar?: string;
  golangImage?: string;
  sourceDateEpoch?: number;
  port?: number;
  healthcheck?: boolean;
  assets?: Directory;
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
  vulnDb?: Directory;
  vulnDbUrl?: string;
  /** With --fresh: one value per `dagger call`, shared by every stage so each runs once, uncached. */
  freshNonce?: string;

  constructor(
    /**
     * The Go module to build: a directory with go.mod at its root (default: this repository's service/).
     */
    @argument({
      defaultPath: "/service",
      ignore: ["**/.git", "**/node_modules", "**/*.md", "**/.github", "**/.vscode", "**/.idea", "**/Dockerfile", "**/.dockerignore"],
    })
    source: Directory,
    /** The main package, relative to the module root, e.g. ./cmd/server (default: "."). */
    pkg?: string,
    /** Version stamped into the binary with -X and into the image labels (default: "dev"). */
    version?: string,
    /** Source revision (e.g. the git commit) stamped with -X and into the labels (default: "unknown"). */
    revision?: string,
    /** The string variable that receives the version (default: "main.version"). */
    versionVar?: string,
    /** The string variable that receives the revision (default: "main.commit"). */
    revisionVar?: string,
    /**
     * The golang image for the cache and build layers, pinned by digest
     * (default: golang:1.26.8-alpine3.23@sha256:a8fa79c5bd40d880b52bd3b6d7669ecdcfd00e85facdd427d279efb5ddd79cb1).
     */
    golangImage?: string,
    /**
     * Seconds since 1970 used for every file's timestamp, the created label and (in `tarball` and
     * `publish`) every creation time, for reproducible images; pass `$(git log -1 --format=%ct)` (default: 0).
     */
    sourceDateEpoch?: number,
    /** The port the service listens on, 1024 or above (the image runs as non-root): exposed, and set as PORT in the image (default: 8080). */
    port?: number,
    /** Add a Docker health check running `<binary> healthcheck`; turn off for services without that subcommand (default: true). */
    healthcheck?: boolean,
    /** Extra files copied read-only to /assets in the image (default: none). */
    assets?: Directory,
    /** File name of the binary under /usr/local/bin (default: "app"). */
    binaryName?: string,
    /** The image title label (default: "go-scratch service"). */
    title?: string,
    /** URL of the source repository, for the org.opencontainers.image.source label (default: none). */
    sourceUrl?: string,
    /** Bypass every cache (module downloads, build cache, layers), like `docker build --no-cache` (default: false). */
    fresh?: boolean,
    /** A Go toolchain container for the cache and build layers, instead of --golang-image (default: none). */
    toolchain?: Container,
    /** The cache volume for downloaded modules, GOMODCACHE (default: the go-scratch-go-mod volume). */
    modCache?: CacheVolume,
    /** The cache volume for Go's build cache, GOCACHE (default: the go-scratch-go-build volume). */
    buildCache?: CacheVolume,
    /** More -X definitions, importpath.name=value; repeat it: --define main.channel=stable (default: none). */
    define?: string[],
    /** Embed Go's time zone database (-tags timetzdata, about 450 kB), so time.LoadLocation works in scratch (default: false). */
    tzdata?: boolean,
    /** An environment variable of the image, NAME=value; repeat it. Not for secrets: anyone who pulls the image can read it (default: none). */
    env?: string[],
    /** A default argument to the entrypoint (the image's CMD); repeat it, in order (default: none). */
    args?: string[],
    /** Path the health probe of `test` requests; it must answer 200 (default: "/healthz"). */
    healthPath?: string,
    /** `go test -run` pattern that selects the black-box tests `test` runs against the image (default: "^TestBlackBox"). */
    blackboxPattern?: string,
    /** Largest acceptable image size in megabytes, checked by `test` (default: 20). */
    maxSizeMb?: number,
    /** GOPRIVATE for the module download, e.g. github.com/my-org/* (default: the toolchain's). */
    goprivate?: string,
    /** GONOSUMDB for the module download (default: the toolchain's). */
    gonosumdb?: string,
    /** GOPROXY for the module download, e.g. https://goproxy.internal,direct (default: the toolchain's). */
    goproxy?: string,
    /** A .netrc with credentials for private module hosts, as a secret (file://~/.netrc); used only while modules download. Go sends it over HTTPS only, and matches the proxy URL's port: machine goproxy.internal:8443 (default: none). */
    netrc?: Secret,
    /** A module proxy reached as a service, e.g. tcp://localhost:3000 on your machine; it is the host `goproxy` while modules download: --goproxy http://goproxy:3000 (default: none). */
    goproxyService?: Service,
    /** The vulnerability database `scan` (and `publish`) reads, as a directory in the Go vulnerability database's layout (default: govulncheck's, vuln.go.dev). */
    vulnDb?: Directory,
    /** The vulnerability database as a URL, e.g. https://vuln.internal or file:///db (default: govulncheck's, vuln.go.dev). */
    vulnDbUrl?: string,
  ) {
    this.source = source;
    this.pkg = pkg;
    this.version = version;
    this.revision = revision;
    this.versionVar = versionVar;
    this.revisionVar = revisionVar;
    this.golangImage = golangImage;
    this.sourceDateEpoch = sourceDateEpoch;
    this.port = port;
    this.healthcheck = healthcheck;
    this.assets = assets;
    this.binaryName = binaryName;
    this.title = title;
    this.sourceUrl = sourceUrl;
    this.fresh = fresh;
    this.toolchain = toolchain;
    this.modCache = modCache;
    this.buildCache = buildCache;
    this.define = define;
    this.tzdata = tzdata;
    this.env = env;
    this.args = args;
    this.healthPath = healthPath;
    this.blackboxPattern = blackboxPattern;
    this.maxSizeMb = maxSizeMb;
    this.goprivate = goprivate;
    this.gonosumdb = gonosumdb;
    this.goproxy = goproxy;
    this.netrc = netrc;
    this.goproxyService = goproxyService;
    this.vulnDb = vulnDb;
    this.vulnDbUrl = vulnDbUrl;
    this.freshNonce = fresh ? String(Date.now()) : undefined;
    this.settings(); // validate every option now, before any function runs
  }

  /**
   * The cache layer: the toolchain with only go.mod and go.sum (for a workspace: go.work and each
   * module's) copied and `go mod download` run, on the go-scratch-go-mod cache volume (--mod-cache).
   * A source with vendor/ downloads nothing.
   */
  @func({ cache: "session" })
  async deps(): Promise<Container> {
    const s = this.settings();
    const layout = await inspectSource(s.source, s.pkg);
    return evaluateOnce((run) => cacheLayer(s, layout, run));
  }

  /**
   * The service binary: static (CGO_ENABLED=0), stripped, trimmed and version-stamped,
   * cross-compiled for the platform.
   */
  @func({ cache: "session" })
  async binary(
    /** Target platform, e.g. linux/amd64 or linux/arm64 (default: the engine's platform). */
    platform?: string,
  ): Promise<File> {
    const s = this.settings();
    const [target, layout] = await Promise.all([this.platformOrDefault(platform), inspectSource(s.source, s.pkg)]);
    return evaluateOnce((run) => buildBinary(s, target, layout, run));
  }

  /**
   * The runtime image FROM scratch: the binary, CA certificates, /etc/passwd and /etc/group for
   * user 65532, and /tmp; runs as 65532:65532 with an exec-form entrypoint, the port exposed, a
   * health check and OCI labels. Export it, run it, or publish it.
   */
  @func({ cache: "session" })
  async build(
    /** Target platform, e.g. linux/amd64 or linux/arm64 (default: the engine's platform). */
    platform?: string,
  ): Promise<Container> {
    const s = this.settings();
    const [target, layout] = await Promise.all([this.platformOrDefault(platform), inspectSource(s.source, s.pkg)]);
    return evaluateOnce(async (run) => runtimeImage(s, target, await buildBinary(s, target, layout, run), caBundle(s), run));
  }

  /**
   * The image as an OCI layout tarball that repeats byte for byte: the same source, options and
   * golang image give the same file and digest on any engine, at any time (every creation time is
   * --source-date-epoch). One platform gives an image manifest (`docker load` takes it), several an
   * index. This is exactly what `publish` pushes: `dagger call tarball export --path image.tar`.
   */
  @func({ cache: "session" })
  async tarball(
    /** Comma-separated platforms, e.g. linux/amd64,linux/arm64 (default: the engine's platform). */
    platforms?: string,
    /** Layer compression: gzip, or zstd (smaller; containerd 1.5+, Docker 23+) (default: "gzip"). */
    compression?: string,
  ): Promise<File> {
    const how = parseCompression(compression);
    const targets = platforms === undefined ? [await this.platformOrDefault()] : parsePlatformList(platforms);
    return imageTarball(this.settings(), await Promise.all(targets.map((p) => this.build(p))), how);
  }

  /**
   * The SBOM of the binary, as CycloneDX 1.5 JSON: the main module and its version, every dependency
   * module with its version and checksum, the Go toolchain and build settings, purls in
   * pkg:golang/... form; read from the module list Go embeds in the binary by CycloneDX's own
   * generator (cyclonedx-gomod v1.10.0). `publish` attaches one to each platform's image.
   */
  @func({ cache: "session" })
  async sbom(
    /** Target platform, e.g. linux/amd64 or linux/arm64 (default: the engine's platform). */
    platform?: string,
  ): Promise<File> {
    const target = await this.platformOrDefault(platform);
    return sbomOf(this.settings(), await this.binary(target), target);
  }

  /**
   * govulncheck (v1.9.0) on the source: fails, naming each vulnerability the code calls (ID, module,
   * fixed version, the call path), and passes with a one-line report that also counts those in
   * code that is imported but never called. --vuln-db or --vuln-db-url choose the database.
   */
  @func({ cache: "session" })
  async scan(): Promise<string> {
    const s = this.settings();
    return vulnScan(s, await inspectSource(s.source, s.pkg));
  }

  /**
   * The runtime image as a service, entrypoint used and port exposed:
   * `dagger call serve up --ports 8080:8080`, or `dagger up`.
   */
  @func({ cache: "session" })
  @up()
  async serve(): Promise<Service> {
    return (await this.build()).asService({ useEntrypoint: true });
  }

  /**
   * Test the service and its image (also as `dagger check`): go vet and go test of the source; the
   * image run as a service and probed over a binding (--health-path answers 200, the black-box tests
   * chosen by --blackbox-pattern pass with SERVICE_URL set); and the image policy (non-root, no
   * shell, exec-form entrypoint, health check, --max-size-mb). Those options are module-wide, so
   * `publish` runs the very same checks. Fails with a message naming what failed; otherwise returns
   * a short report.
   */
  @func({ cache: "session" })
  @check()
  async test(): Promise<string> {
    const s = this.settings();
    const layout = await inspectSource(s.source, s.pkg);
    const src = await sourceLayer(s, layout);
    const patterns = packagePatterns(layout);
    // The source's checks and the image's run side by side (their commands overlap on the engine);
    // the first failure in this order is the one reported, whichever finished first.
    const results = await Promise.allSettled([
      sourceChecks(src, patterns),
      this.build().then(async (image) => [...(await serviceChecks(src, image, s, patterns)), ...(await policyChecks(image, s))]),
    ]);
    const failed = results.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    const lines = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
    return ["go-scratch test: all checks passed", ...lines.map((l) => `  ${l}`)].join("\n");
  }

  /**
   * Test, scan, then publish the image for every platform as one multi-platform index under the tag
   * and, for a stable release vX.Y.Z, `latest` (a pre-release never moves latest), with each
   * platform's SBOM attached as an OCI referrer. Every tag is validated before anything is built,
   * nothing is pushed if a test, the scan or a build fails; returns the references with their digest.
   */
  @func({ cache: "never" })
  async publish(
    /** The release tag, e.g. v1.0.0 (OCI tag grammar: letters, digits, _ . -, at most 128). */
    tag: string,
    /** The image repository, without tag (default: "ttl.sh/go-scratch", an anonymous registry whose images expire). */
    repository?: string,
    /** Registry user name; give it with --password. */
    username?: string,
    /** Registry password or token, as a secret: --password env://REGISTRY_TOKEN. */
    password?: Secret,
    /** Comma-separated platforms, cross-compiled into one index (default: "linux/amd64,linux/arm64"). */
    platforms?: string,
    /** Also tag `latest` for a stable semver release (default: true). */
    latest?: boolean,
    /** Also tag the vX.Y and vX aliases of a stable semver release (default: false). */
    aliases?: boolean,
    /** DANGER: publish without running `test` first. Use only when the same commit was already tested (default: false). */
    skipTests?: boolean,
    /** Reach the registry through this service, e.g. tcp://localhost:5000 for --repository localhost:5000/...: its port must be the repository's (default: none). */
    registryService?: Service,
    /** Layer compression: gzip, or zstd (smaller; containerd 1.5+, Docker 23+) (default: "gzip"). */
    compression?: string,
    /** DANGER: publish without the vulnerability scan. Use only when the same commit was already scanned (default: false). */
    skipScan?: boolean,
  ): Promise<string> {
    const tags = releaseTags(tag, { latest: latest ?? true, aliases: aliases ?? false });
    const how = parseCompression(compression);
    const targets = parsePlatformList(platforms ?? [...DEFAULT_PUBLISH_PLATFORMS]);
    const target = { repository: repository ?? "ttl.sh/go-scratch", tags, username, password, registryService };
    checkReleaseTarget(target);
    if (!skipTests) await this.test();
    if (!skipScan) await this.scan();
    const s = this.settings();
    const layout = await imageTarball(s, await Promise.all(targets.map((p) => this.build(p))), how);
    const sboms = await Promise.all(targets.map(async (platform) => ({ platform, file: await this.sbom(platform) })));
    const refs = await release(s, layout, { ...target, sboms });
    return refs.join("\n");
  }

  /** The constructor's options with the recipe's defaults applied, all validated. */
  private settings(): Settings {
    return resolveSettings({
      source: this.source,
      pkg: this.pkg,
      version: this.version,
      revision: this.revision,
      versionVar: this.versionVar,
      revisionVar: this.revisionVar,
      golangImage: this.golangImage,
      sourceDateEpoch: this.sourceDateEpoch,
      port: this.port,
      healthcheck: this.healthcheck,
      assets: this.assets,
      binaryName: this.binaryName,
      title: this.title,
      sourceUrl: this.sourceUrl,
      fresh: this.fresh,
      toolchain: this.toolchain,
      modCache: this.modCache,
      buildCache: this.buildCache,
      defines: this.define,
      tzdata: this.tzdata,
      env: this.env,
      args: this.args,
      healthPath: this.healthPath,
      blackboxPattern: this.blackboxPattern,
      maxSizeMb: this.maxSizeMb,
      goprivate: this.goprivate,
      gonosumdb: this.gonosumdb,
      goproxy: this.goproxy,
      netrc: this.netrc,
      goproxyService: this.goproxyService,
      vulnDb: this.vulnDb,
      vulnDbUrl: this.vulnDbUrl,
      freshNonce: this.freshNonce,
    });
  }

  /** The platform to build for: the given one, validated, or the engine's own. */
  private async platformOrDefault(platform?: string): Promise<string> {
    return normalizePlatform(platform ?? ((await dag.defaultPlatform()) as Platform));
  }
}
