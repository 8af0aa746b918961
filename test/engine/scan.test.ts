/**
 * `scan` on the engine: govulncheck against a small vulnerability database this suite writes (one
 * entry: github.com/google/uuid before 1.7.0, in NewString and New). A service that calls NewString
 * fails with the ID, module, fixed version and call path; one that imports the module but calls only
 * Parse passes, the vulnerability counted as not called; service/ passes.
 */
import { describe, expect, it } from "vitest";

import { minutes } from "../support/commands.js";
import { engineSuite, goScratch, rejection, useEngineSession } from "../support/engine.js";
import { UUID_VULN, vulnDatabase } from "../support/vulnDatabase.js";

const run = engineSuite("scan");


describe.skipIf(!run)("engine: scan", () => {
  useEngineSession();
  const vulnDb = vulnDatabase([UUID_VULN]);

  it(
    "fails for a service that calls the vulnerable function, naming ID, module, fixed version and call path",
    async () => {
      const message = await rejection(goScratch({ source: "test/fixtures/vulnsvc", vulnDb }).scan());
      console.log(`scan of test/fixtures/vulnsvc:\n${message}`);
      expect(message).toMatch(/^scan found 1 vulnerability the code calls \(govulncheck v1\.9\.0, database file:\/\/\/go-scratch\/vulndb\):/);
      expect(message).toContain("- GO-2099-0001 in github.com/google/uuid@v1.6.0 (fixed in v1.7.0): Predictable identifiers from NewString");
      expect(message).toMatch(/called: .*vulnsvc\.main\$1 \(main\.go:\d+\) → uuid\.NewString/);
    },
    minutes(15),
  );

  it(
    "passes for a service that imports the module but never calls the vulnerable function",
    async () => {
      const report = await goScratch({ source: "test/fixtures/vulnsafe", vulnDb }).scan();
      expect(report).toBe(
        "scan: no vulnerable code is called (govulncheck v1.9.0, database file:///go-scratch/vulndb); " +
          "1 more in code it imports but never calls (GO-2099-0001)",
      );
    },
    minutes(10),
  );

  it.each([
    ["a host that does not resolve", "https://vulndb.invalid"],
    ["a port where nothing listens", "http://127.0.0.1:9"],
  ])(
    "says in one line that the database at %s cannot be read, and what to pass instead",
    async (_, url) => {
      const message = await rejection(goScratch({ vulnDbUrl: url }).scan());
      console.log(`scan against ${url}:\n${message}`);
      expect(message.split("\n"), "one line").toHaveLength(1);
      expect(message).toMatch(new RegExp(`^scan: the vulnerability database ${url.replace(/[.:/]/g, "\\$&")} could not be read \\(.+\\): `));
      expect(message).toContain("--vuln-db <directory> or --vuln-db-url <url>");
      expect(message).toContain("--skip-scan");
      expect(message, "none of govulncheck's JSON stream").not.toMatch(/[{}]/);
    },
    minutes(10),
  );

  it(
    "passes for service/",
    async () => {
      expect(await goScratch({ vulnDb }).scan()).toBe("scan: no vulnerable code is called (govulncheck v1.9.0, database file:///go-scratch/vulndb)");
    },
    minutes(10),
  );

  it("refuses both database options at once", () => {
    expect(() => goScratch({ vulnDb, vulnDbUrl: "https://vuln.example" })).toThrow("give --vuln-db or --vuln-db-url, not both");
  });
});
