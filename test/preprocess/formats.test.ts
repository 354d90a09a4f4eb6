/** Files digit-lab cannot or should not read say so plainly: other formats by name, tiny digits refused. */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ImageError } from "../../src/errors";
import { decodeImage, encodePng, preprocessFile, resize } from "../../src/preprocess";
import { MIN_DIGIT_PIXELS } from "../../src/preprocess/files";
import { drawStrokes } from "./shapes";

/** The first bytes of each format, as real files start (enough for the sniffing). */
const HEADS: [string, number[]][] = [
  ["GIF", [...Buffer.from("GIF89a"), 0x0a, 0x00, 0x0a, 0x00, 0x80, 0x00, 0x00]],
  ["WebP", [...Buffer.from("RIFF"), 0x24, 0x00, 0x00, 0x00, ...Buffer.from("WEBPVP8 ")]],
  ["HEIC", [0x00, 0x00, 0x00, 0x18, ...Buffer.from("ftypheic"), 0x00, 0x00, 0x00, 0x00, ...Buffer.from("mif1heic")]],
  ["HEIC", [0x00, 0x00, 0x00, 0x1c, ...Buffer.from("ftypmif1"), 0x00, 0x00, 0x00, 0x00, ...Buffer.from("mif1heic")]],
  ["AVIF", [0x00, 0x00, 0x00, 0x1c, ...Buffer.from("ftypavif"), 0x00, 0x00, 0x00, 0x00, ...Buffer.from("avifmif1")]],
  ["BMP", [...Buffer.from("BM"), 0x36, 0x0c, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0, 0, 0, 0x20, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 24, 0]],
  ["TIFF", [...Buffer.from("II*\0"), 0x08, 0, 0, 0, 0, 0]],
  ["TIFF", [...Buffer.from("MM\0*"), 0, 0, 0, 0x08, 0, 0]],
];

test("GIF, WebP, HEIC, AVIF, BMP and TIFF files are named in the error, with what to do", () => {
  for (const [name, head] of HEADS) {
    const bytes = Uint8Array.from([...head, ...new Array(64).fill(0)]);
    assert.throws(() => decodeImage(bytes, `photo.${name.toLowerCase()}`), (err: Error) => {
      assert.ok(err instanceof ImageError);
      assert.match(err.message, new RegExp(`photo\\.${name.toLowerCase()}: a ${name} image; digit-lab reads PNG and JPEG — convert it to PNG or JPEG first`));
      return true;
    });
  }
  // Text is quoted; a Mac's "._" companion file is named; other bytes are shown as they are.
  assert.throws(() => decodeImage(Buffer.from("just some text"), "x.png"), /x\.png: not a PNG or JPEG image \(it looks like text: "just some text"\)/);
  assert.throws(() => decodeImage(Buffer.from(`hello, these are my notes\nline two of my notes, which go on`), "n.png"), /it looks like text: "hello, these are my notes line two of my…"\)/);
  const appleDouble = Uint8Array.from([0x00, 0x05, 0x16, 0x07, 0x00, 0x02, 0x00, 0x00, ...new Array(64).fill(0)]);
  assert.throws(() => decodeImage(appleDouble, "._7.png"), /\._7\.png: not a PNG or JPEG image \(it is a macOS resource-fork file/);
  assert.throws(() => decodeImage(Uint8Array.from([0x00, 0x01, 0x02, 0xff, 0x10, 0x00, 0x00, 0x00, 0x00]), "b.png"), /it starts with bytes 00 01 02 ff 10 00 00 00/);
});

test(`a digit under ${MIN_DIGIT_PIXELS} px in the picture is refused; one of 19 px is read`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-tiny-"));
  try {
    const five = drawStrokes({ width: 200, height: 200 }, [[[140, 30], [70, 30], [62, 95], [130, 100], [140, 150], [60, 170]]], 18);
    // The digit spans about 158 of 200 px: a 12-px picture holds a 10-px digit, a 24-px one a 19-px digit.
    for (const [side, ok] of [[12, false], [24, true]] as const) {
      const file = path.join(dir, `five-${side}.png`);
      fs.writeFileSync(file, encodePng(resize(five, side, side)));
      if (ok) {
        assert.equal(preprocessFile(file).pixels.length, 784);
      } else {
        assert.throws(() => preprocessFile(file), (err: Error) => {
          assert.ok(err instanceof ImageError);
          assert.match(err.message, /five-12\.png: the digit is only \d+ pixels tall or wide in this picture, too small to read reliably/);
          return true;
        });
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
