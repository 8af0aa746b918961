/**
 * Layer compression of the published image and the tarball. No Dagger import: the pipeline maps
 * the name to the engine's enum.
 */

/** The compressions a release may use: gzip, which every runtime reads, or zstd (smaller, faster to unpack; containerd 1.5+, Docker 23+). */
export const COMPRESSIONS = ["gzip", "zstd"] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** The compression used when none is given. */
export const DEFAULT_COMPRESSION = "gzip";

/** Validates a compression name (any case); gzip when none is given. */
export function parseCompression(name: string | undefined): Compression {
  const c = (name ?? DEFAULT_COMPRESSION).trim().toLowerCase();
  if (!(COMPRESSIONS as readonly string[]).includes(c)) {
    throw new Error(`invalid compression ${JSON.stringify(name)}: expected ${COMPRESSIONS.join(" or ")}`);
  }
  return c as Compression;
}
