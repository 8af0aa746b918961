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
  type CacheVolume,
  type Container,
  type Directory,
  type File,
  type Platform,
  type Secret,
  type Service,
} from "@dagger.io/dagger";

import { up } from "./bundledSdk.js";
import { carry, stow, uncarry, type Carried } from "./carry.js";
import { DeferredSteps, evaluateOnce, type StepRunner } from "./pipeline/exec.js";
import { buildBinary, cacheLayer, sourceLayer } from "./pipeline/goLayers.js";
import { caBundle } from "./pipeline/toolchain.js";
import { checkStart } from "./pipeline/startup.js";
import { checkReleaseTarget, release } from "./pipeline/release.js";
import { runtimeImage } from "./pipeline/runtimeImage.js";
import { sbomOf, vulnScan } from "./pipeline/supplyChain.js";
import { imageTarball } from "./pipeline/tarball.js";
import { resolveSettings, type Settings } from "./pipeline/settings.js";
import { inspectSource } from "./pipeline/sourceCheck.js";
import { packagePatterns, type SourceLayout } from "./recipe/source.js";
import { policyChecks, serviceChecks, sourceChecks } from "./pipeline/verify.js";
import { DEFAULT_COMPRESSION, parseCompression } from "./recipe/compression.js";
import { BUILD_DEFAULTS, GOLANG_IMAGE } from "./recipe/goBuild.js";
import { RUNTIME_DEFAULTS } from "./recipe/image.js";
import { PUBLISH_PLATFORMS, normalizePlatform, parsePlatformList } from "./recipe/platform.js";
import { TEST_DEFAULTS } from "./recipe/policy.js";
import { START_TIMEOUT_SECONDS } from "./recipe/startup.js";
import { DEFAULT_REPOSITORY } from "./recipe/reference.js";
import { RELEASE_DEFAULTS } from "./recipe/tags.js";
import { releaseTags } from "./recipe/tags.js";

@object()
export class GoScratch {
  // The state the SDK carries from the constructor to the function a call runs (./carry.ts): the
  // options, in the only form it serialises. The options themselves are the constructor's
  // parameter properties, declared once there (name, type, default, --help text); the constructor
  // moves them in here, so read them through `settings()`, never as `this.<option>`.
  private readonly values!: string;
  private readonly directories!: Directory[];
  private readonly containers!: Container[];
  private readonly cacheVolumes!: CacheVolume[];
  private readonly secrets!: Secret[];
  private readonly services!: Service[];
  /** With --fresh: one value per `dagger call`, shared by every stage so each runs once, uncached. */
  private readonly freshNonce?: string;

  constructor(
    /** The Go module to build: a directory with go.mod (or go.work) at its root; by default this repository's service/. */
    @argument({
      defaultPath: "/service",
      ignore: ["**/.git", "**/node_modules", "**/*.md", "**/.github", "**/.vscode", "**/.idea", "**/Dockerfile", "**/.dockerignore"],
    })
    readonly source: Directory,
    /** The main package, relative to the module root, e.g. ./cmd/server. */
    readonly pkg: string = BUILD_DEFAULTS.pkg,
    /** Version stamped into the binary with -X and into the image labels. */
    readonly version: string = BUILD_DEFAULTS.version,
    /** Source revision (e.g. the git commit) stamped with -X and into the labels. */
    readonly revision: string = BUILD_DEFAULTS.revision,
    /** The string variable that receives the version. */
    readonly versionVar: string = BUILD_DEFAULTS.versionVar,
    /** The string variable that receives the revision. */
    readonly revisionVar: string = BUILD_DEFAULTS.revisionVar,
    /** The golang image for the cache and build layers, pinned by digest. */
    readonly golangImage: string = GOLANG_IMAGE,
    /**
     * Seconds since 1970 used for every file's timestamp, the created label and (in tarball and
     * publish) every creation time, for reproducible images; pass $(git log -1 --format=%ct).
     */
    readonly sourceDateEpoch: number = RUNTIME_DEFAULTS.sourceDateEpoch,
    /** The port the service listens on, 1024 or above (the image runs as non-root): exposed, and set as PORT in the image. */
    readonly port: number = RUNTIME_DEFAULTS.port,
    /** Add a Docker health check running the binary's healthcheck subcommand; turn off for services without that subcommand. */
    readonly healthcheck: boolean = RUNTIME_DEFAULTS.healthcheck,
    /** Extra files copied read-only to /assets in the image (none unless given). */
    readonly assets?: Directory,
    /** File name of the binary under /usr/local/bin. */
    readonly binaryName: string = RUNTIME_DEFAULTS.binaryName,
    /** The image title label. */
    readonly title: string = RUNTIME_DEFAULTS.title,
    /** URL of the source repository, for the org.opencontainers.image.source label (no label unless given). */
    readonly sourceUrl?: string,
    /** Bypass every cache (module downloads, build cache, layers), like docker build --no-cache. */
    readonly fresh: boolean = false,
    /** A Go toolchain container for the cache and build layers, instead of --golang-image. */
    readonly toolchain?: Container,
    /** The cache volume for downloaded modules, GOMODCACHE; unless given, the go-scratch-go-mod volume. */
    readonly modCache?: CacheVolume,
    /** The cache volume for Go's build cache, GOCACHE; unless given, the go-scratch-go-build volume. */
    readonly buildCache?: CacheVolume,
    /** More -X definitions, importpath.name=value; repeat it: --define main.channel=stable. */
    readonly define?: string[],
    /** Embed Go's time zone database (-tags timetzdata, about 450 kB), so time.LoadLocation works in scratch. */
    readonly tzdata: boolean = false,
    /** An environment variable of the image, NAME=value; repeat it. Not for secrets: anyone who pulls the image can read it. */
    readonly env?: string[],
    /** A default argument to the entrypoint (the image's CMD); repeat it, in order. */
    readonly args?: string[],
    /** Path the health probe of test requests; it must answer 200. */
    readonly healthPath: string = TEST_DEFAULTS.healthPath,
    /** The go test -run pattern that selects the black-box tests test runs against the image. */
    readonly blackboxPattern: string = TEST_DEFAULTS.blackboxPattern,
    /** Largest acceptable image size in megabytes, checked by test. */
    readonly maxSizeMb: number = TEST_DEFAULTS.maxSizeMb,
    /** Seconds test, publish and serve wait for the service to listen on --port before they say why it does not. */
    readonly startTimeout: number = START_TIMEOUT_SECONDS,
    /** GOPRIVATE for the module download, e.g. github.com/my-org/*; unless given, the toolchain's. */
    readonly goprivate?: string,
    /** GONOSUMDB for the module download; unless given, the toolchain's. */
    readonly gonosumdb?: string,
    /** GOPROXY for the module download, e.g. https://goproxy.internal,direct; unless given, the toolchain's. */
    readonly goproxy?: string,
    /** A .netrc with credentials for private module hosts, as a secret (file://~/.netrc); used only while modules download. Go sends it over HTTPS only, and matches the proxy URL's port: machine goproxy.internal:8443. */
    readonly netrc?: Secret,
    /** A module proxy reached as a service, e.g. tcp://localhost:3000 on your machine; it is the host goproxy while modules download: --goproxy http://goproxy:3000. */
    readonly goproxyService?: Service,
    /** The vulnerability database scan (and publish) reads, as a directory in the Go vulnerability database's layout; unless given (or --vuln-db-url), govulncheck's own, vuln.go.dev. */
    readonly vulnDb?: Directory,
    /** The vulnerability database as a URL, e.g. https://vuln.internal or file:///db; unless given (or --vuln-db), govulncheck's own, vuln.go.dev. */
    readonly vulnDbUrl?: string,
  ) {
    const options = stow(this, ["freshNonce"]);
    resolveSettings(options as ModuleOptions); // validate every option now, before any function runs
    Object.assign(this, carry(options), { freshNonce: fresh ? String(Date.now()) : undefined });
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
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
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
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
    platform?: string,
  ): Promise<Container> {
    const s = this.settings();
    const [target, layout] = await Promise.all([this.platformOrDefault(platform), inspectSource(s.source, s.pkg)]);
    return evaluateOnce((run) => this.image(s, target, layout, run));
  }

  /**
   * The image as an OCI layout tarball that repeats byte for byte: the same source, options and
   * golang image give the same file and digest on any engine, at any time (every creation time is
   * --source-date-epoch). One platform gives an image manifest (`docker load` takes it), several an
   * index. This is exactly what `publish` pushes: `dagger call tarball export --path image.tar`.
   */
  @func({ cache: "session" })
  async tarball(
    /** Comma-separated platforms, e.g. linux/amd64,linux/arm64; unless given, the engine's platform. */
    platforms?: string,
    /** Layer compression: gzip, or zstd (smaller; containerd 1.5+, Docker 23+). */
    compression: string = DEFAULT_COMPRESSION,
  ): Promise<File> {
    const how = parseCompression(compression);
    const s = this.settings();
    const [targets, layout] = await Promise.all([
      platforms === undefined ? this.platformOrDefault().then((p) => [p]) : parsePlatformList(platforms),
      inspectSource(s.source, s.pkg),
    ]);
    return evaluateOnce(async (run) => imageTarball(s, await Promise.all(targets.map((p) => this.image(s, p, layout, run))), how, run));
  }

  /**
   * The SBOM of the binary, as CycloneDX 1.5 JSON: the main module and its version, every dependency
   * module with its version and checksum, the Go toolchain and build settings, purls in
   * pkg:golang/... form; read from the module list Go embeds in the binary by CycloneDX's own
   * generator (cyclonedx-gomod v1.10.0). `publish` attaches one to each platform's image.
   */
  @func({ cache: "session" })
  async sbom(
    /** Target platform, e.g. linux/amd64 or linux/arm64; unless given, the engine's platform. */
    platform?: string,
  ): Promise<File> {
    const s = this.settings();
    const [target, layout] = await Promise.all([this.platformOrDefault(platform), inspectSource(s.source, s.pkg)]);
    return evaluateOnce(async (run) => sbomOf(s, await buildBinary(s, target, layout, run), target, run));
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
    const image = await this.build();
    await checkStart(this.settings(), image);
    return image.asService({ useEntrypoint: true });
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
  ): Promise<string> {
    const tags = releaseTags(tag, { latest, aliases });
    const how = parseCompression(compression);
    const targets = parsePlatformList(platforms);
    const target = { repository, tags, username, password, registryConfig, registryService };
    checkReleaseTarget(target);
    if (!skipTests) await this.test();
    if (!skipScan) await this.scan();
    const s = this.settings();
    const layout = await inspectSource(s.source, s.pkg);
    // Every platform's image, the tarball, the SBOMs and the push: one graph, evaluated once.
    const steps = new DeferredSteps();
    const built = await Promise.all(targets.map(async (platform) => ({ platform, binary: await buildBinary(s, platform, layout, steps.run) })));
    const images = await Promise.all(built.map((b) => runtimeImage(s, b.platform, b.binary, caBundle(s), steps.run)));
    const tarball = await imageTarball(s, images, how, steps.run);
    const sboms = await Promise.all(built.map(async (b) => ({ platform: b.platform, file: await sbomOf(s, b.binary, b.platform, steps.run) })));
    // The tarball and the SBOMs side by side (as the push's inputs alone, the engine made them one
    // after the other); then the push, which finds them done.
    await steps.evaluate(() => Promise.all([tarball.sync(), ...sboms.map((b) => b.file.sync())]));
    return (await release(s, tarball, { ...target, sboms }, steps)).join("\n");
  }

  /** The runtime image of `platform`, its commands added by `run`. */
  private async image(s: Settings, platform: string, layout: SourceLayout, run: StepRunner): Promise<Container> {
    return runtimeImage(s, platform, await buildBinary(s, platform, layout, run), caBundle(s), run);
  }

  /** The module-wide options, carried from the constructor, with every value validated. */
  private settings(): Settings {
    const { values, directories, containers, cacheVolumes, secrets, services } = this;
    const carried: Carried = { values, directories, containers, cacheVolumes, secrets, services };
    return resolveSettings(uncarry(carried) as ModuleOptions, this.freshNonce);
  }

  /** The platform to build for: the given one, validated, or the engine's own. */
  private async platformOrDefault(platform?: string): Promise<string> {
    return normalizePlatform(platform ?? ((await dag.defaultPlatform()) as Platform));
  }
}

/**
 * The module-wide options by name, as the constructor declares them (its parameter properties):
 * what settings() resolves and what the tests construct the module with.
 */
export type ModuleOptions = {
  readonly [K in keyof GoScratch as GoScratch[K] extends (...args: never[]) => unknown ? never : K]: GoScratch[K];
};
