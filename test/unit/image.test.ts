import { describe, expect, it } from "vitest";

import {
  CA_BUNDLE_PATH,
  NONROOT,
  binaryPath,
  groupContents,
  imageConfig,
  ociLabels,
  passwdContents,
  rfc3339,
  rootfsLayout,
  validateEpoch,
  validatePort,
  parseEnv,
  validateServicePort,
} from "../../dagger/src/recipe/image.js";

describe("passwd and group", () => {
  it("name the non-root user 65532 and root, with no login shell", () => {
    expect(passwdContents().split("\n")).toContain("nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin");
    expect(passwdContents()).toMatch(/^root:x:0:0:/);
    expect(groupContents().split("\n")).toContain("nonroot:x:65532:");
  });
});

describe("rootfsLayout", () => {
  const layout = rootfsLayout();
  const byPath = new Map(layout.map((e) => [e.path, e]));

  it("holds exactly the binary, CA bundle, passwd, group, /tmp and their parents", () => {
    expect(layout.map((e) => e.path).sort()).toEqual(
      [
        "/etc",
        "/etc/group",
        "/etc/passwd",
        "/etc/ssl",
        "/etc/ssl/certs",
        CA_BUNDLE_PATH,
        "/tmp",
        "/usr",
        "/usr/local",
        "/usr/local/bin",
        "/usr/local/bin/app",
      ].sort(),
    );
  });

  it("makes the binary read-and-execute only, and /tmp sticky and world-writable", () => {
    expect(byPath.get("/usr/local/bin/app")?.mode).toBe(0o555);
    expect(byPath.get("/tmp")?.mode).toBe(0o1777);
  });

  it("lists parents before children", () => {
    const paths = layout.map((e) => e.path);
    for (const [i, p] of paths.entries()) {
      const parent = p.slice(0, p.lastIndexOf("/"));
      if (parent !== "") expect(paths.indexOf(parent)).toBeLessThan(i);
    }
  });

  it("adds /assets only when assets are given", () => {
    expect(rootfsLayout({ assets: true }).some((e) => e.path === "/assets")).toBe(true);
  });
});

describe("imageConfig", () => {
  it("runs as 65532 with an exec-form entrypoint, the port exposed and a health check", () => {
    const cfg = imageConfig({ port: 9000 });
    expect(cfg.user).toBe(`${NONROOT.uid}:${NONROOT.gid}`);
    expect(cfg.entrypoint).toEqual(["/usr/local/bin/app"]);
    expect(cfg.exposedPorts).toEqual([9000]);
    expect(cfg.env.PORT).toBe("9000");
    expect(cfg.healthcheck?.args).toEqual(["/usr/local/bin/app", "healthcheck"]);
  });

  it("drops the health check when turned off", () => {
    expect(imageConfig({ healthcheck: false }).healthcheck).toBeUndefined();
  });

  it("rejects a bad port or binary name", () => {
    expect(() => imageConfig({ port: 0 })).toThrow("invalid port 0");
    expect(() => imageConfig({ port: 65536 })).toThrow("invalid port 65536");
    expect(() => binaryPath("../sh")).toThrow("invalid binary name");
  });
});

describe("ociLabels", () => {
  it("takes created from the epoch, never the clock", () => {
    const labels = ociLabels({ sourceDateEpoch: 1_700_000_000, version: "v1.0.0", revision: "abc", source: "https://x" });
    expect(labels["org.opencontainers.image.created"]).toBe("2023-11-14T22:13:20Z");
    expect(labels["org.opencontainers.image.version"]).toBe("v1.0.0");
    expect(labels["org.opencontainers.image.revision"]).toBe("abc");
    expect(labels["org.opencontainers.image.source"]).toBe("https://x");
  });

  it("formats the epoch as RFC 3339 and rejects nonsense", () => {
    expect(rfc3339(0)).toBe("1970-01-01T00:00:00Z");
    expect(() => validateEpoch(-1)).toThrow("invalid source date epoch");
    expect(() => validateEpoch(1.5)).toThrow("invalid source date epoch");
    expect(validatePort(8080)).toBe(8080);
  });
});

describe("the image's runtime configuration", () => {
  it("adds --env and --args to the environment and CMD; PORT stays the module's", () => {
    const cfg = imageConfig({ env: ["LOG_LEVEL=debug", "GREETING=hi=there"], args: ["--listen", ":8080"] });
    expect(cfg.env).toEqual({ LOG_LEVEL: "debug", GREETING: "hi=there", PORT: "8080" });
    expect(cfg.cmd).toEqual(["--listen", ":8080"]);
  });

  it.each([
    ["API_TOKEN=abc", "--env API_TOKEN: this looks like a secret"],
    ["DB_PASSWORD=x", "--env DB_PASSWORD: this looks like a secret"],
    ["PORT=9000", "--env PORT: the module sets PORT itself; use --port"],
    ["1BAD=x", 'invalid environment variable "1BAD=x": expected NAME=value'],
    ["NOVALUE", 'invalid environment variable "NOVALUE": expected NAME=value'],
  ])("refuses --env %j", (entry, message) => {
    expect(() => parseEnv([entry])).toThrow(message);
  });

  it("refuses a variable given twice", () => {
    expect(() => parseEnv(["A=1", "A=2"])).toThrow("--env A is given twice");
  });

  it("refuses a privileged port, saying what to do", () => {
    expect(() => validateServicePort(80)).toThrow(
      "port 80 is privileged (below 1024) and the image runs as the non-root user 65532, which cannot bind it: " +
        "let the service listen on an unprivileged port (--port 8080) and map it where it runs, e.g. docker run -p 80:8080",
    );
    expect(validateServicePort(1024)).toBe(1024);
  });
});
