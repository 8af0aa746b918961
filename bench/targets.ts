/** The targets, judged from the measurements: the module on the engine, then the service at run time. */
import type { Results } from "./results.js";
import type { Summary } from "./stats.js";

export interface Target {
  target: string;
  measured: string;
  met: boolean;
}

/** Bytes the image may add to the binary. */
export const IMAGE_SLACK = 300_000;
export const MIN_RPS_RATIO = 0.9;
export const MAX_P99_RATIO = 1.2;
export const MAX_READY_MS = 50;

/** The module's targets on the engine, as ratios to same-run baselines. */
export const ENGINE_TARGETS = {
  /** one-line edit build ≤ this × raw edit rebuild + the floor. */
  editOverRaw: 1.3,
  /** no-change build ≤ this × the floor. */
  noChangeOverFloor: 2,
  /** cold build minus the image pull ≤ this × raw cold go build. */
  coldRestOverRaw: 1.3,
  /** publish of two platforms ≤ this × one. */
  twoPlatformsOverOne: 1.5,
  /** test after an edit ≤ this × raw go vet + go test + go build of the same edit. */
  testOverRaw: 1.5,
  /** publish after an edit (one session) ≤ this × ko's whole process, same edit. */
  editPublishOverKo: 1.0,
  /** publish with no change (one session) ≤ this × ko's whole process. */
  noChangePublishOverKo: 1.0,
} as const;

/** The whole-process targets: ratios of whole `dagger call` processes to same-run floors, ko and BuildKit. */
export const WHOLE_PROCESS_TARGETS = {
  /** no-change build ≤ this × the trivial module's cached call. */
  noChangeBuildOverTrivialCached: 2,
  /** tarball export after an edit ≤ this × the trivial node module's two-start call. */
  editTarballOverTrivialTwoStarts: 1.0,
  /** publish after an edit ≤ this × ko's whole process. */
  editPublishOverKo: 4,
  /** publish after an edit ≤ this × BuildKit's build and push. */
  editPublishOverBuildkit: 4,
} as const;

const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;
const s = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const med = (x: Summary): number => x.median;

/** `measured ≤ k × base (+ extra)`, judged on medians. */
function ratio(target: string, measured: Summary, k: number, base: Summary, what: string, extra?: { ms: number; what: string }): Target {
  const budget = k * med(base) + (extra?.ms ?? 0);
  return {
    target,
    measured:
      `${s(med(measured))} = ${(med(measured) / med(base)).toFixed(2)}× ${what} (${s(med(base))}); ` +
      `budget ${k}× ${what}${extra ? ` + ${extra.what} (${s(extra.ms)})` : ""} = ${s(budget)}`,
    met: med(measured) <= budget,
  };
}

/** The whole-process targets, judged on medians measured in one run. */
export function wholeProcessTargets(r: Pick<Results, "whole" | "ko">): Target[] {
  const t = WHOLE_PROCESS_TARGETS;
  const m = r.whole.module;
  const f = r.whole.floors;
  return [
    ratio(`whole \`dagger call build\`, no change, ≤ ${t.noChangeBuildOverTrivialCached}× the trivial module's cached call`, m.buildNoChange.ms, t.noChangeBuildOverTrivialCached, f.trivialCached.ms, "trivial cached"),
    ratio(`whole \`dagger call tarball export\` after a one-line edit ≤ ${t.editTarballOverTrivialTwoStarts}× the trivial node module's two-start call`, m.tarballEdit.ms, t.editTarballOverTrivialTwoStarts, f.trivialTwoStarts.ms, "trivial two starts"),
    ratio(`whole \`dagger call publish\` after a one-line edit ≤ ${t.editPublishOverKo}× ko's whole process`, m.publishEdit.ms, t.editPublishOverKo, r.ko.ko.editMs, "ko"),
    ratio(`whole \`dagger call publish\` after a one-line edit ≤ ${t.editPublishOverBuildkit}× BuildKit's build and push`, m.publishEdit.ms, t.editPublishOverBuildkit, r.ko.buildkit.editMs, "BuildKit"),
    {
      target: "a repeated no-change `dagger call build` starts no module runtime (its progress shows the function CACHED)",
      measured: `GoScratch.build CACHED in ${m.buildNoChange.breakdown.functionCached} of ${m.buildNoChange.ms.n} calls; the constructor in ${m.buildNoChange.breakdown.constructorCached}`,
      met: m.buildNoChange.breakdown.functionCached === m.buildNoChange.ms.n && m.buildNoChange.breakdown.constructorCached === m.buildNoChange.ms.n,
    },
  ];
}

export function engineTargets(r: Pick<Results, "warm" | "cold" | "image" | "ko">): Target[] {
  const w = r.warm;
  const t = ENGINE_TARGETS;
  const coldRest = r.cold.restMs;
  const out: Target[] = [
    ratio(`one-line edit \`build\` ≤ ${t.editOverRaw}× raw edit rebuild + floor`, w.editBuildMs, t.editOverRaw, w.rawEditBuildMs, "raw", { ms: med(w.floorMs), what: "floor" }),
    ratio(`no-change \`build\` ≤ ${t.noChangeOverFloor}× floor`, w.noChangeBuildMs, t.noChangeOverFloor, w.floorMs, "floor"),
    ratio(`cold \`build\` minus image pull ≤ ${t.coldRestOverRaw}× raw cold go build`, coldRest, t.coldRestOverRaw, r.cold.rawColdMs, "raw cold"),
    ratio(`\`publish\` of two platforms ≤ ${t.twoPlatformsOverOne}× one platform`, w.publishTwoMs, t.twoPlatformsOverOne, w.publishOneMs, "one platform"),
    ratio(`\`test\` after an edit ≤ ${t.testOverRaw}× raw go vet + go test + go build`, w.editTestMs, t.testOverRaw, w.rawVetTestBuildMs, "raw"),
    ratio(`\`publish\` after a one-line edit, one session, ≤ ${t.editPublishOverKo}× ko's whole process`, r.ko.module.editMs, t.editPublishOverKo, r.ko.ko.editMs, "ko"),
    ratio(`\`publish\` with no change, one session, ≤ ${t.noChangePublishOverKo}× ko's whole process`, r.ko.module.noChangeMs, t.noChangePublishOverKo, r.ko.ko.noChangeMs, "ko"),
    ratio(`\`publish\` of two platforms after an edit (no tests, no scan) ≤ ${t.twoPlatformsOverOne}× one`, r.ko.module.twoPlatformsMs, t.twoPlatformsOverOne, r.ko.module.editMs, "one platform"),
  ];
  const extra = r.image.fileBytes - r.image.binary;
  out.push({
    target: `image ≤ binary + ${kb(IMAGE_SLACK)} (the files in its one layer)`,
    measured: `${r.image.fileBytes} B of files = binary ${r.image.binary} B + ${kb(extra)}; ${r.image.layers} layer(s)`,
    met: extra <= IMAGE_SLACK,
  });
  out.push({
    target: "the digest repeats on two freshly wiped engines",
    measured: r.cold.reproducibility.verdict,
    met: r.cold.reproducibility.verdict === "identical",
  });
  out.push({
    target: "every edit beside ko changes the pushed digest, for ko and for the module",
    measured: `ko ${r.ko.ko.editsChangedDigest ? "yes" : "no"}, module ${r.ko.module.editsChangedDigest ? "yes" : "no"}`,
    met: r.ko.ko.editsChangedDigest && r.ko.module.editsChangedDigest,
  });
  out.push({
    target: "every one-line edit reaches the engine's binary (a new digest each time)",
    measured: w.editsChangedBinary ? "yes" : "no: the engine built the same binary after an edit",
    met: w.editsChangedBinary,
  });
  return out;
}

export function runtimeTargets(r: Pick<Results, "load" | "startup" | "shutdown">): Target[] {
  const { load, startup, shutdown } = r;
  const out: Target[] = [];
  const row = (variant: string, endpoint: string) => load.rows.find((x) => x.variant === variant && x.endpoint === endpoint);
  // The service keeps net/http's read, write and idle timeouts on (slow clients cannot hold it): each
  // request then arms deadlines the bare server never sets. Against the bare server with the same
  // limits, the ratio is the cost of the service's own code.
  const timeoutsShare = (endpoint: string, rps: number): string => {
    const t = row("bare + service timeouts", endpoint);
    return t ? `; ${(rps / t.requestsPerSec.median).toFixed(2)}× bare + service timeouts` : "";
  };
  for (const variant of ["service LOG_LEVEL=warn", "service LOG_LEVEL=info"] as const) {
    for (const endpoint of new Set(load.rows.map((x) => x.endpoint))) {
      const sv = row(variant, endpoint);
      const b = row("bare", endpoint);
      if (!sv || !b) continue;
      const rps = sv.requestsPerSec.median / b.requestsPerSec.median;
      const p99 = sv.p99.median / b.p99.median;
      out.push({
        target: `${variant} GET ${endpoint}: req/s ≥ ${MIN_RPS_RATIO}× bare`,
        measured: `${rps.toFixed(2)}× (${sv.requestsPerSec.median.toFixed(0)} vs ${b.requestsPerSec.median.toFixed(0)} req/s, medians)${timeoutsShare(endpoint, sv.requestsPerSec.median)}`,
        met: rps >= MIN_RPS_RATIO,
      });
      out.push({
        target: `${variant} GET ${endpoint}: p99 ≤ ${MAX_P99_RATIO}× bare`,
        measured: `${p99.toFixed(2)}× (${sv.p99.median.toFixed(2)} vs ${b.p99.median.toFixed(2)} ms, medians)`,
        met: p99 <= MAX_P99_RATIO,
      });
    }
  }
  const ready = startup.rows.find((x) => x.what.startsWith("service: exec") && x.what.includes("warn"));
  if (ready) {
    out.push({
      target: `exec → ready ≤ ${MAX_READY_MS} ms (judged on p90)`,
      measured: `median ${ready.ms.median.toFixed(1)} ms, p90 ${ready.ms.p90.toFixed(1)} ms, max ${ready.ms.max.toFixed(1)} ms (n=${ready.ms.n})`,
      met: ready.ms.p90 <= MAX_READY_MS,
    });
  }
  const failed = shutdown.rows.reduce(
    (n, x) =>
      n +
      Math.abs(x.lostInFlight) +
      (Number.isNaN(x.failedMidResponse) ? 0 : x.failedMidResponse) +
      x.non200 +
      Object.values(x.other).reduce((a, b) => a + b, 0),
    0,
  );
  const exits = shutdown.rows.map((x) => x.exitCode);
  out.push({
    target: "zero failed in-flight requests on SIGTERM (and exit 0)",
    measured: `${failed} failed across ${shutdown.rows.length} runs (${shutdown.rows.map((x) => x.handled).reduce((a, b) => a + b, 0)} requests handled); exit codes ${exits.join(", ")}`,
    met: failed === 0 && exits.every((c) => c === 0),
  });
  return out;
}
