/**
 * The images the benchmark measures: the recipe's runtime image (through the tests'
 * buildRuntimeImage, so its files and configuration come from dagger/src/recipe/image.ts), and the
 * seeds' naive images on scratch and on an "alpine stand-in" base assembled from Debian's
 * busybox-static (no alpine image can be pulled here).
 */
import { chmodSync, copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

import { imageConfig, type RuntimeOptions } from "../dagger/src/recipe/image.js";
import { HOST_CA_BUNDLE, buildRuntimeImage, docker, runtimeDockerfile, tempDir } from "./dockerRecipe.js";
import { sh } from "../test/support/commands.js";
import { STAMP } from "./builds.js";
import { type BenchContext, IMAGE_PREFIX } from "./context.js";

/** The recipe's runtime options for the benchmark's images: fixed epoch, so only the binary varies. */
export const RUNTIME: RuntimeOptions = { ...STAMP, sourceDateEpoch: 1_700_000_000, title: "go-scratch reference service" };

/** Debian's statically linked busybox, the stand-in for alpine's userland. */
export const BUSYBOX = "/bin/busybox";

export const STANDIN_LABEL = "alpine stand-in: busybox-static from Debian";

export interface BuiltImage {
  tag: string;
  dockerfile: string;
}

const SECTION = "Images";

async function build(ctx: BenchContext, tag: string, context: string): Promise<void> {
  await docker(["build", "-q", "--no-cache", "-t", ctx.docker.image(tag), context]);
  ctx.command(SECTION, `DOCKER_BUILDKIT=0 docker build -q --no-cache -t ${tag} <context>`);
}

/** The recipe's runtime image around `binary`, built without the builder's cache. */
export async function recipeImage(ctx: BenchContext, binary: string, tag: string): Promise<BuiltImage> {
  const fullTag = `${IMAGE_PREFIX}/recipe:${tag}`;
  await buildRuntimeImage(ctx.docker, fullTag, RUNTIME, { binary, caBundle: HOST_CA_BUNDLE }, ["--no-cache"]);
  ctx.command(SECTION, `DOCKER_BUILDKIT=0 docker build -q --no-cache -t ${fullTag} <context: rootfsLayout(RUNTIME) + Dockerfile>`);
  return { tag: fullTag, dockerfile: runtimeDockerfile(imageConfig(RUNTIME)) };
}

/** A seed image: the binary alone on `base` (scratch or the stand-in), as naive Dockerfiles do. */
export async function seedImage(ctx: BenchContext, binary: string, base: string, tag: string): Promise<BuiltImage> {
  const context = ctx.docker.dir(tempDir("seed"));
  copyFileSync(binary, join(context, "app"));
  chmodSync(join(context, "app"), 0o755);
  const dockerfile = [`FROM ${base}`, "COPY app /app", 'ENTRYPOINT ["/app"]', ""].join("\n");
  writeFileSync(join(context, "Dockerfile"), dockerfile);
  const fullTag = `${IMAGE_PREFIX}/seed:${tag}`;
  await build(ctx, fullTag, context);
  return { tag: fullTag, dockerfile };
}

/**
 * An alpine-like base FROM scratch: busybox-static with a symlink per applet in /bin, the CA bundle,
 * /etc/passwd and /etc/group, /tmp. Alpine itself also has musl, apk and OpenSSL; this has none.
 */
export async function alpineStandin(ctx: BenchContext): Promise<BuiltImage & { applets: number }> {
  const context = ctx.docker.dir(tempDir("standin"));
  const root = join(context, "rootfs");
  for (const d of ["bin", "etc/ssl/certs", "tmp", "root"]) mkdirSync(join(root, d), { recursive: true });
  chmodSync(join(root, "tmp"), 0o1777);
  copyFileSync(BUSYBOX, join(root, "bin", "busybox"));
  chmodSync(join(root, "bin", "busybox"), 0o755);
  const applets = (await sh(BUSYBOX, ["--list"])).split("\n").filter((a) => /^[\w.[-]+$/.test(a) && a !== "busybox");
  for (const a of applets) symlinkSync("busybox", join(root, "bin", a));
  copyFileSync(HOST_CA_BUNDLE, join(root, "etc/ssl/certs/ca-certificates.crt"));
  writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n");
  writeFileSync(join(root, "etc/group"), "root:x:0:\nnobody:x:65534:\n");
  const dockerfile = [
    "FROM scratch",
    "COPY rootfs/ /",
    `LABEL org.opencontainers.image.description=${JSON.stringify(STANDIN_LABEL)}`,
    'CMD ["/bin/sh"]',
    "",
  ].join("\n");
  writeFileSync(join(context, "Dockerfile"), dockerfile);
  const tag = `${IMAGE_PREFIX}/alpine-standin:busybox-static`;
  await build(ctx, tag, context);
  return { tag, dockerfile, applets: applets.length };
}
