/**
 * What the module built, for the image figures and the runtime benchmarks: the service binary, the
 * bare baseline server's binary (bench/bare, built by the module too), and the image as the module's
 * tarball, measured from the OCI layout and loaded into Docker for the start-up figures.
 */
import { statSync } from "node:fs";
import { join } from "node:path";

import { docker } from "../../test/support/docker.js";
import { goScratch } from "../../test/support/engine.js";
import { decompress, OciLayout } from "../../test/support/ociLayout.js";
import { type BenchContext, IMAGE_PREFIX } from "../context.js";
import { STAMP } from "../rawGo.js";
import { inSession } from "./session.js";

/** The image as the module built it, against its binary. */
export interface ImageFacts {
  binary: number;
  layers: number;
  /** The layer tars, uncompressed (what the image unpacks to, tar headers included). */
  layerTarBytes: number;
  /** The sum of the files' sizes in the layers. */
  fileBytes: number;
  /** The layer blobs as pushed (gzip). */
  gzippedBytes: number;
  /** The whole OCI layout tarball (`tarball` exported). */
  tarballBytes: number;
  manifestDigest: string;
}

export interface Artefacts {
  serviceBinary: string;
  bareBinary: string;
  /** The image, loaded into Docker. */
  imageTag: string;
  image: ImageFacts;
}

export async function artefacts(ctx: BenchContext): Promise<Artefacts> {
  const dir = ctx.path("artefacts");
  const serviceBinary = join(dir, "service");
  const bareBinary = join(dir, "bare");
  const tarball = join(dir, "image.tar");
  await inSession(async () => {
    const gs = goScratch({ ...STAMP, sourceDateEpoch: 1_700_000_000 });
    await (await gs.binary("linux/amd64")).export(serviceBinary);
    await (await gs.tarball("linux/amd64")).export(tarball);
    await (await goScratch({ source: "bench/bare", ...STAMP, healthcheck: false }).binary("linux/amd64")).export(bareBinary);
  });
  const layout = OciLayout.unpack(tarball, join(dir, "layout"));
  const desc = layout.index().manifests[0];
  const img = layout.image(desc);
  const blobs = img.manifest.layers.map((l) => layout.blob(l.digest));
  const facts: ImageFacts = {
    binary: statSync(serviceBinary).size,
    layers: img.manifest.layers.length,
    layerTarBytes: img.manifest.layers.reduce((n, l, i) => n + decompress(l.mediaType, blobs[i]).length, 0),
    fileBytes: img.layers.flat().reduce((n, e) => n + (e.type === "file" ? e.size : 0), 0),
    gzippedBytes: blobs.reduce((n, b) => n + b.length, 0),
    tarballBytes: statSync(tarball).size,
    manifestDigest: desc.digest,
  };
  const loaded = await docker(["load", "-i", tarball]);
  const id = /Loaded image( ID)?: (\S+)/.exec(loaded)?.[2];
  if (!id) throw new Error(`docker load printed no image: ${loaded}`);
  const imageTag = ctx.docker.image(`${IMAGE_PREFIX}/module:${STAMP.version}`);
  await docker(["tag", id, imageTag]);
  ctx.command("Image", "new GoScratch(service/, ...).binary('linux/amd64').export(...); .tarball('linux/amd64').export('image.tar'); bench/bare: .binary(...)");
  ctx.command("Image", `docker load -i image.tar; docker tag <loaded> ${imageTag}`);
  return { serviceBinary, bareBinary, imageTag, image: facts };
}
