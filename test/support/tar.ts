/** Reads the entries of an (uncompressed) tar archive: enough to list an image layer exactly. */
import { readFileSync } from "node:fs";

/** One archive entry. */
export interface TarEntry {
  /** Path with a leading `/`, no trailing `/`. */
  path: string;
  type: "file" | "dir" | "symlink" | "hardlink" | "other";
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
}

const TYPES: Record<string, TarEntry["type"]> = { "0": "file", "\0": "file", "5": "dir", "2": "symlink", "1": "hardlink" };

function field(block: Buffer, offset: number, length: number): string {
  const raw = block.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString("utf8");
}

function octal(block: Buffer, offset: number, length: number): number {
  const s = field(block, offset, length).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

/** Parses PAX extended header records (`<len> key=value\n`). */
function pax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space === -1) break;
    const len = parseInt(data.subarray(i, space).toString(), 10);
    if (!len) break;
    const record = data.subarray(space + 1, i + len - 1).toString("utf8");
    const eq = record.indexOf("=");
    out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}

/** Every entry of the archive at `file`, in archive order. */
export function readTar(file: string): TarEntry[] {
  return readTarBuffer(readFileSync(file));
}

/** Every entry of the archive `buf`, in archive order. */
export function readTarBuffer(buf: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  let offset = 0;
  let longName: string | undefined;
  let paxRecords: Record<string, string> = {};
  while (offset + 512 <= buf.length) {
    const block = buf.subarray(offset, offset + 512);
    if (block.every((b) => b === 0)) break;
    const size = octal(block, 124, 12);
    const typeflag = String.fromCharCode(block[156]);
    const dataStart = offset + 512;
    offset = dataStart + Math.ceil(size / 512) * 512;
    if (typeflag === "L") {
      longName = field(buf, dataStart, size);
      continue;
    }
    if (typeflag === "x") {
      paxRecords = pax(buf.subarray(dataStart, dataStart + size));
      continue;
    }
    if (typeflag === "g") continue;
    const prefix = field(block, 345, 155);
    const name = paxRecords.path ?? longName ?? (prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    // PAX records override the header's fields; an mtime may carry a fraction.
    const mtime = paxRecords.mtime !== undefined ? Number(paxRecords.mtime) : octal(block, 136, 12);
    const uid = paxRecords.uid !== undefined ? Number(paxRecords.uid) : octal(block, 108, 8);
    const gid = paxRecords.gid !== undefined ? Number(paxRecords.gid) : octal(block, 116, 8);
    longName = undefined;
    paxRecords = {};
    entries.push({
      path: "/" + name.replace(/^\.?\/+/, "").replace(/\/+$/, ""),
      type: TYPES[typeflag] ?? "other",
      mode: octal(block, 100, 8) & 0o7777,
      uid,
      gid,
      size,
      mtime,
    });
  }
  return entries;
}
