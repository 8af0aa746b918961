/**
 * Small Go vulnerability databases for the suites, in the layout govulncheck reads from a directory
 * (index/db.json, index/modules.json, ID/<id>.json with OSV entries), so `scan` runs where the public
 * database cannot be reached, on entries the suite chose.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** One vulnerability: in `module` before `fixed`, in these symbols of `pkg`. */
export interface TestVuln {
  id: string;
  summary: string;
  module: string;
  pkg: string;
  symbols: string[];
  /** The first fixed version, without the v. */
  fixed: string;
}

const MODIFIED = "2026-11-01T00:00:00Z";

/** Writes a database holding exactly `vulns` and returns its directory. */
export function vulnDatabase(vulns: readonly TestVuln[]): string {
  const dir = mkdtempSync(join(tmpdir(), "go-scratch-vulndb-"));
  mkdirSync(join(dir, "index"));
  mkdirSync(join(dir, "ID"));
  writeFileSync(join(dir, "index", "db.json"), JSON.stringify({ modified: MODIFIED }));
  const modules = new Map<string, { id: string; modified: string; fixed: string }[]>();
  for (const v of vulns) {
    modules.set(v.module, [...(modules.get(v.module) ?? []), { id: v.id, modified: MODIFIED, fixed: v.fixed }]);
    writeFileSync(
      join(dir, "ID", `${v.id}.json`),
      JSON.stringify({
        schema_version: "1.3.1",
        id: v.id,
        modified: MODIFIED,
        published: MODIFIED,
        summary: v.summary,
        details: "An entry made by the go-scratch test suite.",
        affected: [
          {
            package: { name: v.module, ecosystem: "Go" },
            ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: v.fixed }] }],
            ecosystem_specific: { imports: [{ path: v.pkg, symbols: v.symbols }] },
          },
        ],
      }),
    );
  }
  writeFileSync(join(dir, "index", "modules.json"), JSON.stringify([...modules].map(([path, vs]) => ({ path, vulns: vs }))));
  return dir;
}

/** A database with no entries: `scan` runs for real and, for code with no recorded vulnerability, passes. */
export const EMPTY_VULN_DB = vulnDatabase([]);

/** The suite's one recorded vulnerability: github.com/google/uuid before 1.7.0, in NewString and New. */
export const UUID_VULN: TestVuln = {
  id: "GO-2099-0001",
  summary: "Predictable identifiers from NewString (a test entry)",
  module: "github.com/google/uuid",
  pkg: "github.com/google/uuid",
  symbols: ["NewString", "New"],
  fixed: "1.7.0",
};
