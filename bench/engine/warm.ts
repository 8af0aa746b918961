/**
 * Warm figures, in one open session on an engine that has built the service before: the engine's
 * floor, `build` with no change and after a one-line edit (against raw `go build` of the same edit),
 * `test` (against raw go vet + go test + go build), and `publish` of one and of two platforms to a
 * local registry. Every edit is checked to have changed the binary the engine built.
 */
import { dag } from "@dagger.io/dagger";

import { ROOT } from "../../test/support/commands.js";
import { goScratch, hostDirectory } from "../../test/support/engine.js";
import { startRegistry } from "../../test/support/registry.js";
import { type BenchContext, log } from "../context.js";
import { editService } from "../edits.js";
import { rawBuild, rawCheckout, rawVetTestBuild, STAMP } from "../rawGo.js";
import { summarize, timed, type Summary } from "../stats.js";
import { inSession } from "./session.js";

export interface WarmRuns {
  floor: number;
  builds: number;
  tests: number;
  publishes: number;
}

export const WARM_RUNS: WarmRuns = { floor: 30, builds: 7, tests: 3, publishes: 3 };

export interface WarmResult {
  /** `dag.version()`: one API round trip, ms. */
  roundTripMs: Summary;
  /** A new one-file directory, synced: the least the engine can be asked to do, ms. */
  floorMs: Summary;
  /** The source read from the host anew (noCache) and listed: what every new `dagger call` pays, ms. */
  sourceReloadMs: Summary;
  noChangeBuildMs: Summary;
  /** The same, with the source already read in this session: the pipeline's own evaluation, ms. */
  noChangeSameSourceMs: Summary;
  editBuildMs: Summary;
  rawEditBuildMs: Summary;
  /** Whether every edit gave the engine's build a new binary digest. */
  editsChangedBinary: boolean;
  noChangeTestMs: Summary;
  editTestMs: Summary;
  rawVetTestBuildMs: Summary;
  publishOneMs: Summary;
  publishTwoMs: Summary;
  /** The first publish of the session (SBOM and scan tools, arm64 toolchain work), ms. */
  firstPublishMs: number;
}

const SECTION = "Warm build, test and publish";

async function repeat(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await timed(fn)).ms);
  return out;
}

export async function warmRuns(ctx: BenchContext, runs: WarmRuns = WARM_RUNS): Promise<WarmResult> {
  const mod = rawCheckout(ctx, `${ROOT}/service`, "warm-module");
  const raw = rawCheckout(ctx, `${ROOT}/service`, "warm-raw");
  const registry = await startRegistry();
  ctx.onCleanup(() => registry.stop());
  // A fresh read of the source for every call, as every new `dagger call` makes.
  const gs = () => goScratch({ source: mod.dir, reloadSource: true, ...STAMP });
  const build = async () => (await gs().build("linux/amd64")).sync();
  const binaryDigest = async () => (await gs().binary("linux/amd64")).digest();
  const publish = (platforms: string, tag: string) =>
    gs().publish(tag, `localhost:${registry.port}/bench`, undefined, undefined, platforms, false, false, false,
      dag.host().service([{ frontend: registry.port, backend: registry.port }]));
  let tags = 0;
  const nextTag = () => `v0.0.${++tags}`;

  return inSession(async () => {
    log("warm: floor");
    const roundTrip = await repeat(runs.floor, () => dag.version());
    let n = 0;
    const floor = await repeat(runs.floor, () => dag.directory().withNewFile("f", `${Date.now()}-${n++}`).sync());

    log("warm: build");
    await rawBuild(ctx, SECTION, raw, ctx.path("raw", "warm-raw", "app")); // raw cache warm too
    await build();
    const noChange = await repeat(runs.builds, build);
    const reload = await repeat(runs.builds, () => hostDirectory(mod.dir, true).entries());
    const sameSource = goScratch({ source: mod.dir, ...STAMP });
    await (await sameSource.build("linux/amd64")).sync();
    const noChangeSame = await repeat(runs.builds, async () => (await sameSource.build("linux/amd64")).sync());
    const edit: number[] = [];
    const rawEdit: number[] = [];
    const digests = new Set<string>([await binaryDigest()]);
    for (let i = 0; i < runs.builds; i++) {
      editService(mod.dir, raw.dir);
      edit.push((await timed(build)).ms);
      digests.add(await binaryDigest());
      rawEdit.push(await rawBuild(ctx, SECTION, raw, ctx.path("raw", "warm-raw", "app")));
    }
    log(`  no change ${noChange.map((x) => x.toFixed(0)).join(" ")} ms; edit ${edit.map((x) => x.toFixed(0)).join(" ")} ms; raw edit ${rawEdit.map((x) => x.toFixed(0)).join(" ")} ms`);

    log("warm: test");
    await gs().test();
    await rawVetTestBuild(ctx, SECTION, raw, ctx.path("raw", "warm-raw", "app")); // vet's and test's caches warm too
    const noChangeTest = await repeat(runs.tests, () => gs().test());
    const editTest: number[] = [];
    const rawTest: number[] = [];
    for (let i = 0; i < runs.tests; i++) {
      editService(mod.dir, raw.dir);
      editTest.push((await timed(() => gs().test())).ms);
      rawTest.push(await rawVetTestBuild(ctx, SECTION, raw, ctx.path("raw", "warm-raw", "app")));
    }
    log(`  test after an edit ${editTest.map((x) => x.toFixed(0)).join(" ")} ms; raw vet+test+build ${rawTest.map((x) => x.toFixed(0)).join(" ")} ms`);

    log("warm: publish");
    const first = await timed(() => publish("linux/amd64,linux/arm64", nextTag()));
    const one: number[] = [];
    const two: number[] = [];
    for (let i = 0; i < runs.publishes; i++) {
      editService(mod.dir);
      one.push((await timed(() => publish("linux/amd64", nextTag()))).ms);
      editService(mod.dir);
      two.push((await timed(() => publish("linux/amd64,linux/arm64", nextTag()))).ms);
    }
    log(`  publish after an edit: one platform ${one.map((x) => x.toFixed(0)).join(" ")} ms, two ${two.map((x) => x.toFixed(0)).join(" ")} ms`);
    ctx.command(SECTION, "dag.version()   # round trip; dag.directory().withNewFile('f', <unique>).sync()   # floor");
    ctx.command(SECTION, "new GoScratch(<copy of service/>, ...).build('linux/amd64') then .sync()");
    ctx.command(SECTION, "new GoScratch(<copy of service/>, ...).test()");
    ctx.command(SECTION, `new GoScratch(<copy of service/>, ...).publish(<tag>, 'localhost:<port>/bench', ..., platforms, latest=false, ..., registryService=host:<port>)   # docker-registry ${registry.how}`);
    return {
      roundTripMs: summarize(roundTrip),
      floorMs: summarize(floor),
      sourceReloadMs: summarize(reload),
      noChangeBuildMs: summarize(noChange),
      noChangeSameSourceMs: summarize(noChangeSame),
      editBuildMs: summarize(edit),
      rawEditBuildMs: summarize(rawEdit),
      editsChangedBinary: digests.size === runs.builds + 1,
      noChangeTestMs: summarize(noChangeTest),
      editTestMs: summarize(editTest),
      rawVetTestBuildMs: summarize(rawTest),
      publishOneMs: summarize(one),
      publishTwoMs: summarize(two),
      firstPublishMs: first.ms,
    };
  });
}
