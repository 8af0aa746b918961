/**
 * Private modules on the engine: a service that depends on a module served only by a module proxy
 * that wants a password over HTTPS (test/fixtures/modproxy, started here on 127.0.0.1 and reached as
 * a host service), built with --goproxy, --gonosumdb, --goproxy-service and the .netrc as a secret,
 * on a --toolchain that trusts the proxy's certificate (as users with an internal CA do). The
 * credentials serve the download and reach nothing else: no layer, no config, no error message.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { dag } from "@dagger.io/dagger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GOLANG_IMAGE, GO_PATHS } from "../../dagger/src/recipe/goBuild.js";
import { type Background, lastLines, minutes, ROOT, sh, startBackground, waitFor } from "../support/commands.js";
import { TEST_GOLANG_IMAGE, engineSuite, goScratch, rejection, useEngineSession, type TestOptions } from "../support/engine.js";
import { toolAvailable } from "../support/requirements.js";

const run = engineSuite("private modules", [toolAvailable("go", ["version"])]);

const MODULE = "private.example/greet";
const PASSWORD = `pw-${process.pid}-${Date.now()}`;
const work = mkdtempSync(join(tmpdir(), "go-scratch-engine-private-"));

describe.skipIf(!run)("engine: private modules", () => {
  useEngineSession();
  let proxy: Background;
  let port = 0;
  const source = join(work, "privsvc");

  beforeAll(async () => {
    proxy = startBackground(
      "go",
      ["run", ".", "-dir", "../private-greet", "-module", MODULE, "-version", "v1.0.0", "-user", "alice", "-password", PASSWORD,
        "-names", "goproxy", "-cert", join(work, "ca.pem")],
      { cwd: join(ROOT, "test/fixtures/modproxy") },
    );
    await waitFor(async () => /listening on 127\.0\.0\.1:\d+/.test(proxy.output()) || proxy.exited(), minutes(2), 200);
    port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(proxy.output())?.[1]);
    expect(port, `modproxy did not start:\n${lastLines(proxy.output())}`).toBeGreaterThan(0);

    // The service that needs it, with a go.sum made by a download from the proxy on this machine.
    const { mkdirSync } = await import("node:fs");
    mkdirSync(source);
    writeFileSync(join(source, "go.mod"), `module example.com/privsvc\n\ngo 1.26\n\nrequire ${MODULE} v1.0.0\n`);
    writeFileSync(
      join(source, "main.go"),
      [
        "package main",
        "",
        'import (\n\t"fmt"\n\t"net/http"\n\t"os"\n\t"time"\n\n\t"private.example/greet"\n)',
        "",
        "func main() {",
        '\thttp.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, greet.Hello()) })',
        '\tsrv := &http.Server{Addr: ":" + os.Getenv("PORT"), ReadHeaderTimeout: 5 * time.Second}',
        "\tif err := srv.ListenAndServe(); err != nil {",
        "\t\tfmt.Fprintln(os.Stderr, err)",
        "\t\tos.Exit(1)",
        "\t}",
        "}",
        "",
      ].join("\n"),
    );
    const netrc = join(work, "netrc");
    // Go looks a host up in .netrc with the port the proxy URL names.
    writeFileSync(netrc, `machine 127.0.0.1:${port} login alice password ${PASSWORD}\n`);
    const env = {
      ...process.env,
      GOPROXY: `https://127.0.0.1:${port}`,
      SSL_CERT_FILE: join(work, "ca.pem"),
      GONOSUMDB: "private.example",
      GOFLAGS: "-mod=mod -modcacherw",
      GOMODCACHE: join(work, "modcache"),
      NETRC: netrc,
    };
    const info = JSON.parse(await sh("go", ["mod", "download", "-json", `${MODULE}@v1.0.0`], { cwd: source, env })) as { Sum: string; GoModSum: string };
    writeFileSync(join(source, "go.sum"), `${MODULE} v1.0.0 ${info.Sum}\n${MODULE} v1.0.0/go.mod ${info.GoModSum}\n`);
  }, minutes(3));

  afterAll(async () => {
    await proxy?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  /** The module options for the private service; each case downloads into a cache volume of its own. */
  function options(netrc: string | undefined): TestOptions {
    return {
      source,
      healthcheck: false,
      goproxy: `https://goproxy:${port}`,
      // The golang image with the proxy's certificate as its only trusted root.
      toolchain: dag
        .container()
        .from(TEST_GOLANG_IMAGE ?? GOLANG_IMAGE)
        .withFile("/etc/go-scratch-test-ca.pem", dag.host().file(join(work, "ca.pem")))
        .withEnvVariable("SSL_CERT_FILE", "/etc/go-scratch-test-ca.pem"),
      gonosumdb: "private.example",
      goproxyService: dag.host().service([{ frontend: port, backend: port }]),
      netrc: netrc === undefined ? undefined : dag.setSecret(`netrc-${netrc.length}-${Date.now()}`, netrc),
      modCache: dag.cacheVolume(`go-scratch-test-private-${Date.now()}-${Math.random()}`),
    };
  }

  it(
    "downloads the private module with the .netrc, and the service passes test",
    async () => {
      const report = await goScratch(options(`machine goproxy:${port} login alice password ${PASSWORD}\n`)).test();
      expect(report).toContain("GET http://app:8080/healthz: 200");
    },
    minutes(10),
  );

  it(
    "leaves the credentials in no layer, config or later step",
    async () => {
      const gs = goScratch(options(`machine goproxy:${port} login alice password ${PASSWORD}\n`));
      const deps = await gs.deps();
      expect(await deps.exists(GO_PATHS.netrc), "the .netrc after the download").toBe(false);
      expect(await deps.envVariable("NETRC"), "NETRC after the download").toBeNull();
      const tar = join(work, "private.tar");
      await (await gs.tarball("linux/amd64")).export(tar);
      expect(readFileSync(tar).includes(PASSWORD), "the password is in the image").toBe(false);
      const env = await (await gs.build()).envVariables();
      expect(await Promise.all(env.map(async (v) => `${await v.name()}=${await v.value()}`))).toEqual(["PORT=8080"]);
    },
    minutes(10),
  );

  it(
    "fails the download with the proxy's 401 when no .netrc or a wrong one is given, and shows no password",
    async () => {
      const none = await rejection(goScratch(options(undefined)).deps());
      console.log(`deps of a private module without --netrc:\n${none}`);
      expect(none).toMatch(/^go mod download failed \(exit 1\):/);
      expect(none).toContain("401 Unauthorized");
      const wrong = "not-the-password-0815";
      const refused = await rejection(goScratch(options(`machine goproxy:${port} login alice password ${wrong}\n`)).deps());
      expect(refused).toContain("401 Unauthorized");
      expect(refused).not.toContain(wrong);
      expect(refused).not.toContain(PASSWORD);
    },
    minutes(10),
  );
});

