/**
 * Start-up: exec → first 200 on GET /healthz for the binary run as a process (polled back to back
 * over fresh connections), the service against the bare baseline; and the image end to end, from
 * `docker run` to the first 200 through the published port, and once to Docker's `healthy`.
 */
import { freePort } from "../test/support/commands.js";
import { docker, runLockedDown, waitHealthy, type DockerResources } from "../test/support/docker.js";
import { type BenchContext, commandLine, log } from "./context.js";
import { startServer, waitReady } from "./processes.js";
import { summarize, type Summary } from "./stats.js";

export interface StartupRow {
  what: string;
  /** Milliseconds. */
  ms: Summary;
}

export interface StartupResult {
  rows: StartupRow[];
  /** `docker run` → Docker health status `healthy`, one run, ms (bounded below by the check interval). */
  dockerHealthyMs: number;
}

const SECTION = "Start-up";

async function execToReady(ctx: BenchContext, binary: string, env: Record<string, string>, runs: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const port = await freePort();
    const start = performance.now();
    const srv = startServer(ctx, binary, { env, port });
    const ok = await waitReady(port, 5_000);
    const ms = performance.now() - start;
    await srv.stop();
    if (!ok) throw new Error(`${binary} did not answer 200 on /healthz within 5 s`);
    samples.push(ms);
  }
  ctx.command(
    SECTION,
    `${commandLine([binary.replace(ctx.work, "$WORK")], { ...env, PORT: "<free port>" })} & then GET /healthz back to back until 200 (node net.connect, Connection: close)`,
  );
  return samples;
}

async function dockerRunToReady(res: DockerResources, image: string, port: number): Promise<{ ms: number; id: string }> {
  const start = performance.now();
  const c = await runLockedDown(res, image, port);
  const url = new URL(c.url);
  const ok = await waitReady(Number(url.port), 10_000);
  const ms = performance.now() - start;
  if (!ok) throw new Error(`container ${c.id.slice(0, 12)} did not answer 200 on /healthz`);
  return { ms, id: c.id };
}

export async function startup(
  ctx: BenchContext,
  binaries: { service: string; bare: string },
  image: { tag: string; port: number },
  runs = { process: 25, docker: 5 },
): Promise<StartupResult> {
  log("startup: exec → ready");
  const service = await execToReady(ctx, binaries.service, { ADMIN_ADDR: "off", LOG_LEVEL: "warn" }, runs.process);
  const serviceInfo = await execToReady(ctx, binaries.service, { ADMIN_ADDR: "off" }, runs.process);
  const bare = await execToReady(ctx, binaries.bare, {}, runs.process);

  log("startup: docker run → ready");
  const dockerMs: number[] = [];
  let dockerHealthyMs = NaN;
  for (let i = 0; i < runs.docker; i++) {
    const start = performance.now();
    const { ms, id } = await dockerRunToReady(ctx.docker, image.tag, image.port);
    dockerMs.push(ms);
    if (i === 0) {
      await waitHealthy(id, 60_000);
      dockerHealthyMs = performance.now() - start;
    }
    await docker(["rm", "-f", id]);
  }
  ctx.command(
    SECTION,
    `docker run -d --read-only --cap-drop ALL --security-opt no-new-privileges -p 127.0.0.1::${image.port} ${image.tag}; docker port <id> ${image.port}/tcp; then GET /healthz until 200`,
  );
  ctx.command(SECTION, `docker inspect -f '{{.State.Health.Status}}' <id>  # every 500 ms until healthy (first run only)`);
  return {
    rows: [
      { what: "service: exec → 200 /healthz (LOG_LEVEL=warn, ADMIN_ADDR=off)", ms: summarize(service) },
      { what: "service: exec → 200 /healthz (LOG_LEVEL=info, ADMIN_ADDR=off)", ms: summarize(serviceInfo) },
      { what: "bare net/http: exec → 200 /healthz", ms: summarize(bare) },
      { what: "image: docker run → 200 /healthz via published port", ms: summarize(dockerMs) },
    ],
    dockerHealthyMs,
  };
}
