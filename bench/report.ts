/** bench/REPORT.md from the results: a table per measurement, the targets, the machine, the commands. */
import type { Results } from "./results.js";
import type { Summary } from "./stats.js";

const int = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const mb = (n: number | undefined): string => (n === undefined ? "–" : `${(n / 1e6).toFixed(2)} MB`);
const bytes = (n: number | undefined): string => (n === undefined ? "–" : `${int(n)} B (${mb(n)})`);
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? "–" : `${(a / b).toFixed(3)}`);
const sec = (s: Summary): string => `${(s.median / 1000).toFixed(2)} s`;
const spread = (s: Summary, f: (v: number) => string): string => `${f(s.min)} – ${f(s.max)}`;
const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : "n/a");
const na = (v: number): string => (Number.isFinite(v) ? int(v) : "n/a");

function table(head: string[], rows: string[][]): string {
  const cell = (s: string): string => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [`| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

export function reportMarkdown(r: Results): string {
  const m = r.machine;
  const out: string[] = [];
  const p = (...lines: string[]): void => {
    out.push(...lines, "");
  };
  p(
    "# go-scratch benchmarks",
    `Written by \`npm run bench\` (bench/run.ts) on ${m.date}; the whole run took ${r.totalSeconds.toFixed(0)} s. ` +
      "Every figure below was measured in this one run, each against its baseline measured in the same run. " +
      "Raw numbers: [results.json](results.json). Chart: [chart.svg](chart.svg).",
  );
  p("![size and throughput](chart.svg)");

  p("## Machine");
  p(
    table(
      ["", ""],
      [
        ["CPUs (nproc)", String(m.nproc)],
        ["CPU model (/proc/cpuinfo)", m.cpuModel],
        ["memory", m.memTotal],
        ["kernel", m.kernel],
        ["Go", m.go],
        ["Node", m.node],
        ["Docker", m.docker],
        ["wrk", m.wrk],
        ["busybox (alpine stand-in)", m.busybox],
      ],
    ),
  );

  p("## Targets");
  p(table(["target", "measured", "met"], r.targets.map((t) => [t.target, t.measured, t.met ? "**met**" : "**not met**"])));

  p("## Size");
  p(
    "The recipe's image is the reference service built by the recipe (`localGoBuild`) in the recipe's FROM-scratch rootfs " +
      "(`buildRuntimeImage`: binary, CA bundle, passwd/group, /tmp). The seeds are what naive Dockerfiles do: " +
      "`go build -ldflags \"-s -w\" -a`, no `-trimpath`, CGO left at its default " +
      `(here \`go env CGO_ENABLED\` = ${r.buildSpeed.cgoDefault}: a C compiler is installed, so cgo is on and the binary links glibc dynamically), ` +
      "copied alone onto scratch or onto an alpine-like base. " +
      `**No alpine image can be pulled here**, so the alpine row uses a stand-in: **${r.size.standin.label}** ` +
      `(/bin/busybox plus ${r.size.standin.applets} applet symlinks, the CA bundle, passwd/group, /tmp, assembled FROM scratch; ` +
      "real alpine also carries musl, apk and OpenSSL, about 7–8 MB uncompressed / 3.5 MB compressed, so the real seed-on-alpine image is larger than this row). " +
      "Image = `docker image inspect .Size`; layer tars = `docker save`; gzipped = each layer tar through node's `zlib.gzipSync` at the default level, added up.",
  );
  p(
    table(
      ["image / binary", "build", "base", "binary", "linkage", "image (uncompressed)", "layer tars", "layers gzipped", "image ÷ binary", "gzipped ÷ binary", "starts?"],
      r.size.rows.map((x) => [
        x.name,
        x.build,
        x.base,
        bytes(x.binary),
        x.linkage ?? "–",
        bytes(x.image?.uncompressed),
        x.image ? `${int(x.image.layerTars)} B (${x.image.layers} layer${x.image.layers === 1 ? "" : "s"})` : "–",
        bytes(x.image?.gzipped),
        ratio(x.image?.uncompressed, x.binary),
        ratio(x.image?.gzipped, x.binary),
        x.starts ? (x.starts.ok ? "yes" : `no: ${x.starts.detail}`) : "–",
      ]),
    ),
  );

  p("## Reproducibility");
  p(
    "Two cold builds (each with an empty GOCACHE) of two copies of the service in different directories " +
      "(`$WORK/a/service` and `$WORK/b/elsewhere/src`), about a minute apart; then one recipe image from each binary, " +
      "built a second apart by the legacy builder with `--no-cache` (with its cache the second build would simply reuse the first image); " +
      `both pushed to a throwaway registry (${r.reproducibility.registry} on 127.0.0.1).`,
  );
  p(
    table(
      ["what", "build A", "build B", "identical", "why"],
      r.reproducibility.rows.map((x) => [x.what, `\`${x.a}\``, `\`${x.b}\``, x.identical ? "**yes**" : "**no**", x.why]),
    ),
  );
  p(
    `Image config fields that differ between the two images: ${r.reproducibility.configDifferences.map((d) => `\`${d}\``).join(", ") || "none"}. ` +
      "Everything the recipe controls (files, modes, owners, timestamps, user, entrypoint, env, labels, health check) repeats; " +
      "the differences are the builder's clock and build container (`created`, every history entry's `created`, `container`, the build container's hostname) " +
      "and the id of the intermediate image of the previous Dockerfile step (`config.Image`), which differs for the same reason. In the Dagger module the same holds for a different reason: " +
      "the layer repeats, while the history `created` times come from the engine (no engine here, so not measured).",
  );

  p("## Reproducibility on the engine");
  if (r.engineReproducibility) {
    const e = r.engineReproducibility;
    p(
      "service/ built by the module twice, each time on a freshly wiped engine (`../shared/dagger-engine/up --fresh`), " +
        `the builds taking ${e.buildSeconds.map((x) => x.toFixed(0)).join(" s and ")} s. The first three rows are the module's \`tarball\` ` +
        "(what `publish` pushes); the last is the baseline, the engine's own `Container.export` of the same container. " +
        `Verdict: **${e.verdict}**.`,
    );
    p(table(["what", "engine A", "engine B", "identical"], e.rows.map((x) => [x.what, `\`${x.a}\``, `\`${x.b}\``, x.identical ? "**yes**" : "**no**"])));
  } else {
    p("Not measured in this run (`../shared/dagger-engine/up` was not there).");
  }

  p("## Build speed");
  p(
    "Local Go, the recipe's argv and environment (`localGoBuild`) against the seed's `-a`. Cold = empty GOCACHE directory " +
      "(stdlib and service compiled from nothing); no-change = the same checkout rebuilt on the cache its cold build filled; " +
      `one-line edit = \`${r.buildSpeed.editLine.replace(/\d+/g, "<n>")}\` appended to handlers.go before each rebuild. ` +
      "GOMODCACHE plays no part (standard library only). Wall time of the whole `go build` process.",
  );
  p(
    table(
      ["build", "platform", "scenario", "median", "min – max", "runs"],
      r.buildSpeed.rows.map((x) => [x.build, x.platform, x.scenario, sec(x.ms), spread(x.ms, (v) => `${(v / 1000).toFixed(2)} s`), String(x.ms.n)]),
    ),
  );
  const speed = (b: string, pl: string, sc: string) => r.buildSpeed.rows.find((x) => x.build === b && x.platform === pl && x.scenario === sc)?.ms.median;
  const s1 = speed("seed (-a)", "linux/amd64", "one-line edit rebuild");
  const r1 = speed("recipe", "linux/amd64", "one-line edit rebuild");
  const a1 = speed("recipe", "linux/arm64", "cold");
  const c1 = speed("recipe", "linux/amd64", "cold");
  if (s1 && r1 && a1 && c1) {
    p(
      `After a one-line edit the recipe rebuilds ${(s1 / r1).toFixed(0)}× faster than the seed, whose \`-a\` recompiles the standard library every time. ` +
        `Cross-compiling for arm64 cold takes ${(a1 / c1).toFixed(2)}× the amd64 cold build (no emulation: the same compiler, another GOARCH).`,
    );
  }

  const o = r.load.options;
  p("## Load");
  p(
    `wrk ${m.wrk} on loopback (127.0.0.1), \`-t${o.threads} -c${o.connections} -d${o.seconds}s --latency\`, ${o.rounds} rounds; each round runs every endpoint against every server, ` +
      `so drift hits every server alike. ${o.warmupSeconds} s warm-up per server first. The machine has ${m.nproc} cores: each server is pinned to CPU ${o.serverCpu} ` +
      `(\`taskset -c ${o.serverCpu}\`, so Go's GOMAXPROCS is 1) and wrk to CPU ${o.clientCpu}. ` +
      "Servers: the reference service built by the recipe, run as a process with ADMIN_ADDR=off and LOG_LEVEL=warn (no access log), " +
      "and again with the default LOG_LEVEL=info (one JSON access-log line per request, stdout to /dev/null, so this is the log's CPU cost without any disk or log driver); " +
      "the baseline is bench/bare (net/http, one handler writing `ok`, built with the same recipe flags), which the targets are judged against. " +
      "`bare + service timeouts` is the same bare server with the service's default server limits (ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout, MaxHeaderBytes): " +
      "its ratio to bare is what the hardening alone costs, the rest of the gap is the service's handler, middleware and logging. Ratios are of medians.",
  );
  const bare = (endpoint: string) => r.load.rows.find((x) => x.variant === "bare" && x.endpoint === endpoint);
  p(
    table(
      ["endpoint", "server", "req/s median", "req/s min – max", "× bare", "p50 median", "p99 median", "p99 min – max", "p99 × bare", "errors"],
      r.load.rows.map((x) => {
        const b = bare(x.endpoint);
        const errs = x.runs.reduce((n, run) => n + run.non2xx + Object.values(run.socketErrors).reduce((a, c) => a + c, 0), 0);
        return [
          `GET ${x.endpoint}`,
          x.variant,
          int(x.requestsPerSec.median),
          spread(x.requestsPerSec, int),
          b ? ratio(x.requestsPerSec.median, b.requestsPerSec.median) : "–",
          ms(x.p50.median),
          ms(x.p99.median),
          spread(x.p99, ms),
          b ? ratio(x.p99.median, b.p99.median) : "–",
          String(errs),
        ];
      }),
    ),
  );
  p("Resident memory (/proc/&lt;pid&gt;/status), after start-up and after all load:");
  p(
    table(
      ["server", "VmRSS idle", "VmHWM (peak) after load", "VmRSS after load"],
      r.load.memory.map((x) => [x.variant, `${int(x.idleRSS)} kB`, `${int(x.after.vmHWM)} kB`, `${int(x.after.vmRSS)} kB`]),
    ),
  );

  p("## Start-up");
  p(
    "Exec → ready: from spawning the binary to the first 200 on GET /healthz, polled back to back over fresh loopback connections. " +
      "Image: from `docker run -d` (the tests' `runLockedDown`: read-only, all capabilities dropped, no-new-privileges, port published on 127.0.0.1; " +
      "it also runs `docker port` and `docker inspect`) to the first 200 through the published port.",
  );
  p(
    table(
      ["what", "median", "p90", "min – max", "runs"],
      r.startup.rows.map((x) => [x.what, ms(x.ms.median), ms(x.ms.p90), spread(x.ms, ms), String(x.ms.n)]),
    ),
  );
  p(
    `\`docker run\` → Docker health status \`healthy\` (one run): ${(r.startup.dockerHealthyMs / 1000).toFixed(1)} s. ` +
      "Docker 20.10 runs the first health check one `--interval` (the recipe's 10 s) after start: it has no `--start-interval` " +
      "(Docker 25+ honours the recipe's 1 s start interval, as Dagger's engine does), so this number is the interval, not the service.",
  );

  p("## Graceful shutdown");
  p(
    `The service (recipe build, LOG_LEVEL=info, SHUTDOWN_TIMEOUT=${r.shutdown.shutdownTimeout}) under load; SIGTERM in the middle; clients keep going until it has exited. ` +
      "**handled** = requests in the service's access log (a line is written after the handler ran); **answered** = complete 200 responses the client received; " +
      "**lost in flight** = handled − answered (a request the server took on whose answer never arrived: must be 0). " +
      "**refused** = connections refused once the listener had closed (expected for new connections). " +
      "**closed before response** = the connection was reset or closed before any response byte: a connection still in the kernel's accept queue when the listener closed, " +
      "or a request written onto an idle keep-alive connection the server was closing; the server never read these (handled = answered proves it), and an HTTP client may retry them. " +
      "wrk cannot tell these apart (its connects are non-blocking, so a refused connect surfaces as a read or write error, and it reconnects in a tight loop once the server is gone): " +
      "its socket errors are listed as they are, and its row is judged by handled = answered alone.",
  );
  p(
    table(
      ["client", "outstanding at SIGTERM", "handled", "answered", "lost in flight", "failed mid-response", "refused (after close)", "closed before response", "other", "SIGTERM → exit", "exit code"],
      r.shutdown.rows.map((x) => [
        x.client,
        na(x.outstandingAtSignal),
        int(x.handled),
        int(x.answered),
        String(x.lostInFlight),
        na(x.failedMidResponse),
        na(x.refused),
        na(x.resetBeforeResponse),
        x.wrkSocketErrors
          ? `wrk socket errors: connect ${x.wrkSocketErrors.connect}, read ${int(x.wrkSocketErrors.read)}, write ${int(x.wrkSocketErrors.write)}, timeout ${x.wrkSocketErrors.timeout}`
          : Object.entries(x.other).map(([k, v]) => `${k}: ${v}`).join(", ") || "0",
        ms(x.drainMs),
        String(x.exitCode),
      ]),
    ),
  );

  p("## Exact commands");
  p(
    "`$WORK` is the run's temporary directory (removed at the end). Go builds run with the machine's environment minus GOFLAGS/GOCACHE/CGO_ENABLED/GOOS/GOARCH, plus what is shown.",
  );
  for (const [section, lines] of Object.entries(r.commands)) {
    p(`### ${section}`, "```sh", ...lines, "```");
  }
  p("### Dockerfiles");
  for (const [name, text] of Object.entries(r.size.dockerfiles)) {
    p(`${name}:`, "```dockerfile", text.trimEnd(), "```");
  }
  return out.join("\n");
}
