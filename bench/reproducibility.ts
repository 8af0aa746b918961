/**
 * Reproducibility: the two cold builds (checkouts in different directories, minutes apart) compared
 * at every level: binary sha256, layer diff_ids, image ID (config digest), and the manifest and
 * compressed layer digests a registry (docker-registry on 127.0.0.1) assigns after `docker push`.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

import { docker } from "./dockerRecipe.js";
import { sh } from "../test/support/commands.js";
import { saveImage } from "./dockerRecipe.js";
import { manifestDigest, startRegistry } from "../test/support/registry.js";
import type { BuildArtefacts } from "./buildSpeed.js";
import { type BenchContext, IMAGE_PREFIX, log } from "./context.js";
import { recipeImage } from "./images.js";

export interface Comparison {
  what: string;
  a: string;
  b: string;
  identical: boolean;
  why: string;
}

export interface ReproducibilityResult {
  rows: Comparison[];
  /** Paths in the image config JSON whose values differ between the two images. */
  configDifferences: string[];
  registry: string;
}

const SECTION = "Reproducibility";

function sha256(file: string): string {
  return `sha256:${createHash("sha256").update(readFileSync(file)).digest("hex")}`;
}

/** Every JSON path at which `a` and `b` differ. */
export function jsonDiff(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    return [...keys].sort().flatMap((k) => jsonDiff(ra[k], rb[k], Array.isArray(a) ? `${path}[${k}]` : `${path}.${k}`));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [path || "."];
}

const row = (what: string, a: string, b: string, whyEqual: string, whyNot: string): Comparison => ({
  what,
  a,
  b,
  identical: a === b,
  why: a === b ? whyEqual : whyNot,
});

export async function reproducibility(ctx: BenchContext, art: BuildArtefacts): Promise<ReproducibilityResult> {
  log("reproducibility: images from build A and build B (docker build --no-cache)");
  const imgA = (await recipeImage(ctx, art.recipeA, "repro-a")).tag;
  await sleep(1100); // a different second, so anything that stamps the clock shows it
  const imgB = (await recipeImage(ctx, art.recipeB, "repro-b")).tag;

  const inspect = async (img: string, fmt: string): Promise<string> => (await docker(["image", "inspect", "-f", fmt, img])).trim();
  const rows: Comparison[] = [
    row(
      "recipe binary sha256",
      sha256(art.recipeA),
      sha256(art.recipeB),
      "-trimpath, -buildvcs=false and -buildid= leave no path, VCS stamp or build ID in the binary",
      "the binary records something of the build (path, time or build ID)",
    ),
    row(
      "seed binary sha256 (no -trimpath)",
      sha256(art.seedA),
      sha256(art.seedB),
      "same bytes despite the different directories",
      "without -trimpath the checkout directory is recorded in the binary, and the Go build ID follows it",
    ),
    row(
      "arm64 recipe binary sha256",
      sha256(art.arm64A),
      sha256(art.arm64B),
      "cross-compiled binaries repeat too",
      "the arm64 build records something of the build",
    ),
    row(
      "layer diff_ids (uncompressed layer digest)",
      await inspect(imgA, "{{json .RootFS.Layers}}"),
      await inspect(imgB, "{{json .RootFS.Layers}}"),
      "same files, modes, owners and epoch timestamps, so the same layer tar",
      "the layer tar differs (file contents or metadata)",
    ),
    row(
      "image ID (config digest)",
      await inspect(imgA, "{{.Id}}"),
      await inspect(imgB, "{{.Id}}"),
      "the config repeats (both built with --no-cache)",
      "the legacy builder writes the build's wall-clock time into the config's `created` and history, and the build container's id into `container`",
    ),
  ];
  const [cfgA, cfgB] = await Promise.all([saveImage(imgA, ctx.path("saved")), saveImage(imgB, ctx.path("saved"))]);
  const configDifferences = [
    ...new Set(
      jsonDiff(JSON.parse(readFileSync(cfgA.config, "utf8")), JSON.parse(readFileSync(cfgB.config, "utf8"))).map((p) =>
        p.replace(/^\.history\[\d+\]/, ".history[*]"),
      ),
    ),
  ];

  log("reproducibility: push to a local registry");
  const registry = await startRegistry();
  ctx.onCleanup(() => registry.stop());
  const host = `127.0.0.1:${registry.port}`;
  const repo = `${IMAGE_PREFIX}/recipe`;
  const digests: { manifest: string; layers: string }[] = [];
  for (const [img, tag] of [
    [imgA, "a"],
    [imgB, "b"],
  ] as const) {
    const remote = ctx.docker.image(`${host}/${repo}:${tag}`);
    await docker(["tag", img, remote]);
    await docker(["push", remote]);
    const raw = JSON.parse(
      await sh("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${remote}`]),
    ) as { layers: { digest: string }[] };
    digests.push({
      manifest: (await manifestDigest(registry.url, repo, tag)).digest,
      layers: raw.layers.map((l) => l.digest).join(","),
    });
  }
  ctx.command(SECTION, `docker-registry serve <config: 127.0.0.1:<free port>>; docker tag <image> 127.0.0.1:<port>/${repo}:<a|b>; docker push 127.0.0.1:<port>/${repo}:<a|b>`);
  ctx.command(SECTION, `curl -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' http://127.0.0.1:<port>/v2/${repo}/manifests/<a|b>  # Docker-Content-Digest`);
  ctx.command(SECTION, `skopeo inspect --raw --tls-verify=false docker://127.0.0.1:<port>/${repo}:<a|b>  # layers[].digest`);
  rows.push(
    row(
      "pushed layer digest (gzipped blob)",
      digests[0].layers,
      digests[1].layers,
      "the same layer tar gzips to the same bytes (same compressor, same level)",
      "docker push compressed the same layer differently",
    ),
    row(
      "manifest digest (after docker push)",
      digests[0].manifest,
      digests[1].manifest,
      "the whole image repeats",
      "the manifest names the config by digest, and the config differs (see image ID)",
    ),
  );
  return { rows, configDifferences, registry: registry.how };
}
