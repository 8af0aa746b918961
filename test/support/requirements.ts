/**
 * What a suite needs from the machine (a Dagger engine, Docker, docker-registry, go, readelf, all of
 * which `.ci/run` provides), and what happens when it is missing: skip with one line saying why, but
 * FAIL when CI=true (as in `.ci/run` and on GitHub Actions), so CI cannot go green by skipping.
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
 * line saying why it is skipped, or throws (failing the file) under CI=true.
 */
export function requireOrSkip(suite: string, checks: Availability[]): boolean {
  const missing = checks.filter((c) => !c.ok).map((c) => c.reason);
  if (missing.length === 0) return true;
  const why = missing.join("; ");
  if (process.env.CI === "true") throw new Error(`${suite} cannot run: ${why} (CI=true requires it)`);
  console.warn(`SKIPPED ${suite}: ${why}`);
  return false;
}
