/** The targets, judged from the measurements. */
import type { LoadResult, Variant } from "./load.js";
import type { ShutdownResult } from "./shutdown.js";
import type { SizeResult } from "./size.js";
import type { StartupResult } from "./startup.js";

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

const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;

export function judge(size: SizeResult, load: LoadResult, startup: StartupResult, shutdown: ShutdownResult): Target[] {
  const out: Target[] = [];
  const recipe = size.rows.find((r) => r.name === "recipe");
  if (recipe?.binary !== undefined && recipe.image) {
    const extra = recipe.image.uncompressed - recipe.binary;
    out.push({
      target: `image ≤ binary + ${kb(IMAGE_SLACK)} (uncompressed)`,
      measured: `${recipe.image.uncompressed} B = binary ${recipe.binary} B + ${kb(extra)}`,
      met: extra <= IMAGE_SLACK,
    });
  }
  const row = (variant: Variant, endpoint: string) => load.rows.find((r) => r.variant === variant && r.endpoint === endpoint);
  for (const variant of ["service LOG_LEVEL=warn", "service LOG_LEVEL=info"] as const) {
    for (const endpoint of new Set(load.rows.map((r) => r.endpoint))) {
      const s = row(variant, endpoint);
      const b = row("bare", endpoint);
      if (!s || !b) continue;
      const rps = s.requestsPerSec.median / b.requestsPerSec.median;
      const p99 = s.p99.median / b.p99.median;
      out.push({
        target: `${variant} GET ${endpoint}: req/s ≥ ${MIN_RPS_RATIO}× bare`,
        measured: `${rps.toFixed(2)}× (${s.requestsPerSec.median.toFixed(0)} vs ${b.requestsPerSec.median.toFixed(0)} req/s, medians)`,
        met: rps >= MIN_RPS_RATIO,
      });
      out.push({
        target: `${variant} GET ${endpoint}: p99 ≤ ${MAX_P99_RATIO}× bare`,
        measured: `${p99.toFixed(2)}× (${s.p99.median.toFixed(2)} vs ${b.p99.median.toFixed(2)} ms, medians)`,
        met: p99 <= MAX_P99_RATIO,
      });
    }
  }
  const ready = startup.rows.find((r) => r.what.startsWith("service: exec") && r.what.includes("warn"));
  if (ready) {
    out.push({
      target: `exec → ready ≤ ${MAX_READY_MS} ms (judged on p90)`,
      measured: `median ${ready.ms.median.toFixed(1)} ms, p90 ${ready.ms.p90.toFixed(1)} ms, max ${ready.ms.max.toFixed(1)} ms (n=${ready.ms.n})`,
      met: ready.ms.p90 <= MAX_READY_MS,
    });
  }
  const failed = shutdown.rows.reduce(
    (n, r) =>
      n +
      Math.abs(r.lostInFlight) +
      (Number.isNaN(r.failedMidResponse) ? 0 : r.failedMidResponse) +
      r.non200 +
      Object.values(r.other).reduce((a, b) => a + b, 0),
    0,
  );
  const exits = shutdown.rows.map((r) => r.exitCode);
  out.push({
    target: "zero failed in-flight requests on SIGTERM (and exit 0)",
    measured: `${failed} failed across ${shutdown.rows.length} runs (${shutdown.rows.map((r) => r.handled).reduce((a, b) => a + b, 0)} requests handled); exit codes ${exits.join(", ")}`,
    met: failed === 0 && exits.every((c) => c === 0),
  });
  return out;
}
