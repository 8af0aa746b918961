/**
 * `npm run bench:repro`: only the cold section of the bench: two cold builds, each on a freshly wiped
 * engine, their figures and whether the module's outputs repeat to the byte. Prints a table.
 */
import { BenchContext, log } from "./context.js";
import { coldBuilds } from "./engine/cold.js";

const started = performance.now();
const ctx = new BenchContext();
try {
  const r = await coldBuilds(ctx);
  for (const row of r.reproducibility.rows) console.log(`${row.identical ? "identical" : "DIFFERENT"}  ${row.what}\n    a: ${row.a}\n    b: ${row.b}`);
  const s = (ms: number[]) => ms.map((x) => (x / 1000).toFixed(1)).join(" s, ") + " s";
  console.log(`pull ${s(r.pullMs.samples)}; rest of the cold build ${s(r.restMs.samples)}; raw cold go build ${s(r.rawColdMs.samples)}`);
  console.log(`verdict: ${r.reproducibility.verdict} (${((performance.now() - started) / 1000).toFixed(0)} s in all)`);
} finally {
  log("cleaning up");
  await ctx.cleanup();
}
