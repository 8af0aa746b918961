/**
 * ko beside the module, in the same run, on the same machine, to the same kind of registry (a
 * docker-registry on 127.0.0.1 of the bench's own): ko v0.19.1 installed with `go install` into a
 * bench-owned directory, its base image (one layer: the CA bundle, /etc/passwd and /etc/group of
 * the recipe) built locally and pushed there; the same -trimpath and -ldflags as the module
 * (recipe/goBuild.ts), one platform and two, the same binary-changing edits (bench/edits.ts), each
 * push's digest checked to change after an edit. ko is timed as a whole process, and so is the
 * seeds' Dockerfile recipe built by BuildKit (./buildkit.ts); the module here in one open session
 * (library mode), its pipeline's own share (./wholeProcess.ts times it as users run it). ko and
 * the module push an SBOM (ko its default SPDX, the module CycloneDX); none runs tests.
 */
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { dag } from "@dagger.io/dagger";

import { goBuildArgs } from "../dagger/src/recipe/goBuild.js";
import { CA_BUNDLE_PATH, groupContents, passwdContents } from "../dagger/src/recipe/image.js";
import { ROOT, runCommand, sh, type CommandResult } from "../test/support/commands.js";
import { goScratch } from "../test/support/engine.js";
import type { LocalRegistry } from "../test/support/registry.js";
import { BUILDX_VERSION, buildkitCheckout, buildkitPush, installBuildx } from "./buildkit.js";
import { type BenchContext, commandLine, log } from "./context.js";
import { editService } from "./edits.js";
import { inSession } from "./engine/session.js";
import { STAMP } from "./rawGo.js";
import { summarize, type Summary } from "./stats.js";

export const KO_VERSION = "v0.19.1";

export interface KoRuns {
  /** Publishes per case (no change, after an edit, two platforms after an edit). */
  publishes: number;
}

export const KO_RUNS: KoRuns = { publishes: 5 };

export interface KoResult {
  koVersion: string;
  ko: { coldMs: number; noChangeMs: Summary; editMs: Summary; twoPlatformsMs: Summary; editsChangedDigest: boolean };
  /** The module in one open session (library mode): the pipeline's own share of a publish. */
  module: { noChangeMs: Summary; editMs: Summary; twoPlatformsMs: Summary; editsChangedDigest: boolean };
  /** The seeds' Dockerfile recipe, built by the daemon's BuildKit and pushed, one platform. */
  buildkit: { buildxVersion: string; noChangeMs: Summary; editMs: Summary; editsChangedDigest: boolean };
}

const SECTION = "ko beside the module";
const DIGEST = /sha256:[0-9a-f]{64}/;

/** The module's -ldflags for the bench's stamp, as its go build has them. */
function moduleLdflags(): string {
  const args = goBuildArgs({ platform: "linux/amd64", ...STAMP });
  return args[args.indexOf("-ldflags") + 1];
}

/** Installs ko with `go install` into the bench's directory; returns its path. */
async function installKo(ctx: BenchContext): Promise<string> {
  const bin = ctx.path("ko", "bin");
  mkdirSync(bin, { recursive: true });
  await sh("go", ["install", `github.com/google/ko@${KO_VERSION}`], { env: { ...process.env, GOBIN: bin, GOFLAGS: "" }, timeout: 600_000 });
  ctx.command(SECTION, `GOBIN=<bench>/ko/bin go install github.com/google/ko@${KO_VERSION}`);
  return join(bin, "ko");
}

/** ko's base image: the recipe's CA bundle, passwd and group in one layer, pushed to `registry`. */
async function pushBase(ctx: BenchContext, registry: string): Promise<string> {
  const dir = ctx.path("ko", "base");
  mkdirSync(dir, { recursive: true });
  copyFileSync(CA_BUNDLE_PATH, join(dir, "ca-certificates.crt"));
  writeFileSync(join(dir, "passwd"), passwdContents());
  writeFileSync(join(dir, "group"), groupContents());
  writeFileSync(
    join(dir, "Dockerfile"),
    ["FROM scratch", "COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt", "COPY passwd group /etc/", "USER 65532:65532", ""].join("\n"),
  );
  const ref = `${registry}/kobase:latest`;
  await sh("docker", ["build", "-q", "-t", ref, dir], { timeout: 300_000 });
  ctx.docker.image(ref);
  await sh("docker", ["push", "-q", ref], { timeout: 300_000 });
  ctx.command(SECTION, `docker build -t ${ref} <dir: FROM scratch + CA bundle + passwd + group> && docker push ${ref}`);
  return ref;
}

/** `ko build` of `dir` for `platforms`, as a whole process; the digest it printed. */
async function koBuild(ctx: BenchContext, ko: string, dir: string, env: NodeJS.ProcessEnv, platforms: string): Promise<{ ms: number; digest: string }> {
  const args = ["build", "--bare", `--platform=${platforms}`, "."];
  const r: CommandResult = await runCommand(ko, args, { cwd: dir, env, timeoutMs: 600_000 });
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr.slice(-2000)}`);
  ctx.command(SECTION, commandLine(["ko", ...args], { KO_DOCKER_REPO: String(env.KO_DOCKER_REPO), KO_DEFAULTBASEIMAGE: String(env.KO_DEFAULTBASEIMAGE), GOCACHE: "<bench>" }));
  return { ms: r.ms, digest: DIGEST.exec(r.stdout)?.[0] ?? "" };
}

/** The publishes of each case, in ms, and the digests the edited publishes pushed. */
interface Rounds {
  noChange: number[];
  edit: number[];
  two: number[];
  editDigests: Set<string>;
}

/**
 * `publishes` rounds of: a publish with no change, one after an edit of `dir`, and one of two
 * platforms after another edit; ko and the module go through the same rounds.
 */
async function publishRounds(publishes: number, dir: string, publish: (platforms: string) => Promise<{ ms: number; digest: string }>): Promise<Rounds> {
  const r: Rounds = { noChange: [], edit: [], two: [], editDigests: new Set() };
  for (let i = 0; i < publishes; i++) {
    r.noChange.push((await publish("linux/amd64")).ms);
    editService(dir);
    const e = await publish("linux/amd64");
    r.edit.push(e.ms);
    r.editDigests.add(e.digest);
    editService(dir);
    r.two.push((await publish("linux/amd64,linux/arm64")).ms);
  }
  return r;
}

function summarizeRounds(r: Rounds): KoResult["module"] {
  return {
    noChangeMs: summarize(r.noChange),
    editMs: summarize(r.edit),
    twoPlatformsMs: summarize(r.two),
    editsChangedDigest: r.editDigests.size === r.edit.length,
  };
}

function roundsLine(r: Rounds): string {
  const ms = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join(" ");
  return `no change ${ms(r.noChange)}; edit ${ms(r.edit)}; two platforms ${ms(r.two)} ms`;
}

export async function koVersusModule(ctx: BenchContext, registry: LocalRegistry, runs: KoRuns = KO_RUNS): Promise<KoResult> {
  const host = `127.0.0.1:${registry.port}`;
  const ko = await installKo(ctx);
  const base = await pushBase(ctx, host);

  // ko's checkout, with the module's flags in its .ko.yaml.
  const koDir = ctx.path("ko", "src");
  cpSync(join(ROOT, "service"), koDir, { recursive: true });
  writeFileSync(
    join(koDir, ".ko.yaml"),
    [`defaultBaseImage: ${base}`, "builds:", "- id: service", "  main: .", "  flags: [-trimpath, -buildvcs=false]", `  ldflags: [${JSON.stringify(moduleLdflags())}]`, ""].join("\n"),
  );
  const koEnv = (goCache: string): NodeJS.ProcessEnv => ({
    ...process.env,
    KO_DOCKER_REPO: `${host}/ko`,
    KO_DEFAULTBASEIMAGE: base,
    GOCACHE: goCache,
    CGO_ENABLED: "0",
    GOFLAGS: "",
  });

  log("ko: cold (empty Go build cache)");
  const cold = await koBuild(ctx, ko, koDir, koEnv(ctx.path("ko", "gocache-cold")), "linux/amd64");
  const warmEnv = koEnv(ctx.path("ko", "gocache"));
  await koBuild(ctx, ko, koDir, warmEnv, "linux/amd64,linux/arm64"); // both platforms' caches warm
  const k = await publishRounds(runs.publishes, koDir, (platforms) => koBuild(ctx, ko, koDir, warmEnv, platforms));
  log(`  ko: cold ${cold.ms.toFixed(0)} ms; ${roundsLine(k)}`);

  // The module: publish --skip-tests --skip-scan, in one open session, a fresh read of the source each time.
  const modDir = ctx.path("ko", "module-src");
  cpSync(join(ROOT, "service"), modDir, { recursive: true });
  let tag = 0;
  const mod = await inSession(async () => {
    const service = dag.host().service([{ frontend: registry.port, backend: registry.port }]);
    const publish = async (platforms: string): Promise<{ ms: number; digest: string }> => {
      const started = performance.now();
      const out = await goScratch({ source: modDir, reloadSource: true, ...STAMP }).publish(
        `v0.0.${++tag}`, `localhost:${registry.port}/module`, undefined, undefined, platforms, false, false, true, service, undefined, true,
      );
      return { ms: performance.now() - started, digest: DIGEST.exec(out)?.[0] ?? "" };
    };
    await publish("linux/amd64,linux/arm64");
    return publishRounds(runs.publishes, modDir, publish);
  });
  ctx.command(SECTION, "new GoScratch(<copy of service/>, ...).publish(<tag>, 'localhost:<port>/module', ..., platforms, latest=false, aliases=false, skipTests=true, registryService=host:<port>, ..., skipScan=true)");
  log(`  module (one session): ${roundsLine(mod)}`);

  log("BuildKit: the seeds' multi-stage Dockerfile, built by the daemon's BuildKit and pushed");
  await installBuildx(ctx);
  const bkDir = buildkitCheckout(ctx);
  let bkTag = 0;
  const bkPush = (): Promise<{ ms: number; digest: string }> => buildkitPush(ctx, bkDir, `${host}/buildkit:v0.0.${++bkTag}`);
  await bkPush(); // cold: the golang image pulled, the cache mounts filled
  const bk: Rounds = { noChange: [], edit: [], two: [], editDigests: new Set() };
  for (let i = 0; i < runs.publishes; i++) {
    bk.noChange.push((await bkPush()).ms);
    editService(bkDir);
    const e = await bkPush();
    bk.edit.push(e.ms);
    bk.editDigests.add(e.digest);
  }
  log(`  BuildKit: no change ${bk.noChange.map((x) => x.toFixed(0)).join(" ")}; edit ${bk.edit.map((x) => x.toFixed(0)).join(" ")} ms`);

  return {
    koVersion: KO_VERSION,
    ko: { coldMs: cold.ms, ...summarizeRounds(k) },
    module: summarizeRounds(mod),
    buildkit: { buildxVersion: BUILDX_VERSION, noChangeMs: summarize(bk.noChange), editMs: summarize(bk.edit), editsChangedDigest: bk.editDigests.size === bk.edit.length },
  };
}
