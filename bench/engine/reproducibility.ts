/**
 * Reproducibility on the engine: what two cold runs on two freshly wiped engines built, compared.
 * The module's tarball and published index must repeat to the byte; the engine's own export of the
 * same container is shown beside them as the baseline (its config carries the engine's clock).
 */
import type { FreshBuild } from "./freshBuild.js";

export interface EngineReproducibilityRow {
  what: string;
  a: string;
  b: string;
  identical: boolean;
}

export interface EngineReproducibilityResult {
  rows: EngineReproducibilityRow[];
  /** "identical", or what differs. */
  verdict: string;
}

export function compareFreshBuilds(a: FreshBuild, b: FreshBuild): EngineReproducibilityResult {
  const row = (what: string, x: string, y: string): EngineReproducibilityRow => ({ what, a: x, b: y, identical: x === y });
  const rows = [
    row("tarball sha256 (linux/amd64)", a.tarballSha256, b.tarballSha256),
    row("manifest digest (linux/amd64)", a.manifestDigest, b.manifestDigest),
    row("index digest (linux/amd64 + linux/arm64)", a.indexDigest, b.indexDigest),
    row("baseline: the engine's own export (Container.export)", a.engineExportDigest, b.engineExportDigest),
  ];
  const differing = rows.slice(0, 3).filter((r) => !r.identical).map((r) => r.what);
  return { rows, verdict: differing.length === 0 ? "identical" : `differs: ${differing.join(", ")}` };
}
