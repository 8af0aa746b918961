/**
 * `test`: the source's own checks, the running image probed over a service binding, and the image
 * policy. Each step throws an error naming what failed; on success a short report is returned.
 */
import type { Container, Service } from "@dagger.io/dagger";

import { isExecError } from "../bundledSdk.js";

import { HELPERS, httpProbeArgs } from "../recipe/helpers.js";
import { FORBIDDEN_PATHS, formatBytes, policyViolations } from "../recipe/policy.js";
import { goTestFailures, summarizeGoTest, tail } from "../recipe/report.js";
import { CHECK_OFF, goTestArgs, goVetArgs } from "../recipe/sourceChecks.js";
import { execOutput, explainExecError } from "./exec.js";
import { httpProbe } from "./helpers.js";
import type { Settings } from "./settings.js";
import { checkStart, startBounded } from "./startup.js";

/** The alias the running image has inside the client container. */
const SERVICE_ALIAS = "app";

/**
 * Runs `go test -v`; a failure names the failed tests first, with what each logged, and ends with
 * `hint` (the option that turns the check off, where there is one).
 */
async function goTest(ctr: Container, step: string, args: string[], hint = ""): Promise<string> {
  try {
    return await ctr.withExec(args).stdout();
  } catch (e) {
    if (!isExecError(e)) throw e;
    const failures = goTestFailures(e.stdout);
    if (failures.length === 0) throw withHint(explainExecError(step, e), hint);
    const detail = failures.map((f) => [`--- FAIL: ${f.name}`, ...f.log].join("\n")).join("\n");
    throw new Error(`${step} failed: ${failures.map((f) => f.name).join(", ")}\n${tail(detail)}${hint}`, { cause: e });
  }
}

/** `e` with `hint` appended to its message. */
function withHint(e: Error, hint: string): Error {
  return hint === "" ? e : new Error(`${e.message}${hint}`, { cause: e.cause ?? e });
}

/**
 * `go vet` and `go test` of the source, in the build container, as --vet, --go-test,
 * --test-flags and --check-packages say (every package unless told otherwise). A failure names the
 * option that turns its check off.
 */
export async function sourceChecks(src: Container, s: Settings, everyPackage: readonly string[]): Promise<string[]> {
  const patterns = s.checkPackages.length > 0 ? s.checkPackages : everyPackage;
  const pkgs = patterns.join(" ");
  const lines: string[] = [];
  if (s.vet) {
    const step = `go vet ${pkgs}`;
    await execOutput(src, step, goVetArgs(patterns)).catch((e: unknown) => {
      // Only go vet's own failure (its findings) gains the hint; an engine error is passed on as it is.
      throw e instanceof Error && isExecError(e.cause) ? withHint(e, `\n(to build and publish with these findings, turn go vet off: ${CHECK_OFF.vet})`) : e;
    });
    lines.push(`${step}: ok`);
  } else {
    lines.push(`go vet: off (${CHECK_OFF.vet})`);
  }
  if (s.goTest) {
    const flags = s.testFlags.length > 0 ? ` ${s.testFlags.join(" ")}` : "";
    const hint = `\n(the service's own tests can be tuned with --test-flags, limited with --check-packages, or turned off: ${CHECK_OFF.goTest})`;
    const out = await goTest(src, `go test${flags} ${pkgs}`, goTestArgs(patterns, { flags: s.testFlags }), hint);
    const t = summarizeGoTest(out);
    lines.push(`go test${flags} ${pkgs}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`);
  } else {
    lines.push(`go test: off (${CHECK_OFF.goTest})`);
  }
  return lines;
}

/** The health probe and the black-box tests, from a client container bound to the running image. */
export async function serviceChecks(
  src: Container,
  image: Container,
  s: Settings,
  patterns: readonly string[],
): Promise<string[]> {
  await checkStart(s, image);
  const service = await startBounded(s, image.asService({ useEntrypoint: true }));
  try {
    return await probeService(src, service, s, patterns);
  } finally {
    await service.stop();
  }
}

/** The health probe and the black-box tests against the running `service`. */
async function probeService(src: Container, service: Service, s: Settings, patterns: readonly string[]): Promise<string[]> {
  const url = `http://${SERVICE_ALIAS}:${s.port}`;
  // SERVICE_URL points the black-box tests at the binding; EXPECT_VERSION and EXPECT_COMMIT let
  // them check what was stamped into the binary.
  const client = src
    .withFile(HELPERS.httpprobe, await httpProbe(s))
    .withServiceBinding(SERVICE_ALIAS, service)
    .withEnvVariable("SERVICE_URL", url)
    .withEnvVariable("EXPECT_VERSION", s.version)
    .withEnvVariable("EXPECT_COMMIT", s.revision);
  await execOutput(client, `health probe GET ${url}${s.healthPath}`, httpProbeArgs(`${url}${s.healthPath}`));
  const out = await goTest(client, `black-box tests against ${url}`, goTestArgs(patterns, { flags: s.testFlags, run: s.blackboxPattern }));
  const t = summarizeGoTest(out);
  const blackbox =
    t.passed + t.failed + t.skipped === 0
      ? `black-box tests: none match ${s.blackboxPattern} (skipped)`
      : `black-box tests against ${url}: ${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped`;
  return [`GET ${url}${s.healthPath}: 200`, blackbox];
}

/** The image policy: non-root, no shell, exec-form entrypoint, health check, size budget. */
export async function policyChecks(image: Container, s: Settings): Promise<string[]> {
  const presentForbidden: string[] = [];
  for (const p of FORBIDDEN_PATHS) if (await image.exists(p)) presentForbidden.push(p);
  // The engine answers null for an image without a health check; any error is the engine's own.
  const healthcheck = ((await image.dockerHealthcheck().args()) as string[] | null) ?? undefined;
  const facts = {
    user: await image.user(),
    entrypoint: await image.entrypoint(),
    healthcheck,
    presentForbidden,
    sizeBytes: await image.asTarball().size(),
  };
  const problems = policyViolations(facts, {
    requireHealthcheck: s.healthcheck,
    maxSizeBytes: s.maxSizeBytes,
  });
  if (problems.length > 0) throw new Error(`image policy failed: the image\n- ${problems.join("\n- ")}`);
  return [
    `image policy: user ${facts.user}, entrypoint ${JSON.stringify(facts.entrypoint)}, ` +
      `${healthcheck ? "health check present" : "no health check (turned off)"}, no shell, ` +
      `${formatBytes(facts.sizeBytes)} (budget ${formatBytes(s.maxSizeBytes)})`,
  ];
}
