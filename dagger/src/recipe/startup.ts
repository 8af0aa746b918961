/**
 * Starting the image's service before anything waits on it: the startcheck helper runs the
 * entrypoint as the image does and reports, within --start-timeout, whether it listens where other
 * containers can reach it, and if not, why. No Dagger import: the module and the tests share this.
 */

/** How long the module waits for the service to listen, unless told otherwise (seconds). */
export const START_TIMEOUT_SECONDS = 60;

/** Validates --start-timeout. */
export function validateStartTimeout(seconds: number): number {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) {
    throw new Error(`invalid --start-timeout ${seconds}: expected whole seconds from 1 to 3600`);
  }
  return seconds;
}

/** What the startcheck helper reports (dagger/helpers/startcheck: Report). */
export interface StartReport {
  status: "ready" | "exited" | "loopback" | "other-ports" | "not-listening";
  afterMs: number;
  exitCode?: number;
  listening: string[];
  output: string;
  error?: string;
}

/** Parses the helper's report; throws if it is not one. */
export function parseStartReport(stdout: string): StartReport {
  const r = JSON.parse(stdout) as Partial<StartReport>;
  const statuses = ["ready", "exited", "loopback", "other-ports", "not-listening"];
  if (typeof r.status !== "string" || !statuses.includes(r.status) || !Array.isArray(r.listening) || typeof r.output !== "string") {
    throw new Error(`startcheck printed no report: ${stdout.slice(0, 200)}`);
  }
  return r as StartReport;
}

/** The end of the service's output, indented under the message, or a note that it printed nothing. */
function outputTail(output: string, lines = 15): string {
  const all = output.trimEnd().split("\n").filter((l) => l.trim() !== "");
  if (all.length === 0) return "It printed nothing.";
  return ["Its last output:", ...all.slice(-lines).map((l) => `  ${l}`)].join("\n");
}

/** The ports in host:port listeners, e.g. [":9090"]. */
function ports(listening: readonly string[]): string[] {
  return [...new Set(listening.map((hp) => hp.slice(hp.lastIndexOf(":") + 1)))];
}

/**
 * Why the service cannot be reached, as one line of cause and what to do, then its last output;
 * undefined when it is ready.
 */
export function startFailureMessage(r: StartReport, port: number, timeoutSeconds: number): string | undefined {
  const after = `${(r.afterMs / 1000).toFixed(1)} s`;
  switch (r.status) {
    case "ready":
      return undefined;
    case "exited":
      if (r.error) return `the service could not be started: ${r.error} (check the image's entrypoint and --binary-name)`;
      return (
        `the service exited with code ${r.exitCode ?? "?"} ${after} after it started, before it listened on port ${port}: ` +
        `fix what it says below, or give it what it needs with --args and --env\n${outputTail(r.output)}`
      );
    case "loopback":
      return (
        `the service listens on ${r.listening.filter((l) => l.endsWith(`:${port}`)).join(", ")} only, which nothing outside its container can reach: ` +
        `listen on all interfaces, 0.0.0.0:${port} (in Go, ":${port}" as the address)\n${outputTail(r.output)}`
      );
    case "other-ports":
      return (
        `the service did not listen on port ${port} within ${timeoutSeconds} s; it listens on port ${ports(r.listening).join(", ")}: ` +
        `pass that port with --port (or make it listen on $PORT, which the image sets to ${port})\n${outputTail(r.output)}`
      );
    case "not-listening":
      return (
        `the service did not listen on port ${port} within ${timeoutSeconds} s${r.error ? ` (${r.error})` : ""}: ` +
        `check that it listens on $PORT or on the --port given, or raise --start-timeout if it starts slowly\n${outputTail(r.output)}`
      );
  }
}
