import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PNG } from "pngjs";
import { ImageError } from "../../src/errors";
import { decodeImage, encodeJpeg, encodePng, preprocess, preprocessFile, readImageFile, sniffFormat } from "../../src/preprocess";
import { drawStrokes } from "./shapes";

const seven = () => drawStrokes({ width: 160, height: 120 }, [[[30, 20], [110, 20], [60, 105]]], 8);

/** A PNG of the picture with the given colour type (0 grey, 2 RGB, 4 grey+alpha, 6 RGBA). */
function pngOf(picture: ReturnType<typeof seven>, colorType: 0 | 2 | 4 | 6, transparentPaper = false): Buffer {
  const png = new PNG({ width: picture.width, height: picture.height, colorType, inputColorType: 6, inputHasAlpha: true });
  picture.data.forEach((v, i) => {
    const g = Math.round(v * 255);
    // Transparent paper: ink is opaque black, paper fully transparent.
    png.data[i * 4] = transparentPaper ? 0 : g;
    png.data[i * 4 + 1] = transparentPaper ? 0 : Math.min(255, g + 3); // a slight tint: really RGB
    png.data[i * 4 + 2] = transparentPaper ? 0 : g;
    png.data[i * 4 + 3] = transparentPaper ? Math.round((1 - v) * 255) : 255;
  });
  return PNG.sync.write(png, { colorType, inputColorType: 6, inputHasAlpha: true });
}

test("PNG (grey, RGB, grey+alpha, RGBA with transparent paper) and JPEG all give the same digit", () => {
  const reference = preprocess(seven()).pixels;
  const variants: [string, Buffer][] = [
    ["grey PNG", pngOf(seven(), 0)],
    ["RGB PNG", pngOf(seven(), 2)],
    ["grey+alpha PNG", pngOf(seven(), 4)],
    ["RGBA PNG, transparent paper", pngOf(seven(), 6, true)],
    ["JPEG", encodeJpeg(seven(), 90)],
  ];
  for (const [name, bytes] of variants) {
    const grey = decodeImage(bytes, name);
    assert.equal(grey.width, 160, name);
    assert.ok(grey.data[0] > 0.95, `${name}: paper reads white (${grey.data[0]})`);
    const out = preprocess(grey).pixels;
    let diff = 0;
    for (let i = 0; i < 784; i++) diff += Math.abs(out[i] - reference[i]);
    assert.ok(diff / 784 < 0.02, `${name} differs by ${diff / 784}`);
  }
  assert.equal(sniffFormat(encodePng(seven())), "png");
  assert.equal(sniffFormat(encodeJpeg(seven())), "jpeg");
});

test("bad files give errors naming the file and what is wrong", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-bad-images-"));
  try {
    const write = (name: string, bytes: string | Buffer) => {
      fs.writeFileSync(path.join(dir, name), bytes);
      return path.join(dir, name);
    };
    const png = encodePng(seven());
    const jpg = encodeJpeg(seven());
    const cases: [string, RegExp][] = [
      [write("text.png", "just some text"), /text\.png: not a PNG or JPEG image \(it looks like text: "just some text"\)/],
      [write("empty.png", ""), /empty\.png: empty file \(0 bytes\)/],
      [write("cut.png", png.subarray(0, 60)), /cut\.png: damaged PNG: truncated/],
      [write("cut.jpg", jpg.subarray(0, 30)), /cut\.jpg: damaged JPEG: truncated \(the file ends after 30 bytes, without the end-of-image marker; decoder said: /],
      // Half a real picture (an interrupted download): named as truncated too.
      [write("half.jpg", jpg.subarray(0, jpg.length >> 1)), /half\.jpg: damaged JPEG: truncated/],
      // Complete, but its data damaged: the decoder's reason, not a claim of truncation.
      [write("garbled.jpg", Buffer.concat([jpg.subarray(0, 30), Buffer.alloc(40, 0x55), Buffer.from([0xff, 0xd9])])), /garbled\.jpg: damaged or unsupported JPEG image \(decoder said: /],
      [path.join(dir, "absent.png"), /absent\.png: file not found/],
      [dir, /is a folder, not an image/],
    ];
    for (const [file, message] of cases) {
      assert.throws(() => readImageFile(file), (e: unknown) => e instanceof ImageError && message.test((e as Error).message), file);
    }
    const blank = write("blank.png", encodePng(drawStrokes({ width: 50, height: 50 }, [], 1)));
    assert.throws(() => preprocessFile(blank), /blank\.png: no digit found/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
