/**
 * PNG files written chunk by chunk, so tests can make what encoders never write:
 * interlaced pictures, pixel data cut short inside a complete file, extra chunks.
 */
import * as zlib from "node:zlib";

/** CRC-32 as PNG chunks use it (ISO 3309), bit by bit: small files only. */
function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** A PNG chunk with a correct CRC. */
export function pngChunk(type: string, data: number[]): Buffer {
  const typeAndData = Buffer.from([...Buffer.from(type, "latin1"), ...data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typeAndData.copy(out, 4);
  out.writeUInt32BE(crc32(typeAndData), 8 + data.length);
  return out;
}

const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * The filtered (filter type 0) rows of an 8-bit grey picture as a PNG stores them, in
 * Adam7's seven passes when `interlaced`. `grey(x, y)` gives each pixel, 0–255.
 */
export function greyRows(width: number, height: number, grey: (x: number, y: number) => number, interlaced: boolean): Buffer {
  const passes = interlaced ? ADAM7 : [[0, 0, 1, 1]];
  const out: number[] = [];
  for (const [x0, y0, dx, dy] of passes) {
    for (let y = y0; y < height; y += dy) {
      if (x0 >= width) break;
      out.push(0);
      for (let x = x0; x < width; x += dx) out.push(grey(x, y));
    }
  }
  return Buffer.from(out);
}

/** An 8-bit grey PNG whose compressed pixel data is `rows` (by default all of greyRows). */
export function greyPng(width: number, height: number, grey: (x: number, y: number) => number, options: { interlaced?: boolean; rows?: Buffer } = {}): Buffer {
  const interlaced = options.interlaced ?? false;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // colour type: grey
  ihdr[12] = interlaced ? 1 : 0;
  const rows = options.rows ?? greyRows(width, height, grey, interlaced);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", [...ihdr]),
    pngChunk("IDAT", [...zlib.deflateSync(rows)]),
    pngChunk("IEND", []),
  ]);
}
