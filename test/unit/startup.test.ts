/** recipe/startup.ts: the startcheck helper's report read into one line of cause and what to do. */
import { describe, expect, it } from "vitest";

import { parseStartReport, startFailureMessage, validateStartTimeout, type StartReport } from "../../dagger/src/recipe/startup.js";

const base: StartReport = { status: "ready", afterMs: 1200, listening: [], output: "" };

describe("startFailureMessage", () => {
  it("is nothing for a service that is ready", () => {
    expect(startFailureMessage({ ...base, listening: ["0.0.0.0:8080"] }, 8080, 60)).toBeUndefined();
  });

  it("names 0.0.0.0 for a service on 127.0.0.1 only, with its output", () => {
    const m = startFailureMessage({ ...base, status: "loopback", listening: ["127.0.0.1:8080"], output: "serving on 127.0.0.1:8080\n" }, 8080, 60)!;
    expect(m.split("\n")[0]).toBe(
      'the service listens on 127.0.0.1:8080 only, which nothing outside its container can reach: listen on all interfaces, 0.0.0.0:8080 (in Go, ":8080" as the address)',
    );
    expect(m).toContain("Its last output:\n  serving on 127.0.0.1:8080");
  });

  it("gives the exit code and the last lines of a service that exited", () => {
    const output = Array.from({ length: 30 }, (_, i) => `line ${i}`).join("\n");
    const m = startFailureMessage({ ...base, status: "exited", exitCode: 3, afterMs: 40, output }, 8080, 60)!;
    expect(m.split("\n")[0]).toMatch(/^the service exited with code 3 0\.0 s after it started, before it listened on port 8080: /);
    expect(m).toContain("  line 29");
    expect(m).not.toContain("  line 14\n");
  });

  it("names the port a service listens on instead", () => {
    const m = startFailureMessage({ ...base, status: "other-ports", listening: ["[::]:9090"] }, 8080, 60)!;
    expect(m.split("\n")[0]).toMatch(/within 60 s; it listens on port 9090: pass that port with --port/);
  });

  it("says what to check when nothing listens, and that it printed nothing", () => {
    const m = startFailureMessage({ ...base, status: "not-listening" }, 8080, 5)!;
    expect(m).toMatch(/^the service did not listen on port 8080 within 5 s: .*raise --start-timeout/);
    expect(m).toMatch(/It printed nothing\.$/);
  });
});

describe("parseStartReport and validateStartTimeout", () => {
  it("reads the helper's JSON and refuses anything else", () => {
    expect(parseStartReport('{"status":"ready","afterMs":5,"listening":["0.0.0.0:8080"],"output":""}').status).toBe("ready");
    expect(() => parseStartReport('{"status":"maybe"}')).toThrow(/no report/);
  });

  it("takes whole seconds from 1 to 3600", () => {
    expect(validateStartTimeout(60)).toBe(60);
    for (const bad of [0, 1.5, 3601, -1]) expect(() => validateStartTimeout(bad), String(bad)).toThrow(/--start-timeout/);
  });
});
