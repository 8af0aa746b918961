import { describe, expect, it } from "vitest";

import { CHECK_OFF, goTestArgs, goVetArgs, parseTestFlags, validateCheckPackages } from "../../dagger/src/recipe/sourceChecks.js";

describe("parseTestFlags", () => {
  it("splits go test flags on spaces, -flag and -flag=value alike", () => {
    expect(parseTestFlags("  -race -short -tags=integration,e2e   -timeout=5m ")).toEqual(["-race", "-short", "-tags=integration,e2e", "-timeout=5m"]);
    expect(parseTestFlags("")).toEqual([]);
    expect(parseTestFlags("--count=3 -test.short")).toEqual(["--count=3", "-test.short"]);
  });

  it.each(["-v", "-json", "-c", "-o=x", "-exec=sudo", "-list=.", "-fuzz=FuzzX", "-test.v"])("refuses %j, which the module sets or which would not run the tests once", (f) => {
    expect(() => parseTestFlags(f)).toThrow(/--test-flags cannot set -/);
  });

  it("refuses a value given as its own word, naming it", () => {
    expect(() => parseTestFlags("-run TestX")).toThrow('invalid --test-flags word "TestX": give go test flags as -flag or -flag=value');
  });
});

describe("validateCheckPackages", () => {
  it("takes patterns inside the source", () => {
    expect(validateCheckPackages(["./...", "./internal/...", ".", "./cmd/api"])).toEqual(["./...", "./internal/...", ".", "./cmd/api"]);
  });

  it.each(["../x/...", "/abs/...", "-race", "std", "./a/../../b"])("refuses %j", (p) => {
    expect(() => validateCheckPackages([p])).toThrow(`invalid --check-packages ${JSON.stringify(p)}`);
  });
});

describe("the go commands", () => {
  it("vets the patterns", () => {
    expect(goVetArgs(["./..."])).toEqual(["go", "vet", "./..."]);
  });

  it("runs go test once, verbose, then the user's flags, then the black-box -run, which wins", () => {
    expect(goTestArgs(["./..."], { flags: ["-short", "-run=Unit"], run: "^TestBlackBox" })).toEqual([
      "go", "test", "-count=1", "-v", "-short", "-run=Unit", "-run", "^TestBlackBox", "./...",
    ]);
    expect(goTestArgs(["./a/...", "./b/..."])).toEqual(["go", "test", "-count=1", "-v", "./a/...", "./b/..."]);
  });

  it("names the option that turns each check off", () => {
    expect(CHECK_OFF).toEqual({ vet: "--vet=false", goTest: "--go-test=false" });
  });
});
