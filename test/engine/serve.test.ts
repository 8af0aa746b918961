/**
 * Engine suite: `dagger call serve up --ports <port>:8080` serves the image on the host, and the
 * health path answers 200 there. The CLI runs in its own process group, stopped at the end.
 * Runs only where the dagger CLI is on PATH; REQUIRE_DAGGER=1 makes its absence a failure.
 */
import { afterAll, describe, expect, it } from "vitest";

import { type Background, freePort, httpStatus, lastLines, minutes, startBackground, waitFor } from "../support/commands.js";
import { requireOrSkip, toolAvailable } from "../support/requirements.js";

const run = requireOrSkip("engine: serve", [toolAvailable("dagger", ["version"])], "REQUIRE_DAGGER");

describe.skipIf(!run)("engine: dagger call serve up", () => {
  let up: Background | undefined;
  afterAll(async () => {
    await up?.stop();
  }, 60_000);

  it(
    "answers 200 on /healthz through the forwarded port, and stops when told",
    async () => {
      const port = await freePort();
      up = startBackground("dagger", ["--progress=plain", "call", "serve", "up", "--ports", `${port}:8080`]);
      const url = `http://127.0.0.1:${port}/healthz`;
      const healthy = await waitFor(async () => up!.exited() || (await httpStatus(url)) === 200, minutes(20), 1_000);
      expect(up.exited(), `dagger call serve up exited early:\n${lastLines(up.output(), 60)}`).toBe(false);
      expect(healthy, `${url} never answered 200:\n${lastLines(up.output(), 60)}`).toBe(true);
      expect(await httpStatus(url)).toBe(200);

      await up.stop();
      expect(up.exited(), "dagger call serve up should have exited").toBe(true);
      const after = await waitFor(async () => (await httpStatus(url)) === 0, 30_000, 500);
      expect(after, `${url} still answers after the CLI stopped`).toBe(true);
    },
    minutes(25),
  );
});
