/**
 * Reading `dagger --progress=plain` output: the withExec spans whose command matches, with their
 * outcome and time, as the CLI suites use them (fresh builds compile again; the signer's compile).
 */
import { describe, expect, it } from "vitest";

import { execOutcomes, execSpans, progressTime } from "../support/daggerCli.js";

const OUTPUT = [
  "12 : ┆ withExec go build -C sign -trimpath -o /go-scratch/bin/ .",
  "13 : withExec go build -C push -trimpath -o /go-scratch/bin/ .",
  "13 : Container.withExec CACHED [0.0s]",
  "12 : ┆ \x1b[32mContainer.withExec DONE [1m3.4s]\x1b[0m",
  "14 : ┆ withExec go build -C sign -trimpath -o /go-scratch/bin/ .",
  "14 : ┆ Container.withExec ERROR [850ms]",
  "15 : Container.withExec DONE [2.0s]",
].join("\n");

describe("execSpans", () => {
  it("gives each matching withExec's outcome and time, in the order they ended, colours removed", () => {
    expect(execSpans(OUTPUT, /^go build -C sign /)).toEqual([
      { outcome: "DONE", ms: 63_400 },
      { outcome: "ERROR", ms: 850 },
    ]);
    expect(execOutcomes(OUTPUT, /^go build -C push /)).toEqual(["CACHED"]);
  });

  it("finds nothing for a command that never ran", () => {
    expect(execSpans(OUTPUT, /^go vet /)).toEqual([]);
  });

  it("reads the times the CLI prints, and nothing else", () => {
    expect([progressTime("850ms"), progressTime("1.2s"), progressTime("1m3.4s"), progressTime("0.0s")]).toEqual([850, 1200, 63_400, 0]);
    expect(progressTime("soon")).toBeNaN();
  });
});
