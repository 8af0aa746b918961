/**
 * `serve` on the engine: the runtime image as a service, tunnelled to this machine as
 * `dagger call serve up --ports` does, answers on /healthz and /, and stops when told.
 */
import { dag } from "@dagger.io/dagger";
import { describe, expect, it } from "vitest";

import { freePort, httpStatus, minutes } from "../support/commands.js";
import { engineSuite, goScratch, useEngineSession } from "../support/engine.js";

const run = engineSuite("serve");

describe.skipIf(!run)("engine: serve", () => {
  useEngineSession();

  it(
    "answers GET /healthz and GET / through a tunnel to this machine, and stops",
    async () => {
      const port = await freePort();
      const service = await goScratch({ version: "v3.2.1" }).serve();
      const tunnel = await dag.host().tunnel(service, { ports: [{ frontend: port, backend: 8080 }] }).start();
      const url = `http://127.0.0.1:${port}`;
      try {
        expect(await httpStatus(`${url}/healthz`)).toBe(200);
        const res = await fetch(`${url}/`, { signal: AbortSignal.timeout(5_000) });
        expect(res.status).toBe(200);
        const body = await res.text();
        console.log(`GET ${url}/ -> ${res.status} ${body.trim()}`);
        expect(body.length).toBeGreaterThan(0);
        const version = (await (await fetch(`${url}/version`, { signal: AbortSignal.timeout(5_000) })).json()) as { version?: string };
        expect(version.version, "the stamped version, from the running image").toBe("v3.2.1");
      } finally {
        await tunnel.stop();
      }
      expect(await httpStatus(`${url}/healthz`), "nothing answers once the tunnel is stopped").toBe(0);
    },
    minutes(10),
  );
});
