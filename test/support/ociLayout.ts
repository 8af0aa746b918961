/**
 * Reading what the engine exported: an OCI image layout tarball (`Container.export`), unpacked, its
 * index, manifests, configs and layers (gunzipped and listed entry by entry).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { readTarBuffer, type TarEntry } from "./tar.js";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface OciIndex {
  mediaType?: string;
  manifests: Descriptor[];
  annotations?: Record<string, string>;
}

export interface OciManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** The image config (the fields the suites look at). */
export interface OciConfig {
  architecture: string;
  os: string;
  created?: string;
  config: {
    User?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Env?: string[];
    WorkingDir?: string;
    ExposedPorts?: Record<string, object>;
    Labels?: Record<string, string>;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  };
  history?: { created?: string; created_by?: string; empty_layer?: boolean }[];
  rootfs: { type: string; diff_ids: string[] };
}

/** One image of a layout: manifest, config and layers (each layer's entries, in archive order). */
export interface OciImage {
  manifestDigest: string;
  manifest: OciManifest;
  config: OciConfig;
  layers: TarEntry[][];
}

/** An unpacked OCI layout. */
export class OciLayout {
  constructor(readonly dir: string) {}

  /** Unpacks the tarball `tar` into `dir`. */
  static unpack(tar: string, dir: string): OciLayout {
    mkdirSync(dir, { recursive: true });
    execFileSync("tar", ["-xf", tar, "-C", dir]);
    return new OciLayout(dir);
  }

  blob(digest: string): Buffer {
    const [alg, hex] = digest.split(":");
    return readFileSync(join(this.dir, "blobs", alg, hex));
  }

  json<T>(digest: string): T {
    return JSON.parse(this.blob(digest).toString("utf8")) as T;
  }

  index(): OciIndex {
    return JSON.parse(readFileSync(join(this.dir, "index.json"), "utf8")) as OciIndex;
  }

  /** The image a manifest descriptor names, layers decompressed by their media type. */
  image(desc: Descriptor): OciImage {
    const manifest = this.json<OciManifest>(desc.digest);
    const config = this.json<OciConfig>(manifest.config.digest);
    const layers = manifest.layers.map((l) => readTarBuffer(decompress(l.mediaType, this.blob(l.digest))));
    return { manifestDigest: desc.digest, manifest, config, layers };
  }

  /** The only image of a single-platform export. */
  single(): OciImage {
    const { manifests } = this.index();
    if (manifests.length !== 1) throw new Error(`expected one manifest in index.json, found ${manifests.length}`);
    return this.image(manifests[0]);
  }
}

/** A layer blob's tar, by its media type (gzip or uncompressed; Node 20 has no zstd). */
export function decompress(mediaType: string, data: Buffer): Buffer {
  if (/gzip$/.test(mediaType)) return gunzipSync(data);
  if (/tar$/.test(mediaType)) return data;
  throw new Error(`cannot read a layer of media type ${mediaType}`);
}
