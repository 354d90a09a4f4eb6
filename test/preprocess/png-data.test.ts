/**
 * A PNG's pixel data against its header: every row of every pass must be there, and no
 * more. pngjs does not check this (a short stream left whatever its buffer held in the
 * missing rows), so digit-lab inflates the data once more and compares its length with IHDR's.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as zlib from "node:zlib";
import { decodeImage, encodePng } from "../../src/preprocess";
import { pngChunks, pngPixelDataBytes } from "../../src/preprocess/headers";
import { ImageError } from "../../src/errors";
import { greyPng, greyRows } from "../helpers/png";

const pattern = (x: number, y: number) => (x * 37 + y * 91) % 256;

test("plain and interlaced PNGs of every small size decode to their exact pixels", () => {
  for (const interlaced of [false, true]) {
    for (let width = 1; width <= 17; width++) {
      for (let height = 1; height <= 9; height++) {
        const name = `${width}×${height}${interlaced ? " interlaced" : ""}`;
        const png = greyPng(width, height, pattern, { interlaced });
        assert.equal(pngPixelDataBytes(png), greyRows(width, height, pattern, interlaced).length, name);
        const image = decodeImage(png, "grid.png");
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) assert.equal(Math.round(image.data[y * width + x] * 255), pattern(x, y), `${name} at ${x},${y}`);
        }
      }
    }
  }
});

test("the expected size of pngjs' own RGBA output matches its inflated pixel data", () => {
  const png = encodePng({ width: 23, height: 11, data: new Float32Array(23 * 11).fill(0.5) });
  const idat = pngChunks(png).filter((c) => c.type === "IDAT");
  const inflated = zlib.inflateSync(Buffer.concat(idat.map((c) => png.subarray(c.start, c.end))));
  assert.equal(pngPixelDataBytes(png), inflated.length);
  assert.equal(inflated.length, 11 * (1 + 23 * 4));
});

test("pixel data cut short inside a complete file is one clear error, every time", () => {
  for (const interlaced of [false, true]) {
    const rows = greyRows(40, 40, pattern, interlaced);
    for (const kept of [0, 1, rows.length >> 1, rows.length - 1]) {
      const png = greyPng(40, 40, pattern, { interlaced, rows: rows.subarray(0, kept) });
      for (let repeat = 0; repeat < 5; repeat++) {
        assert.throws(() => decodeImage(png, "short.png"), (e: unknown) => e instanceof ImageError
          && (e as Error).message === `short.png: damaged PNG: its pixel data holds ${kept} of the ${rows.length} bytes its header declares`,
        `${interlaced ? "interlaced" : "plain"}, ${kept} bytes`);
      }
    }
  }
});

test("a corrupt pixel stream, or more pixel data than the header declares, is refused", () => {
  const rows = greyRows(20, 20, pattern, false);
  const good = greyPng(20, 20, pattern);
  const idat = pngChunks(good).find((c) => c.type === "IDAT")!;
  const corrupt = Buffer.from(good);
  corrupt[idat.start] ^= 0xff; // the zlib header (the IDAT's CRC no longer matches either)
  assert.throws(() => decodeImage(corrupt, "corrupt.png"), /corrupt\.png: damaged PNG: its pixel data does not decompress/);
  for (const extra of [1, 50]) {
    const longer = greyPng(20, 20, pattern, { rows: Buffer.concat([rows, Buffer.alloc(extra)]) });
    assert.throws(() => decodeImage(longer, "longer.png"), (e: unknown) => e instanceof ImageError
      && (e as Error).message === `longer.png: damaged PNG: its pixel data holds more than the ${rows.length} bytes its header declares`, `${extra} extra`);
  }
});
