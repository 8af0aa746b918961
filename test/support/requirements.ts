/**
 * What a suite needs from the machine, and what happens when it is missing:
 * - a tool `.ci/run` installs (docker, docker-registry, skopeo, go): skip with one line saying why,
 *   but FAIL when CI=true, so CI cannot go green by skipping;
 * - the dagger CLI (no engine can be installed here): skip with one line, FAIL under REQUIRE_DAGGER=1.
 */
import { execFileSync } from "node:child_process";

/** Whether a requirement is met, and if not, why. */
export interface Availability {
  ok: boolean;
  reason: string;
}

/** Runs a probe command; ok when it exits 0 within 10 s. */
function probe(cmd: string, args: string[]): Availability {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 10_000 });
    return { ok: true, reason: "" };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return {
      ok: false,
      reason: err.code === "ENOENT" ? `${cmd} is not installed` : `\`${cmd} ${args.join(" ")}\` failed`,
    };
  }
}

/** A running Docker daemon (not only the client). */
export function dockerAvailable(): Availability {
  const a = probe("docker", ["info", "--format", "{{.ServerVersion}}"]);
  return a.ok ? a : { ok: false, reason: `${a.reason}: no Docker daemon (start dockerd as root)` };
}

/** A command on PATH that answers `--version`/`--help`-style probe args. */
export function toolAvailable(cmd: string, args: string[] = ["--version"]): Availability {
  return probe(cmd, args);
}

/**
 * Call at the top of a suite file. Returns true when the suite can run. When it cannot, prints one
 * line saying why it is skipped, or throws (failing the file) when `failVar` says it must run.
 */
export function requireOrSkip(suite: string, checks: Availability[], failVar: "CI" | "REQUIRE_DAGGER" = "CI"): boolean {
  const missing = checks.filter((c) => !c.ok).map((c) => c.reason);
  if (missing.length === 0) return true;
  const mustRun = failVar === "CI" ? process.env.CI === "true" : process.env.REQUIRE_DAGGER === "1";
  const why = missing.join("; ");
  if (mustRun) {
    throw new Error(`${suite} cannot run: ${why} (${failVar === "CI" ? "CI=true" : "REQUIRE_DAGGER=1"} requires it)`);
  }
  console.warn(`SKIPPED ${suite}: ${why}`);
  return false;
}
