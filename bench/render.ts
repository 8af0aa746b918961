/**
 * Re-renders bench/REPORT.md and bench/chart.svg from bench/results.json, without measuring again
 * (after a change to the report's or the chart's layout): `npx tsx bench/render.ts [dir]`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { ROOT } from "../test/support/commands.js";
import { chartSvg } from "./chart.js";
import { reportMarkdown } from "./report.js";
import type { Results } from "./results.js";

const dir = process.argv[2] ?? join(ROOT, "bench");
const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as Results;
writeFileSync(join(dir, "chart.svg"), chartSvg(results));
writeFileSync(join(dir, "REPORT.md"), reportMarkdown(results));
console.log(`rendered ${join(dir, "REPORT.md")} and chart.svg from results.json`);
