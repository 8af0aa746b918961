/**
 * The supply-chain tools the module runs in the toolchain (an SBOM generator and govulncheck), at
 * pinned versions, and how their output is read. No Dagger import: the module and the tests share it.
 */

/** The tools, installed with `go install <package>@<version>`: one place to pin and to bump. */
export const SUPPLY_CHAIN_TOOLS = {
  /** CycloneDX's own generator: reads the module list Go embeds in the binary (`go version -m`). */
  sbom: { pkg: "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod", version: "v1.10.0", bin: "cyclonedx-gomod" },
  /** The Go team's vulnerability checker: symbol-level reachability from the source. */
  vulncheck: { pkg: "golang.org/x/vuln/cmd/govulncheck", version: "v1.9.0", bin: "govulncheck" },
} as const;

/** One of the tools. */
export type SupplyChainTool = (typeof SUPPLY_CHAIN_TOOLS)[keyof typeof SUPPLY_CHAIN_TOOLS];

/** Where the tools are installed in the toolchain container. */
export const TOOLS_BIN = "/go-scratch/tools";

/** The SBOM format and the media type it is attached to a pushed image with. */
export const SBOM = { specVersion: "1.5", mediaType: "application/vnd.cyclonedx+json" } as const;

/** The SBOM generator's command line: CycloneDX 1.5 JSON, no serial number or timestamp, so it repeats. */
export function sbomArgs(binary: string, version: string, output: string): string[] {
  return [
    `${TOOLS_BIN}/${SUPPLY_CHAIN_TOOLS.sbom.bin}`,
    "bin",
    "-json",
    "-output-version",
    SBOM.specVersion,
    "-noserial",
    "-notimestamp",
    "-version",
    version,
    "-output",
    output,
    binary,
  ];
}

/** govulncheck's command line: JSON findings for the packages, against `db` when given. */
export function vulncheckArgs(patterns: readonly string[], db?: string): string[] {
  return [`${TOOLS_BIN}/${SUPPLY_CHAIN_TOOLS.vulncheck.bin}`, ...(db ? ["-db", db] : []), "-format", "json", ...patterns];
}

/** One vulnerability govulncheck found. */
export interface VulnFinding {
  id: string;
  summary: string;
  module: string;
  version: string;
  /** The first fixed version, or undefined when none is known. */
  fixed?: string;
  /** From the code's entry point to the vulnerable symbol, e.g. main.main → uuid.NewString; empty when not called. */
  callPath: string[];
}

/** What a govulncheck run found: the vulnerabilities the code calls, and those it only imports or requires. */
export interface VulnReport {
  called: VulnFinding[];
  notCalled: VulnFinding[];
  db?: string;
}

interface Frame {
  module?: string;
  version?: string;
  package?: string;
  function?: string;
  receiver?: string;
  position?: { filename?: string; line?: number };
}

/** Reads govulncheck's `-format json` stream (one JSON object after another). */
export function parseVulncheck(stream: string): VulnReport {
  const summaries = new Map<string, string>();
  const byId = new Map<string, { finding: VulnFinding; called: boolean }>();
  let db: string | undefined;
  for (const msg of jsonObjects(stream)) {
    const config = msg.config as { db?: string } | undefined;
    if (config?.db) db = config.db;
    const osv = msg.osv as { id: string; summary?: string; details?: string } | undefined;
    if (osv) summaries.set(osv.id, osv.summary ?? osv.details ?? "");
    const f = msg.finding as { osv: string; fixed_version?: string; trace?: Frame[] } | undefined;
    if (!f?.trace?.length) continue;
    const [vulnerable] = f.trace;
    const called = vulnerable.function !== undefined;
    const name = (fr: Frame): string => {
      const pkg = (fr.package ?? fr.module ?? "").split("/").pop();
      const where = fr.module !== "stdlib" && fr.position?.filename ? ` (${fr.position.filename}:${fr.position.line})` : "";
      return `${pkg}.${fr.receiver ? `${fr.receiver.replace(/^\*/, "")}.` : ""}${fr.function}${where}`;
    };
    const finding: VulnFinding = {
      id: f.osv,
      summary: "",
      module: vulnerable.module ?? "",
      version: vulnerable.version ?? "",
      fixed: f.fixed_version,
      callPath: called ? [...f.trace].reverse().map(name) : [],
    };
    const seen = byId.get(f.osv);
    if (!seen || (called && !seen.called) || (called && finding.callPath.length < seen.finding.callPath.length)) {
      byId.set(f.osv, { finding, called: called || (seen?.called ?? false) });
    }
  }
  const all = [...byId.values()].map(({ finding, called }) => ({ finding: { ...finding, summary: summaries.get(finding.id) ?? "" }, called }));
  return {
    called: all.filter((x) => x.called).map((x) => x.finding),
    notCalled: all.filter((x) => !x.called).map((x) => x.finding),
    db,
  };
}

/** The objects of a stream of concatenated JSON values (govulncheck prints them indented, back to back). */
function jsonObjects(stream: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < stream.length; i++) {
    const c = stream[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") {
      if (depth++ === 0) start = i;
    } else if (c === "}" && --depth === 0) {
      out.push(JSON.parse(stream.slice(start, i + 1)) as Record<string, unknown>);
    }
  }
  return out;
}

/** One line per vulnerability the code calls: ID, module, fixed version, call path. */
export function describeFinding(f: VulnFinding): string {
  const fixed = f.fixed ? `fixed in ${f.fixed}` : "no fixed version yet";
  return `${f.id} in ${f.module}@${f.version} (${fixed})${f.summary ? `: ${f.summary}` : ""}\n    called: ${f.callPath.join(" → ")}`;
}

/** The scan's failure message, or its one-line report when nothing vulnerable is called. */
export function vulnVerdict(r: VulnReport): { ok: boolean; text: string } {
  const tool = `govulncheck ${SUPPLY_CHAIN_TOOLS.vulncheck.version}${r.db ? `, database ${r.db}` : ""}`;
  const quiet = r.notCalled.length === 0 ? "" : `; ${r.notCalled.length} more in code it imports but never calls (${r.notCalled.map((f) => f.id).join(", ")})`;
  if (r.called.length === 0) return { ok: true, text: `scan: no vulnerable code is called (${tool})${quiet}` };
  return {
    ok: false,
    text:
      `scan found ${r.called.length} vulnerabilit${r.called.length === 1 ? "y" : "ies"} the code calls (${tool}):\n` +
      r.called.map((f) => `- ${describeFinding(f)}`).join("\n") +
      "\nUpgrade each module to its fixed version (go get module@version), or stop calling the vulnerable code.",
  };
}

/** The database govulncheck reads when none is given. */
export const DEFAULT_VULN_DB = "https://vuln.go.dev";

/**
 * One line for a govulncheck run that failed: a database it could not read names the database, the
 * cause (govulncheck's own last words) and what to pass instead; anything else is govulncheck's
 * error. Its JSON stream (progress, the module list) on stdout is never part of the message.
 */
export function vulncheckFailure(stderr: string, exitCode: number, db: string | undefined): string {
  const lines = stderr.trim().split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const cause = (lines.at(-1) ?? "").replace(/^govulncheck: /, "");
  if (/fetching vulnerabilities|creating client|vulnerability database|\bvuln\.go\.dev\b|index\/(db|modules)\.json|no such host|connection refused|i\/o timeout|dial tcp|tls:/i.test(cause)) {
    // govulncheck 1.9 says "unrecognized vulndb format" for a database URL it could not fetch at all
    // (a host that does not resolve, a port where nothing listens): the network error is not shown.
    const why = /unrecognized vulndb format/.test(cause) ? `unreachable, or not a Go vulnerability database; govulncheck: ${cause}` : cause;
    return (
      `scan: the vulnerability database ${db ?? DEFAULT_VULN_DB} could not be read (${why}): ` +
      `pass one that can be reached with --vuln-db <directory> or --vuln-db-url <url>, ` +
      `or, for a publish of a commit scanned elsewhere, --skip-scan`
    );
  }
  return `scan: govulncheck failed (exit ${exitCode}): ${cause === "" ? "(no output)" : cause}`;
}
