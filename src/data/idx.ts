/**
 * The IDX file format of MNIST: a big-endian header (magic number, then one 32-bit
 * size per dimension) followed by the raw values. See http://yann.lecun.com/exdb/mnist/.
 * Files may be gzip-compressed, as they are distributed.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { DataError } from "../errors";
import { describeFsError } from "../util/fs-errors";

/** An IDX file's content: its dimensions and its unsigned-byte values. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decompresses gzip bytes, or returns the bytes as they are when not gzip. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (!isGzip(bytes)) return bytes;
  try {
    return zlib.gunzipSync(bytes);
  } catch (err) {
    throw new DataError(`damaged gzip data (${(err as Error).message}); delete the file to download it again`, file);
  }
}

/**
 * Parses (possibly gzipped) IDX bytes of unsigned bytes with `expectedRank` dimensions.
 * `file` only names the source in error messages.
 */
export function parseIdx(raw: Uint8Array, file: string, expectedRank?: number): IdxArray {
  const bytes = maybeGunzip(raw, file);
  if (bytes.length < 4) throw new DataError(`not an IDX file: only ${bytes.length} bytes`, file);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || type !== UBYTE || rank < 1 || rank > 4) {
    throw new DataError(`not an IDX file of unsigned bytes: wrong magic number 0x${hex(magic)}`, file);
  }
  if (expectedRank !== undefined && rank !== expectedRank) {
    const what = expectedRank === 3 ? "images (magic 0x00000803)" : "labels (magic 0x00000801)";
    throw new DataError(`wrong magic number 0x${hex(magic)}: expected ${what}`, file);
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) throw new DataError(`truncated: the header needs ${headerBytes} bytes, the file has ${bytes.length}`, file);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const expected = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerBytes;
  if (actual < expected) {
    throw new DataError(`truncated: the header promises ${dims.join("×")} = ${expected} values, the file holds ${actual}`, file);
  }
  if (actual > expected) {
    throw new DataError(`${actual - expected} unexpected bytes after the ${dims.join("×")} values the header declares`, file);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and parses an IDX file, turning file-system errors into DataErrors that name the file. */
export function readIdxFile(file: string, expectedRank?: number): IdxArray {
  let raw: Uint8Array;
  try {
    raw = fs.readFileSync(file);
  } catch (err) {
    throw new DataError(`cannot read: ${describeFsError(err)}`, file);
  }
  return parseIdx(raw, file, expectedRank);
}

/** Encodes values as IDX bytes (uncompressed). Used by tests and tools that write IDX files. */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
