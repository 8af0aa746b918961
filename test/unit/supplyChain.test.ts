/** recipe/supplyChain.ts: a failed govulncheck run read into one line of cause and what to do. */
import { describe, expect, it } from "vitest";

import { vulncheckFailure } from "../../dagger/src/recipe/supplyChain.js";

describe("vulncheckFailure", () => {
  it("names the database, govulncheck's cause and the options, for a database it cannot reach", () => {
    const stderr =
      'govulncheck: fetching vulnerabilities: Get "https://vuln.go.dev/index/modules.json.gz": dial tcp: lookup vuln.go.dev on 10.87.0.1:53: no such host\n';
    expect(vulncheckFailure(stderr, 1, undefined)).toBe(
      'scan: the vulnerability database https://vuln.go.dev could not be read (fetching vulnerabilities: Get "https://vuln.go.dev/index/modules.json.gz": ' +
        "dial tcp: lookup vuln.go.dev on 10.87.0.1:53: no such host): pass one that can be reached with --vuln-db <directory> or " +
        "--vuln-db-url <url>, or, for a publish of a commit scanned elsewhere, --skip-scan",
    );
  });

  it("names the database given", () => {
    expect(vulncheckFailure("govulncheck: fetching vulnerabilities: connection refused", 1, "http://127.0.0.1:9")).toMatch(
      /^scan: the vulnerability database http:\/\/127\.0\.0\.1:9 could not be read \(fetching vulnerabilities: connection refused\)/,
    );
  });

  it("takes govulncheck's client error for a -db it cannot probe as a database it cannot read, and says what that error hides", () => {
    const stderr = "creating client: unrecognized vulndb format; see https://go.dev/security/vuln/database#api for accepted schema\n";
    expect(vulncheckFailure(stderr, 1, "https://vulndb.invalid")).toMatch(
      /^scan: the vulnerability database https:\/\/vulndb\.invalid could not be read \(unreachable, or not a Go vulnerability database; govulncheck: creating client: unrecognized vulndb format; .*\): pass one/,
    );
  });

  it("keeps any other failure to govulncheck's last line", () => {
    expect(vulncheckFailure("some progress\ngovulncheck: loading packages: no Go files in /src\n", 1, undefined)).toBe(
      "scan: govulncheck failed (exit 1): loading packages: no Go files in /src",
    );
    expect(vulncheckFailure("", 2, undefined)).toBe("scan: govulncheck failed (exit 2): (no output)");
  });
});
