/**
 * How the pipeline runs its commands (pipeline/exec.ts), on the engine: a failure in a graph
 * evaluated at once is reported as it happened, under the name of the step that failed; nothing is
 * re-run to explain it, so a command that would pass a second time cannot turn it into a success.
 */
import { dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";

import { evaluateOnce } from "../../dagger/src/pipeline/exec.js";
import { minutes } from "../support/commands.js";
import { TEST_GOLANG_IMAGE, engineSuite, rejection, useEngineSession } from "../support/engine.js";
import { GOLANG_IMAGE } from "../../dagger/src/recipe/goBuild.js";

const run = engineSuite("exec");

describe.skipIf(!run)("engine: pipeline commands", () => {
  useEngineSession();

  it(
    "reports a command that fails once and would pass when run again as failed, under its step's name",
    async () => {
      // The first run leaves a mark on a fresh cache volume and fails; a second run would pass.
      const volume = dag.cacheVolume(`go-scratch-test-flaky-${Date.now()}`);
      const base = dag.container().from(TEST_GOLANG_IMAGE ?? GOLANG_IMAGE).withMountedCache("/mark", volume);
      const flaky = ["sh", "-c", 'echo run >> /mark/runs; if [ "$(wc -l < /mark/runs)" -gt 1 ]; then exit 0; fi; echo first run fails >&2; exit 3'];
      const message = await rejection(
        evaluateOnce(async (step) => {
          const ready = await step(base, "a step before it", ["true"]);
          return step(ready, "the flaky step", flaky);
        }),
      );
      expect(message).toMatch(/^the flaky step failed \(exit 3\):\nfirst run fails$/);
      const runs = await base.withEnvVariable("NOW", String(Date.now())).withExec(["cat", "/mark/runs"]).stdout();
      expect(runs.trim().split("\n"), "the failing command ran once").toEqual(["run"]);
    },
    minutes(5),
  );
});
