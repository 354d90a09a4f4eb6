/**
 * Pictures larger than MAX_MEGAPIXELS are refused from their header, before any decoding:
 * a small file can claim any size, and decoding allocates for the size it claims.
 * The files here only claim to be large, so the tests allocate nothing big.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { ImageError } from "../../src/errors";
import { MAX_MEGAPIXELS, decodeImage, encodeJpeg, encodePng, jpegSize, pngSize, readImageFile } from "../../src/preprocess";
import { drawStrokes } from "./shapes";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A well-formed PNG that claims width×height (8-bit grey) but holds one tiny IDAT: a few hundred bytes. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grey
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(Buffer.alloc(width + 1))), // one row of pixels
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A real small JPEG whose SOF0 header is rewritten to claim width×height. */
function jpegClaiming(width: number, height: number): Buffer {
  const jpeg = Buffer.from(encodeJpeg(drawStrokes({ width: 16, height: 16 }, [[[2, 2], [14, 14]]], 3)));
  for (let at = 2; at + 9 < jpeg.length;) {
    const marker = jpeg[at + 1];
    if (marker === 0xc0) {
      jpeg.writeUInt16BE(height, at + 5);
      jpeg.writeUInt16BE(width, at + 7);
      return jpeg;
    }
    at += 2 + jpeg.readUInt16BE(at + 2);
  }
  throw new Error("jpeg-js wrote no SOF0");
}

test("the size is read from the PNG IHDR and the JPEG SOF header", () => {
  const picture = drawStrokes({ width: 37, height: 23 }, [[[5, 5], [30, 18]]], 3);
  assert.deepEqual(pngSize(encodePng(picture)), { width: 37, height: 23 });
  assert.deepEqual(jpegSize(encodeJpeg(picture)), { width: 37, height: 23 });
  assert.deepEqual(pngSize(pngClaiming(20000, 20000)), { width: 20000, height: 20000 });
  assert.deepEqual(jpegSize(jpegClaiming(9000, 7000)), { width: 9000, height: 7000 });
  // Headers cut short have no size.
  assert.equal(pngSize(encodePng(picture).subarray(0, 20)), undefined);
  assert.equal(jpegSize(encodeJpeg(picture).subarray(0, 100)), undefined);
});

test("a PNG claiming 20000×20000 is refused from its header, naming the file and its size", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-big-images-"));
  try {
    const file = path.join(dir, "big.png");
    const bytes = pngClaiming(20000, 20000);
    assert.ok(bytes.length < 1000, `the test file is small (${bytes.length} bytes)`);
    fs.writeFileSync(file, bytes);
    const before = process.memoryUsage().rss;
    assert.throws(() => readImageFile(file), (e: unknown) => e instanceof ImageError
      && (e as Error).message === `${file}: 20000×20000 pixels is more than digit-lab reads (${MAX_MEGAPIXELS} megapixels); scale it down`);
    // Decoding would have allocated 400 million pixels (1.6 GB of RGBA); refusing allocates nothing.
    assert.ok(process.memoryUsage().rss - before < 100e6, "nothing large was allocated");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a JPEG claiming 9000×7000 (63 MP) is refused with the same message", () => {
  assert.throws(() => decodeImage(jpegClaiming(9000, 7000), "huge.jpg"),
    /^ImageError: huge\.jpg: 9000×7000 pixels is more than digit-lab reads \(50 megapixels\); scale it down$/);
  // Also when only one side is large.
  assert.throws(() => decodeImage(pngClaiming(65535, 800), "strip.png"), /strip\.png: 65535×800 pixels is more than/);
});

test("up to 50 MP passes the size check, a 50 MP phone camera's 8160×6120 included", () => {
  // These PNGs' IHDR checksums are spoilt, so decoding stops at once, before
  // allocating anything: what matters is whether the size check let them through.
  const spoilt = (bytes: Buffer) => {
    bytes[29] ^= 0xff; // the IHDR CRC
    return bytes;
  };
  const sizes: [number, number, boolean][] = [[8160, 6120, true], [10000, 5000, true], [10000, 5001, false], [5001, 10000, false]];
  for (const [width, height, accepted] of sizes) {
    const name = `${width}x${height}.png`;
    assert.throws(() => decodeImage(spoilt(pngClaiming(width, height)), name), (e: unknown) => e instanceof ImageError
      && /more than digit-lab reads/.test((e as Error).message) !== accepted
      && (!accepted || /damaged (or unsupported )?PNG/.test((e as Error).message)), name);
  }
});
