/**
 * go-scratch: build a Go HTTP service into a minimal, reproducible, non-root image FROM scratch,
 * prove the running image works, and publish it.
 *
 * The image holds the static binary, CA certificates, a passwd entry for user 65532 and /tmp;
 * nothing else. Module-wide options (the version to stamp, the port, ...) come before the function,
 * the source after it: `dagger call --version=v1.2.3 build --source=./my-service`. Every function
 * but publish is answered from the engine's cache when its inputs are unchanged (a repeated call
 * runs nothing); `dagger call fresh build` rebuilds from scratch.
 */
import {
  argument,
  check,
  dag,
  func,
  object,
  type CacheVolume,
  type Container,
  type Directory,
  type File,
  type Platform,
  type Secret,
  type Service,
} from "@dagger.io/dagger";
import { randomUUID } from "node:crypto";

import { up } from "./bundledSdk.js";
import { DeferredSteps, evaluateOnce, type StepRunner } from "./pipeline/exec.js";
import { buildBinary, cacheLayer, sourceLayer } from "./pipeline/goLayers.js";
import { caBundle, explainToolchain } from "./pipeline/toolchain.js";
import { checkStart } from "./pipeline/startup.js";
import { checkCredentials, checkReleaseTarget, release } from "./pipeline/release.js";
import { verifyReference } from "./pipeline/signing.js";
import { runtimeImage } from "./pipeline/runtimeImage.js";
import { sbomOf, vulnScan } from "./pipeline/supplyChain.js";
import { imageTarball } from "./pipeline/tarball.js";
import { validateOptions, type Settings } from "./pipeline/settings.js";
import { inspectSource } from "./pipeline/sourceCheck.js";
import { SOURCE_DEFAULT_PATH, SOURCE_IGNORE, packagePatterns, type SourceLayout } from "./recipe/source.js";
import { policyChecks, serviceChecks, sourceChecks } from "./pipeline/verify.js";
import { DEFAULT_COMPRESSION, parseCompression } from "./recipe/compression.js";
import { BUILD_DEFAULTS, GOLANG_IMAGE } from "./recipe/goBuild.js";
import { RUNTIME_DEFAULTS } from "./recipe/image.js";
import { PUBLISH_PLATFORMS, normalizePlatform, parsePlatformList } from "./recipe/platform.js";
import { TEST_DEFAULTS } from "./recipe/policy.js";
import { SOURCE_CHECK_DEFAULTS } from "./recipe/sourceChecks.js";
import { START_TIMEOUT_SECONDS } from "./recipe/startup.js";
import { provenancePredicate, verifiedLines } from "./recipe/provenance.js";
import { DEFAULT_REPOSITORY, parseImageReference } from "./recipe/reference.js";
import { RELEASE_DEFAULTS } from "./recipe/tags.js";
import { releaseTags } from "./recipe/tags.js";

@object()
export class GoScratch {
  // The module-wide options. The SDK carries an object from the constructor to the function a call
  // runs through the properties its class declares, so each option is a property here, set from the
  // constructor's parameter of the same name; that parameter's doc comment is its --help and its
  // initialiser the default the engine registers. Functions read them through settings(), validated.
  readonly pkg: string;
  readonly version: string;
  readonly revision: string;
  readonly versionVar: string;
  readonly revisionVar: string;
  readonly golangImage: string;
  readonly sourceDateEpoch: number;
  readonly port: number;
  readonly healthcheck: boolean;
  readonly assets?: Directory;
  readonly binaryName: string;
  readonly title: string;
  readonly sourceUrl?: string;
  readonly toolchain?: Container;
  readonly modCache?: CacheVolume;
  readonly buildCache?: CacheVolume;
  readonly helperImage: string;
  readonly define?: string[];
  readonly tzdata: boolean;
  readonly env?: string[];
  readonly args?: string[];
  readonly vet: boolean;
  readonly goTest: boolean;
  readonly testFlags: string;
  readonly checkPackages?: string[];
  readonly healthPath: string;
  readonly blackboxPattern: string;
  readonly maxSizeMb: number;
  readonly startTimeout: number;
  readonly goprivate?: string;
  readonly gonosumdb?: string;
  readonly goproxy?: string;
  readonly netrc?: Secret;
  readonly goproxyService?: Service;
  readonly vulnDb?: Directory;
  readonly vulnDbUrl?: string;
  /** Set by `fresh` alone: a value made for one call, which keeps that call's layers out of every cache. */
  freshNonce?: string;

  constructor(
    /** The main package, relative to the module root, e.g. ./cmd/server. */
    pkg: string = BUILD_DEFAULTS.pkg,
    /** Version stamped into the binary with -X and into the image labels. */
    version: string = BUILD_DEFAULTS.version,
    /** Source revision (e.g. the git commit) stamped with -X and into the labels. */
    revision: string = BUILD_DEFAULTS.revision,
    /** The string variable that receives the version. */
    versionVar: string = BUILD_DEFAULTS.versionVar,
    /** The string variable that receives the revision. */
    revisionVar: string = BUILD_DEFAULTS.revisionVar,
    /** The golang image for the cache and build layers, pinned by digest. A go.mod asking for a newer Go gets it from GOPROXY, as the go command does. */
    golangImage: string = GOLANG_IMAGE,
    /**
     * Seconds since 1970 used for every file's timestamp, the created label and (in tarball and
     * publish) every creation time, for reproducible images; pass $(git log -1 --format=%ct).
     */
    sourceDateEpoch: number = RUNTIME_DEFAULTS.sourceDateEpoch,
    /** The port the service listens on, 1024 or above (the image runs as non-root): exposed, and set as PORT in the image. */
    port: number = RUNTIME_DEFAULTS.port,
    /** Add a Docker health check running the binary's healthcheck subcommand; turn off for services without that subcommand. */
    healthcheck: boolean = RUNTIME_DEFAULTS.healthcheck,
    /** Extra files copied read-only to /assets in the image (none unless given). */
    assets?: Directory,
    /** File name of the binary under /usr/local/bin. */
    binaryName: string = RUNTIME_DEFAULTS.binaryName,
    /** The image title label. */
    title: string = RUNTIME_DEFAULTS.title,
    /** URL of the source repository, for the org.opencontainers.image.source label (no label unless given). */
    sourceUrl?: string,
    /** A Go toolchain container for the cache and build layers, instead of --golang-image. */
    toolchain?: Container,
    /** The cache volume for downloaded modules, GOMODCACHE; unless given, the go-scratch-go-mod volume. */
    modCache?: CacheVolume,
    /** The cache volume for Go's build cache, GOCACHE; unless given, the go-scratch-go-build volume. */
    buildCache?: CacheVolume,
    /**
     * The golang image the module compiles its own Go helpers in (image assembly, probes, the
     * pusher, the SBOM generator), pinned by digest; never your --golang-image or --toolchain, so
     * any Go builds your service. Change it only for a mirror of that image.
     */
    helperImage: string = GOLANG_IMAGE,
    /** More -X definitions, importpath.name=value; repeat it: --define main.channel=stable. */
    define?: string[],
    /** Embed Go's time zone database (-tags timetzdata, about 450 kB), so time.LoadLocation works in scratch. */
    tzdata: boolean = false,
    /** An environment variable of the image, NAME=value; repeat it. Not for secrets: anyone who pulls the image can read it. */
    env?: string[],
    /** A default argument to the entrypoint (the image's CMD); repeat it, in order. */
    args?: string[],
    /** Run go vet on the source in test (and so in publish); --vet=false for a codebase whose findings you accept. */
    vet: boolean = SOURCE_CHECK_DEFAULTS.vet,
    /** Run the service's own tests (go test) in test and publish; --go-test=false skips them (the image's own test still runs). */
    goTest: boolean = SOURCE_CHECK_DEFAULTS.goTest,
    /** More go test flags for the service's tests and the black-box tests, space-separated, each -flag or -flag=value, e.g. --test-flags=-short or "-race -tags=integration -timeout=5m" (-race needs cgo: a toolchain with gcc). */
    testFlags: string = SOURCE_CHECK_DEFAULTS.testFlags,
    /** The packages go vet and go test check, e.g. ./internal/...; repeat it. Unless given, every package of the module (or workspace). */
    checkPackages?: string[],
    /** Path the health probe of test requests; it must answer 200. */
    healthPath: string = TEST_DEFAULTS.healthPath,
    /** The go test -run pattern that selects the black-box tests test runs against the image. */
    blackboxPattern: string = TEST_DEFAULTS.blackboxPattern,
    /** Largest acceptable image size in megabytes, checked by test. */
    maxSizeMb: number = TEST_DEFAULTS.maxSizeMb,
    /** Seconds test, publish and serve wait for the service to listen on --port before they say why it does not. */
    startTimeout: number = START_TIMEOUT_SECONDS,
    /** GOPRIVATE for the module download, e.g. github.com/my-org/*; unless given, the toolchain's. */
    goprivate?: string,
    /** GONOSUMDB for the module download; unless given, the toolchain's. */
    gonosumdb?: string,
    /** GOPROXY for the module download, e.g. https://goproxy.internal,direct; unless given, the toolchain's. */
    goproxy?: string,
    /** A .netrc with credentials for private module hosts, as a secret (file://~/.netrc); used only while modules download. Go sends it over HTTPS only, and matches the proxy URL's port: machine goproxy.internal:8443. */
    netrc?: Secret,
    /** A module proxy reached as a service, e.g. tcp://localhost:3000 on your machine; it is the host goproxy while modules download: --goproxy http://goproxy:3000. */
    goproxyService?: Service,
    /** The vulnerability database scan (and publish) reads, as a directory in the Go vulnerability database's layout; unless given (or --vuln-db-url), govulncheck's own, vuln.go.dev. */
    vulnDb?: Directory,
    /** The vulnerability database as a URL, e.g. https://vuln.internal or file:///db; unless given (or --vuln-db), govulncheck's own, vuln.go.dev. */
    vulnDbUrl?: string,
  ) {
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
    this.toolchain = toolchain;
    this.modCache = modCache;
    this.buildCache = buildCache;
    this.helperImage = helperImage;
    this.define = define;
    this.tzdata = tzdata;
    this.env = env;
    this.args = args;
    this.vet = vet;
    this.goTest = goTest;
    this.testFlags = testFlags;
    this.checkPackages = checkPackages;
    this.healthPath = healthPath;
    this.blackboxPattern = blackboxPattern;
    this.maxSizeMb = maxSizeMb;
    this.startTimeout = startTimeout;
    this.goprivate = goprivate;
    this.gonosumdb = gonosumdb;
    this.goproxy = goproxy;
    this.netrc = netrc;
    this.goproxyService = goproxyService;
    this.vulnDb = vulnDb;
    this.vulnDbUrl = vulnDbUrl;
    validateOptions(this); // every option checked now, before any function runs
  }

  /**
   * The module with every cache bypassed for the function after it: no module or build cache
   * volume, no layer the engine made before, like docker build --no-cache: dagger call fresh build.
   * Never cached itself, so every such call builds again; calls without it keep their caches.
   */
  @func({ cache: "never" })
  fresh(): GoScratch {
    this.freshNonce = randomUUID();
    return this;
  }

  /**
   * The cache layer: the toolchain with only go.mod and go.sum (for a workspace: go.work and each
   * module's) copied and `go mod download` run, on the go-scratch-go-mod cache volume (--mod-cache).
   * A source with vendor/ downloads nothing.
   */
  @func()
  async deps(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
  ): Promise<Container> {
    return this.run(source, (s, layout) => evaluateOnce((run) => cacheLayer(s, layout, run)));
  }

  /**
   * The service binary: static (CGO_ENABLED=0), stripped, trimmed and version-stamped,
   * cross-compiled for the platform.
   */
  @func()
  async binary(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
    platform?: string,
  ): Promise<File> {
    const target = this.platformSoon(platform);
    return this.run(source, async (s, layout) => evaluateOnce(async (run) => buildBinary(s, await target, layout, run)));
  }

  /**
   * The runtime image FROM scratch: the binary, CA certificates, /etc/passwd and /etc/group for
   * user 65532, and /tmp; runs as 65532:65532 with an exec-form entrypoint, the port exposed, a
   * health check and OCI labels. Export it, run it, or publish it.
   */
  @func()
  async build(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
    platform?: string,
  ): Promise<Container> {
    const target = this.platformSoon(platform);
    return this.run(source, async (s, layout) => evaluateOnce(async (run) => this.image(s, await target, layout, run)));
  }

  /**
   * The image as an OCI layout tarball that repeats byte for byte: the same source, options and
   * golang image give the same file and digest on any engine, at any time (every creation time is
   * --source-date-epoch). One platform gives an image manifest (`docker load` takes it), several an
   * index. This is exactly what `publish` pushes: `dagger call tarball export --path image.tar`.
   */
  @func()
  async tarball(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
    /** Comma-separated platforms, e.g. linux/amd64,linux/arm64; unless given, the engine's platform. */
    platforms?: string,
    /** Layer compression: gzip, or zstd (smaller; containerd 1.5+, Docker 23+). */
    compression: string = DEFAULT_COMPRESSION,
  ): Promise<File> {
    const how = parseCompression(compression);
    const listed = platforms === undefined ? undefined : parsePlatformList(platforms);
    const engines = listed ? undefined : this.platformSoon();
    return this.run(source, async (s, layout) => {
      const targets = listed ?? [await engines!];
      return evaluateOnce(async (run) => imageTarball(s, await Promise.all(targets.map((p) => this.image(s, p, layout, run))), how, run));
    });
  }

  /**
   * The SBOM of the binary, as CycloneDX 1.5 JSON: the main module and its version, every dependency
   * module with its version and checksum, the Go toolchain and build settings, purls in
   * pkg:golang/... form; read from the module list Go embeds in the binary by CycloneDX's own
   * generator (cyclonedx-gomod v1.10.0). `publish` attaches one to each platform's image.
   */
  @func()
  async sbom(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
    platform?: string,
  ): Promise<File> {
    const platformAsked = this.platformSoon(platform);
    return this.run(source, async (s, layout) => {
      const target = await platformAsked;
      return evaluateOnce(async (run) => sbomOf(s, await buildBinary(s, target, layout, run), target, run));
    });
  }

  /**
   * govulncheck (v1.9.0) on the source: fails, naming each vulnerability the code calls (ID, module,
   * fixed version, the call path), and passes with a one-line report that also counts those in
   * code that is imported but never called. --vuln-db or --vuln-db-url choose the database. A pass
   * is cached for an hour (the database changes); a failure never is.
   */
  @func({ cache: "1h" })
  async scan(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
  ): Promise<string> {
    return this.run(source, (s, layout) => vulnScan(s, layout));
  }

  /**
   * The runtime image as a service, entrypoint used and port exposed:
   * `dagger call serve up --ports 8080:8080`, or `dagger up`.
   */
  @func()
  @up()
  async serve(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
  ): Promise<Service> {
    const image = await this.build(source);
    await checkStart(this.settings(source), image);
    return image.asService({ useEntrypoint: true });
  }

  /**
   * Test the service and its image (also as `dagger check`): go vet and go test of the source (each
   * turned off or tuned by --vet, --go-test, --test-flags, --check-packages); the image run as a
   * service and probed over a binding (--health-path answers 200, the black-box tests chosen by
   * --blackbox-pattern pass with SERVICE_URL set); and the image policy (non-root, no shell,
   * exec-form entrypoint, health check, --max-size-mb). Those options are module-wide, so `publish`
   * runs the very same checks. Fails with a message naming what failed; otherwise returns a short
   * report, which the engine then keeps for the same source and options (a failure it never keeps).
   */
  @func()
  @check()
  async test(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
  ): Promise<string> {
    const platformAsked = this.platformSoon();
    return this.run(source, async (s, layout) => {
      const target = await platformAsked;
      const src = await sourceLayer(s, layout);
      const patterns = packagePatterns(layout);
      const image = (): Promise<Container> => evaluateOnce((run) => this.image(s, target, layout, run));
      // The source's checks and the image's run side by side (their commands overlap on the engine);
      // the first failure in this order is the one reported, whichever finished first.
      const results = await Promise.allSettled([
        sourceChecks(src, s, patterns),
        image().then(async (built) => [...(await serviceChecks(src, built, s, patterns)), ...(await policyChecks(built, s))]),
      ]);
      const failed = results.find((r) => r.status === "rejected");
      if (failed) throw failed.reason;
      const lines = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
      return ["go-scratch test: all checks passed", ...lines.map((l) => `  ${l}`)].join("\n");
    });
  }

  /**
   * Test, scan, then publish the image for every platform as one multi-platform index under the tag
   * and, for a stable release vX.Y.Z, `latest` (a pre-release never moves latest), with each
   * platform's SBOM attached as an OCI referrer. Every tag is validated before anything is built,
   * nothing is pushed if a test, the scan or a build fails; returns the references with their digest.
   * Never cached: every call pushes.
   */
  @func({ cache: "never" })
  async publish(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({ defaultPath: SOURCE_DEFAULT_PATH, ignore: SOURCE_IGNORE }) source: Directory,
    /** The release tag, e.g. v1.0.0 (OCI tag grammar: letters, digits, _ . -, at most 128). */
    tag: string,
    /** The image repository, without tag. The default is an anonymous registry whose images expire: for a try, not a release. */
    repository: string = DEFAULT_REPOSITORY,
    /** Registry user name; give it with --password. */
    username?: string,
    /** Registry password or token, as a secret: --password env://REGISTRY_TOKEN. */
    password?: Secret,
    /** Comma-separated platforms, cross-compiled into one index. */
    platforms: string = PUBLISH_PLATFORMS,
    /** Also tag latest for a stable semver release (never for a pre-release). */
    latest: boolean = RELEASE_DEFAULTS.latest,
    /** Also tag the vX.Y and vX aliases of a stable semver release. */
    aliases: boolean = RELEASE_DEFAULTS.aliases,
    /** DANGER: publish without running test first. Use only when the same commit was already tested. */
    skipTests: boolean = false,
    /** Reach the registry through this service, e.g. tcp://localhost:5000 for --repository localhost:5000/...: its port must be the repository's. */
    registryService?: Service,
    /** Layer compression: gzip, or zstd (smaller; containerd 1.5+, Docker 23+). */
    compression: string = DEFAULT_COMPRESSION,
    /** DANGER: publish without the vulnerability scan. Use only when the same commit was already scanned. */
    skipScan: boolean = false,
    /**
     * A Docker config.json as a secret, whose auths entry for the registry holds the credentials
     * (what docker login and docker/login-action write): --registry-config file://$HOME/.docker/config.json.
     * --username and --password win over it.
     */
    registryConfig?: Secret,
    /**
     * A cosign private key (the cosign.key of cosign generate-key-pair) as a secret: --signing-key
     * file://cosign.key. With it, the index is pushed by digest, signed, its SLSA v1 provenance
     * attested, both verified against the key before any tag is written; cosign verify --key
     * cosign.pub finds them (cosign's sha256-<digest>.sig and .att tags).
     */
    signingKey?: Secret,
    /** The signing key's password, as a secret: --signing-password env://COSIGN_PASSWORD (none: an empty one). */
    signingPassword?: Secret,
  ): Promise<string> {
    const tags = releaseTags(tag, { latest, aliases });
    const how = parseCompression(compression);
    const targets = parsePlatformList(platforms);
    if (signingPassword && !signingKey) throw new Error("--signing-password was given without --signing-key");
    const target = { repository, tags, username, password, registryConfig, registryService };
    checkReleaseTarget(target);
    if (!skipTests) await this.test(source);
    if (!skipScan) await this.scan(source);
    return this.run(source, async (s, layout) => {
      // Every platform's image, the tarball, the SBOMs and the push: one graph, evaluated once.
      const steps = new DeferredSteps();
      const built = await Promise.all(targets.map(async (platform) => ({ platform, binary: await buildBinary(s, platform, layout, steps.run) })));
      const images = await Promise.all(built.map((b) => runtimeImage(s, b.platform, b.binary, caBundle(s), steps.run)));
      const tarball = await imageTarball(s, images, how, steps.run);
      const sboms = await Promise.all(built.map(async (b) => ({ platform: b.platform, file: await sbomOf(s, b.binary, b.platform, steps.run) })));
      // The tarball and the SBOMs side by side (as the push's inputs alone, the engine made them one
      // after the other); then the push, which finds them done.
      await steps.evaluate(() => Promise.all([tarball.sync(), ...sboms.map((b) => b.file.sync())]));
      const signing = signingKey && { key: signingKey, password: signingPassword, predicate: await this.provenance(s, targets, repository, tags) };
      return (await release(s, tarball, { ...target, sboms, signing }, steps)).join("\n");
    });
  }

  /**
   * Verify a published image before you run it: its cosign signature and its SLSA v1 provenance,
   * with the public key of the pair that signed it. Prints the digest verified, the key, and what
   * the provenance says (builder, source and revision, toolchain, platforms, build flags); fails,
   * saying why, for an image that key did not sign (a tag moved to another image, say). Never
   * cached: a tag can move.
   */
  @func({ cache: "never" })
  async verify(
    /** The image, by tag or digest: ghcr.io/owner/service:v1.0.0 or ghcr.io/owner/service@sha256:... */
    reference: string,
    /** The public key of the signing pair (cosign.pub). */
    publicKey: File,
    /** Registry user name; give it with --password. */
    username?: string,
    /** Registry password or token, as a secret: --password env://REGISTRY_TOKEN. */
    password?: Secret,
    /** A Docker config.json as a secret, whose auths entry for the registry holds the credentials. */
    registryConfig?: Secret,
    /** Reach the registry through this service, e.g. tcp://localhost:5000 for a reference on localhost:5000. */
    registryService?: Service,
  ): Promise<string> {
    const ref = parseImageReference(reference);
    checkCredentials(username, password);
    const report = await verifyReference(validateOptions(this), ref, publicKey, { username, password, registryConfig, registryService });
    return verifiedLines(report).join("\n");
  }

  /** The SLSA v1 provenance of a publish: what was built, from which source, with which toolchain, by this module. */
  private async provenance(s: Settings, platforms: string[], repository: string, tags: string[]): Promise<Record<string, unknown>> {
    const [sourceDigest, toolchain] = await Promise.all([
      s.source.digest(),
      s.toolchain
        ? s.toolchain.imageRef().catch(() => "a --toolchain container")
        : dag.container().from(s.golangImage).imageRef(),
    ]);
    const build = { platform: platforms[0], platforms, pkg: s.pkg, version: s.version, revision: s.revision, versionVar: s.versionVar, revisionVar: s.revisionVar, defines: s.defines, tzdata: s.tzdata };
    return provenancePredicate({ sourceDigest, revision: s.revision, sourceUrl: s.sourceUrl, build, toolchain, repository, tags });
  }

  /** The runtime image of `platform`, its commands added by `run`. */
  private async image(s: Settings, platform: string, layout: SourceLayout, run: StepRunner): Promise<Container> {
    return runtimeImage(s, platform, await buildBinary(s, platform, layout, run), caBundle(s), run);
  }

  /** The module-wide options, validated, with the source this call was given. */
  private settings(source: Directory): Settings {
    return { ...validateOptions(this), source };
  }

  /**
   * `work` with this call's settings and the source's layout (looked at first, so a bad source fails
   * with a clear message); a Go that go.mod asks for and that cannot be fetched is said in one line.
   */
  private async run<T>(source: Directory, work: (s: Settings, layout: SourceLayout) => Promise<T>): Promise<T> {
    const s = this.settings(source);
    const layout = await inspectSource(source, s.pkg);
    return explainToolchain(s, () => work(s, layout));
  }

  /** The platform to build for: the given one, validated, or the engine's own. */
  private async platformOrDefault(platform?: string): Promise<string> {
    return normalizePlatform(platform ?? ((await dag.defaultPlatform()) as Platform));
  }

  /**
   * platformOrDefault, asked for now and awaited later (beside the source's layout: one round trip
   * fewer in sequence); a failure is held until then, never an unhandled rejection.
   */
  private platformSoon(platform?: string): Promise<string> {
    const p = this.platformOrDefault(platform);
    p.catch(() => undefined);
    return p;
  }
}

/**
 * The module-wide options by name, as the class declares them: what settings() validates and what
 * the tests construct the module with.
 */
export type ModuleOptions = {
  readonly [K in keyof GoScratch as GoScratch[K] extends (...args: never[]) => unknown ? never : K]: GoScratch[K];
};
