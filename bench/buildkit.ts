/**
 * The seeds' recipe beside the module: the multi-stage Dockerfile a Go user writes instead of it
 * (FROM the golang image, go.mod and go.sum first, `go mod download` and `go build` on BuildKit
 * cache mounts, the module's -trimpath, -buildvcs=false and -ldflags; FROM scratch with the CA
 * bundle, passwd and group, non-root), built by the Docker daemon's own BuildKit through the buildx
 * plugin and pushed to the bench's registry, timed as a whole `docker buildx build --push` process.
 * Debian's Docker client has no buildx: it is installed with `go install` into the bench's directory
 * and copied where the client finds plugins.
 */
import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

import { GO_PATHS, goBuildArgs } from "../dagger/src/recipe/goBuild.js";
import { CA_BUNDLE_PATH, groupContents, passwdContents } from "../dagger/src/recipe/image.js";
import { ROOT, runCommand, sh } from "../test/support/commands.js";
import { TEST_GOLANG_IMAGE } from "../test/support/engine.js";
import { type BenchContext, commandLine } from "./context.js";
import { STAMP } from "./rawGo.js";

export const BUILDX_VERSION = "v0.38.2";

const SECTION = "BuildKit beside the module";

/** buildx, built with `go install` into the bench's directory and installed as the client's plugin. */
export async function installBuildx(ctx: BenchContext): Promise<void> {
  const bin = ctx.path("buildx", "bin");
  mkdirSync(bin, { recursive: true });
  await sh("go", ["install", `github.com/docker/buildx/cmd/buildx@${BUILDX_VERSION}`], { env: { ...process.env, GOBIN: bin, GOFLAGS: "" }, timeout: 1_200_000 });
  const plugins = join(homedir(), ".docker", "cli-plugins");
  mkdirSync(plugins, { recursive: true });
  copyFileSync(join(bin, "buildx"), join(plugins, "docker-buildx"));
  ctx.command(SECTION, `GOBIN=<bench>/buildx/bin go install github.com/docker/buildx/cmd/buildx@${BUILDX_VERSION} && cp <bench>/buildx/bin/buildx ~/.docker/cli-plugins/docker-buildx`);
}

/** The Dockerfile: the module's own build flags (recipe/goBuild.ts) and image files (recipe/image.ts). */
function dockerfile(golangImage: string): string {
  const build = goBuildArgs({ platform: "linux/amd64", ...STAMP, output: GO_PATHS.out });
  const quoted = build.map((a) => (a.includes(" ") ? `"${a}"` : a)).join(" ");
  return [
    `FROM ${golangImage} AS build`,
    "WORKDIR /src",
    "COPY go.mod ./",
    `RUN --mount=type=cache,target=${GO_PATHS.modCache} go mod download`,
    "COPY . .",
    `RUN --mount=type=cache,target=${GO_PATHS.modCache} --mount=type=cache,target=${GO_PATHS.buildCache} CGO_ENABLED=0 ${quoted}`,
    "FROM scratch",
    `COPY --from=build ${CA_BUNDLE_PATH} ${CA_BUNDLE_PATH}`,
    "COPY bench-etc/passwd bench-etc/group /etc/",
    `COPY --from=build ${GO_PATHS.out} /usr/local/bin/app`,
    "USER 65532:65532",
    'ENTRYPOINT ["/usr/local/bin/app"]',
    "",
  ].join("\n");
}

/** A copy of service/ with the Dockerfile and the files it copies; its directory (edited like the others). */
export function buildkitCheckout(ctx: BenchContext): string {
  const dir = ctx.path("buildkit", "src");
  cpSync(join(ROOT, "service"), dir, { recursive: true });
  mkdirSync(join(dir, "bench-etc"), { recursive: true });
  writeFileSync(join(dir, "bench-etc", "passwd"), passwdContents());
  writeFileSync(join(dir, "bench-etc", "group"), groupContents());
  writeFileSync(join(dir, "Dockerfile"), dockerfile(TEST_GOLANG_IMAGE ?? "golang:1.26.8-alpine"));
  return dir;
}

/** `docker buildx build --push` of `dir` to `ref`, as a whole process; the digest it pushed. */
export async function buildkitPush(ctx: BenchContext, dir: string, ref: string): Promise<{ ms: number; digest: string }> {
  const args = ["buildx", "build", "--progress=plain", "--platform=linux/amd64", "--push", "-t", ref, "."];
  const r = await runCommand("docker", args, { cwd: dir, timeoutMs: 900_000 });
  if (r.code !== 0) throw new Error(`${r.command} exited ${r.code}:\n${r.stderr.slice(-3000)}`);
  ctx.command(SECTION, `(cd <copy of service/ with the Dockerfile> && ${commandLine(["docker", ...args.map((a) => a.replace(/^127\.0\.0\.1:\d+\/(.*):.*$/, "127.0.0.1:<port>/$1:<tag>"))])})`);
  // With the daemon's own BuildKit (the docker driver) buildx prints no pushed digest; the image it
  // wrote (its config's digest, "writing image sha256:…") changes with every edit as the pushed one does.
  const digest = /writing image (sha256:[0-9a-f]{64})/.exec(r.stderr)?.[1] ?? "";
  return { ms: r.ms, digest };
}
