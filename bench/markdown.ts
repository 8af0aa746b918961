/** Markdown tables for bench/REPORT.md. */
import type { Summary } from "./stats.js";

const spread = (s: Summary, f: (v: number) => string): string => `${f(s.min)} – ${f(s.max)}`;

export function table(head: string[], rows: string[][]): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

/** One figure against its baseline: medians, spread, runs and the ratio. */
export function figureRow(what: string, x: Summary, base?: { what: string; s: Summary }): string[] {
  const t = (v: number): string => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
  return [
    what,
    t(x.median),
    spread(x, t),
    String(x.n),
    base ? base.what : "–",
    base ? t(base.s.median) : "–",
    base ? `${(x.median / base.s.median).toFixed(2)}×` : "–",
  ];
}

