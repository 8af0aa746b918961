/**
 * Size: each binary, each image uncompressed (what `docker images` shows) and its layers gzipped
 * (`docker save`, every layer tar gzipped with node's zlib at its default level, bytes added up), and
 * whether the image starts at all.
 */
import { spawn } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { gzipSync } from "node:zlib";

import { docker } from "./dockerRecipe.js";
import { sh } from "../test/support/commands.js";
import { saveImage } from "./dockerRecipe.js";
import type { BuildArtefacts } from "./buildSpeed.js";
import { type BenchContext, log } from "./context.js";
import { alpineStandin, recipeImage, seedImage, STANDIN_LABEL, type BuiltImage } from "./images.js";

export interface ImageSize {
  tag: string;
  /** `docker image inspect .Size`: the layers' content, uncompressed. */
  uncompressed: number;
  /** The layer tars as `docker save` writes them. */
  layerTars: number;
  /** The same tars gzipped at zlib's default level. */
  gzipped: number;
  layers: number;
}

export interface SizeRow {
  name: string;
  build: string;
  base: string;
  binary?: number;
  /** "static" or "dynamic (<interpreter>)". */
  linkage?: string;
  image?: ImageSize;
  /** Whether the image's entrypoint runs; with the error when it does not. */
  starts?: { ok: boolean; detail: string };
}

export interface SizeResult {
  rows: SizeRow[];
  dockerfiles: Record<string, string>;
  standin: { label: string; applets: number };
  /** The recipe image, for the other steps. */
  recipeTag: string;
}

async function imageSize(ctx: BenchContext, tag: string): Promise<ImageSize> {
  const uncompressed = Number((await docker(["image", "inspect", "-f", "{{.Size}}", tag])).trim());
  const saved = await saveImage(tag, ctx.path("saved"));
  let layerTars = 0;
  let gzipped = 0;
  for (const layer of saved.layers) {
    const tar = readFileSync(layer);
    layerTars += tar.length;
    gzipped += gzipSync(tar).length;
  }
  ctx.command("Size", "docker image inspect -f '{{.Size}}' <image>; docker save -o image.tar <image>; node: zlib.gzipSync(<each layer tar>).length");
  return { tag, uncompressed, layerTars, gzipped, layers: saved.layers.length };
}

async function linkage(binary: string): Promise<string> {
  const m = /Requesting program interpreter: ([^\]]+)\]/.exec(await sh("readelf", ["-lW", binary]));
  return m ? `dynamic (${m[1]})` : "static";
}

/**
 * Starts the image's entrypoint attached (`docker start -a`: the runtime's exec error is only shown
 * on the attached stream, not in `docker logs`); up after 1.5 s means it starts.
 */
async function starts(ctx: BenchContext, tag: string): Promise<{ ok: boolean; detail: string }> {
  const id = ctx.docker.container((await docker(["create", "-e", "PORT=8080", "-e", "ADMIN_ADDR=off", tag])).trim());
  const cli = ctx.track(spawn("docker", ["start", "-a", id], { stdio: ["ignore", "pipe", "pipe"] }));
  let output = "";
  cli.stdout?.on("data", (b: Buffer) => (output += b.toString()));
  cli.stderr?.on("data", (b: Buffer) => (output += b.toString()));
  const exited = new Promise<boolean>((resolve) => cli.once("exit", () => resolve(true)));
  const early = await Promise.race([exited, sleep(1500).then(() => false)]);
  if (!early) {
    cli.kill("SIGKILL"); // the attached client only; the container keeps running
    await exited;
  }
  const state = (await docker(["inspect", "-f", "{{.State.Status}} (exit code {{.State.ExitCode}})", id])).trim();
  await docker(["rm", "-f", id]).catch(() => undefined);
  ctx.command("Size", "docker create <image>; docker start -a <container>  # still running after 1.5 s?");
  const running = state.startsWith("running");
  const message = output.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/DEPRECATED|BuildKit|environment-variable/.test(l));
  return { ok: running, detail: running ? "running after 1.5 s" : `${state}: ${message.join(" ").slice(0, 160)}` };
}

export async function size(ctx: BenchContext, art: BuildArtefacts): Promise<SizeResult> {
  const dockerfiles: Record<string, string> = {};
  const keep = (name: string, img: BuiltImage): string => {
    dockerfiles[name] = img.dockerfile;
    return img.tag;
  };
  log("size: building images");
  const recipeTag = keep("recipe (scratch)", await recipeImage(ctx, art.recipeA, "a"));
  const seedScratch = keep("seed on scratch", await seedImage(ctx, art.seedA, "scratch", "scratch"));
  const standin = await alpineStandin(ctx);
  keep(STANDIN_LABEL, standin);
  const seedAlpine = keep("seed on the alpine stand-in", await seedImage(ctx, art.seedA, standin.tag, "alpine-standin"));

  log("size: measuring");
  const bytes = (f: string): number => statSync(f).size;
  const rows: SizeRow[] = [
    {
      name: "recipe",
      build: "recipe flags (CGO_ENABLED=0 -trimpath -s -w -buildid=)",
      base: "scratch + recipe rootfs",
      binary: bytes(art.recipeA),
      linkage: await linkage(art.recipeA),
      image: await imageSize(ctx, recipeTag),
      starts: await starts(ctx, recipeTag),
    },
    {
      name: "seed on scratch",
      build: "go build -ldflags \"-s -w\" -a (CGO default)",
      base: "scratch, binary only",
      binary: bytes(art.seedA),
      linkage: await linkage(art.seedA),
      image: await imageSize(ctx, seedScratch),
      starts: await starts(ctx, seedScratch),
    },
    {
      name: "seed on alpine stand-in",
      build: "go build -ldflags \"-s -w\" -a (CGO default)",
      base: STANDIN_LABEL,
      binary: bytes(art.seedA),
      linkage: await linkage(art.seedA),
      image: await imageSize(ctx, seedAlpine),
      starts: await starts(ctx, seedAlpine),
    },
    {
      name: "alpine stand-in base alone",
      build: "-",
      base: STANDIN_LABEL,
      image: await imageSize(ctx, standin.tag),
    },
    {
      name: "plain go build",
      build: "go build (no flags, CGO default)",
      base: "-",
      binary: bytes(art.plain),
      linkage: await linkage(art.plain),
    },
    {
      name: "recipe, linux/arm64",
      build: "recipe flags, GOARCH=arm64",
      base: "-",
      binary: bytes(art.arm64A),
      linkage: await linkage(art.arm64A),
    },
  ];
  return { rows, dockerfiles, standin: { label: STANDIN_LABEL, applets: standin.applets }, recipeTag };
}
