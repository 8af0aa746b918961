/**
 * bench/chart.svg, written by hand from the numbers: the module's figures on the engine beside their
 * baselines (warm in ms, cold and publish in s), and throughput (service against bare), with min–max
 * whiskers.
 */
import type { Results } from "./results.js";
import type { Summary } from "./stats.js";

interface Group {
  label: string;
  /** Optional second line under the label. */
  sublabel?: string;
  values: (number | undefined)[];
  /** Optional min–max per value, drawn as a whisker. */
  ranges?: ([number, number] | undefined)[];
  /** Optional second label line per value (e.g. a ratio), drawn above the value. */
  notes?: (string | undefined)[];
  /** What to write where a value is missing. */
  missing?: string;
}

interface Panel {
  title: string;
  subtitle: string;
  series: string[];
  colors: string[];
  groups: Group[];
  format: (v: number) => string;
}

const esc = (s: string): string => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A "nice" axis maximum and tick step above `max`. */
function axis(max: number): { top: number; step: number } {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  return { top: Math.ceil(max / step) * step, step };
}

function panel(p: Panel, x: number, y: number, width: number, height: number): string {
  const out: string[] = [];
  const left = x + 70;
  const right = x + width - 20;
  const top = y + 92;
  const bottom = y + height - 48;
  const all = p.groups.flatMap((g) => [...g.values, ...(g.ranges ?? []).map((r) => r?.[1])]).filter((v): v is number => v !== undefined && Number.isFinite(v));
  const { top: vmax, step } = axis(Math.max(...all, 1e-9) * 1.15);
  const yOf = (v: number): number => bottom - ((bottom - top) * v) / vmax;

  out.push(`<text x="${x + 10}" y="${y + 22}" class="title">${esc(p.title)}</text>`);
  out.push(`<text x="${x + 10}" y="${y + 40}" class="sub">${esc(p.subtitle)}</text>`);
  // Legend.
  let lx = x + 10;
  for (const [i, s] of p.series.entries()) {
    out.push(`<rect x="${lx}" y="${y + 48}" width="12" height="12" fill="${p.colors[i]}"/>`);
    out.push(`<text x="${lx + 17}" y="${y + 58}" class="legend">${esc(s)}</text>`);
    lx += 24 + s.length * 7;
  }
  // Grid and axis labels.
  for (let v = 0; v <= vmax + step / 1000; v += step) {
    const gy = yOf(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${right}" y1="${gy}" y2="${gy}" class="grid"/>`);
    out.push(`<text x="${left - 6}" y="${Number(gy) + 4}" class="tick" text-anchor="end">${esc(p.format(v))}</text>`);
  }
  out.push(`<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" class="axis"/>`);
  // Bars.
  const gw = (right - left) / p.groups.length;
  const bw = Math.min(56, (gw * 0.8) / p.series.length);
  for (const [gi, g] of p.groups.entries()) {
    const gx = left + gi * gw + (gw - bw * p.series.length) / 2;
    for (const [si, v] of g.values.entries()) {
      const bx = gx + si * bw;
      if (v === undefined || !Number.isFinite(v)) continue;
      const by = yOf(v);
      out.push(`<rect x="${(bx + 2).toFixed(1)}" y="${by.toFixed(1)}" width="${(bw - 4).toFixed(1)}" height="${(bottom - by).toFixed(1)}" fill="${p.colors[si]}"/>`);
      const r = g.ranges?.[si];
      let labelY = by - 5;
      if (r) {
        const cx = (bx + bw / 2).toFixed(1);
        const [y1, y2] = [yOf(r[0]), yOf(r[1])];
        out.push(`<line x1="${cx}" x2="${cx}" y1="${y1.toFixed(1)}" y2="${y2.toFixed(1)}" class="whisker"/>`);
        out.push(`<line x1="${Number(cx) - 5}" x2="${Number(cx) + 5}" y1="${y2.toFixed(1)}" y2="${y2.toFixed(1)}" class="whisker"/>`);
        out.push(`<line x1="${Number(cx) - 5}" x2="${Number(cx) + 5}" y1="${y1.toFixed(1)}" y2="${y1.toFixed(1)}" class="whisker"/>`);
        labelY = Math.min(labelY, y2 - 5);
      }
      out.push(`<text x="${(bx + bw / 2).toFixed(1)}" y="${labelY.toFixed(1)}" class="value" text-anchor="middle">${esc(p.format(v))}</text>`);
      const note = g.notes?.[si];
      if (note) out.push(`<text x="${(bx + bw / 2).toFixed(1)}" y="${(labelY - 14).toFixed(1)}" class="note" text-anchor="middle">${esc(note)}</text>`);
    }
    // One label over the bars that have no value.
    const missing = g.values.flatMap((v, si) => (v === undefined || !Number.isFinite(v) ? [si] : []));
    if (missing.length > 0) {
      const mx = gx + ((missing[0] + missing[missing.length - 1] + 1) / 2) * bw;
      out.push(`<text x="${mx.toFixed(1)}" y="${bottom - 6}" class="na" text-anchor="middle">${esc(g.missing ?? "n/a")}</text>`);
    }
    out.push(`<text x="${(left + gi * gw + gw / 2).toFixed(1)}" y="${bottom + 20}" class="group" text-anchor="middle">${esc(g.label)}</text>`);
    if (g.sublabel) out.push(`<text x="${(left + gi * gw + gw / 2).toFixed(1)}" y="${bottom + 35}" class="sub" text-anchor="middle">${esc(g.sublabel)}</text>`);
  }
  return out.join("\n");
}

/** A module figure beside its baseline, medians with min–max whiskers, and the ratio over the bar. */
function pair(label: string, sublabel: string, x: Summary, base: Summary | undefined, scale: number): Group {
  const v = (q: Summary | undefined) => (q === undefined ? undefined : q.median / scale);
  const range = (q: Summary | undefined) => (q === undefined ? undefined : ([q.min / scale, q.max / scale] as [number, number]));
  return {
    label,
    sublabel,
    values: [v(x), v(base)],
    ranges: [range(x), range(base)],
    notes: [base ? `${(x.median / base.median).toFixed(2)}×` : undefined, undefined],
    missing: "no baseline",
  };
}

export function chartSvg(r: Results): string {
  const w = r.warm;
  const c = r.cold;
  const warmGroups: Group[] = [
    pair("build, no change", "vs the engine floor", w.noChangeBuildMs, w.floorMs, 1),
    pair("build, one-line edit", "vs raw go build", w.editBuildMs, w.rawEditBuildMs, 1),
    pair("test after an edit", "vs raw vet + test + build", w.editTestMs, w.rawVetTestBuildMs, 1),
  ];
  const slowGroups: Group[] = [
    pair("cold build − pull", "vs raw cold go build", c.restMs, c.rawColdMs, 1000),
    pair("cold: image pull", "(no baseline)", c.pullMs, undefined, 1000),
    pair("publish, 2 platforms", "vs 1 platform", w.publishTwoMs, w.publishOneMs, 1000),
    pair("process + connect", "vs process alone", r.connect.processMs, r.connect.baselineProcessMs, 1000),
  ];
  const loadGroups: Group[] = [...new Set(r.load.rows.map((x) => x.endpoint))].map((endpoint) => {
    const rows = ["bare", "service LOG_LEVEL=warn", "service LOG_LEVEL=info"].map((v) =>
      r.load.rows.find((x) => x.endpoint === endpoint && x.variant === v),
    );
    return {
      label: `GET ${endpoint}`,
      values: rows.map((x) => x?.requestsPerSec.median),
      notes: rows.map((x, i) => (i > 0 && x && rows[0] ? `${(x.requestsPerSec.median / rows[0].requestsPerSec.median).toFixed(2)}×` : undefined)),
      ranges: rows.map((x) => (x ? ([x.requestsPerSec.min, x.requestsPerSec.max] as [number, number]) : undefined)),
    };
  });
  const o = r.load.options;
  const width = 900;
  const h1 = 380;
  const h2 = 380;
  /** A panel of the module's figures beside their baselines, at height `y`. */
  const modulePanel = (title: string, subtitle: string, groups: Group[], digits: number, y: number): string =>
    panel(
      { title, subtitle, series: ["module on the engine", "baseline"], colors: ["#4c72b0", "#8c8c8c"], groups, format: (v) => v.toFixed(digits) },
      0,
      y,
      width,
      h1,
    );
  const body = [
    modulePanel(
      "The module on the engine, warm: milliseconds (lower is better)",
      "medians, whiskers min–max; bold = module ÷ baseline; one open session, service/, linux/amd64",
      warmGroups,
      0,
      0,
    ),
    modulePanel(
      "The module on the engine, cold and publish: seconds (lower is better)",
      "cold = a freshly wiped engine (up --fresh); publish = test + scan + builds + SBOMs + push after an edit",
      slowGroups,
      1,
      h1,
    ),
    panel(
      {
        title: "Throughput on loopback: reference service vs bare net/http (req/s; higher is better)",
        subtitle: `wrk -t${o.threads} -c${o.connections} -d${o.seconds}s, median of ${o.rounds} runs, whiskers min–max, bold = × bare; server on CPU ${o.serverCpu}, wrk on CPU ${o.clientCpu}`,
        series: ["bare net/http", "service LOG_LEVEL=warn", "service LOG_LEVEL=info (default)"],
        colors: ["#8c8c8c", "#4c72b0", "#c44e52"],
        groups: loadGroups,
        format: (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v.toFixed(0)),
      },
      0,
      2 * h1,
      width,
      h2,
    ),
  ].join("\n");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${2 * h1 + h2}" viewBox="0 0 ${width} ${2 * h1 + h2}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    "<style>",
    ".title{font-size:15px;font-weight:bold;fill:#222}.sub{font-size:11px;fill:#555}.legend{font-size:12px;fill:#333}",
    ".tick{font-size:11px;fill:#555}.value{font-size:11px;fill:#222}.group{font-size:12px;fill:#222}.na{font-size:11px;fill:#999}.note{font-size:11px;font-weight:bold;fill:#444}",
    ".grid{stroke:#e4e4e4;stroke-width:1}.axis{stroke:#888;stroke-width:1}.whisker{stroke:#222;stroke-width:1.2}",
    "</style>",
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    body,
    `<line x1="0" x2="${width}" y1="${h1}" y2="${h1}" stroke="#ccc"/>`,
    `<line x1="0" x2="${width}" y1="${2 * h1}" y2="${2 * h1}" stroke="#ccc"/>`,
    "</svg>",
    "",
  ].join("\n");
}
