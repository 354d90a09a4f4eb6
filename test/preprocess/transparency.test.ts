/** Transparent PNGs: the ink is read whether it is dark (usual) or white (dark-mode drawing apps). */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { PNG } from "pngjs";
import { decodeImage, preprocess } from "../../src/preprocess";
import { drawStrokes } from "./shapes";

const seven = () => drawStrokes({ width: 160, height: 120 }, [[[30, 20], [110, 20], [60, 105]]], 8);

/** RGBA PNG of the seven: ink of grey `ink` (0..255), coverage in alpha, paper fully transparent. */
function transparentPng(ink: number): Buffer {
  const picture = seven();
  const png = new PNG({ width: picture.width, height: picture.height });
  picture.data.forEach((v, i) => {
    png.data.set([ink, ink, ink, Math.round((1 - v) * 255)], i * 4);
  });
  return PNG.sync.write(png);
}

function meanDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
}

test("white, light-grey and black ink on a transparent PNG all read as the same digit", () => {
  const reference = preprocess(seven()).pixels;
  for (const ink of [255, 200, 0]) {
    const grey = decodeImage(transparentPng(ink), `ink-${ink}.png`);
    const out = preprocess(grey); // used to throw "no digit found" for white ink: white on white
    const diff = meanDiff(out.pixels, reference);
    assert.ok(diff < 0.03, `ink ${ink}: differs from the opaque drawing by ${diff.toFixed(3)}`);
  }
});

test("a light sheet with dark ink and a transparent margin keeps a white background", () => {
  const picture = seven();
  const png = new PNG({ width: picture.width, height: picture.height });
  picture.data.forEach((v, i) => {
    const x = i % picture.width, y = (i / picture.width) | 0;
    const margin = x < 8 || y < 8 || x >= picture.width - 8 || y >= picture.height - 8; // rounded-corner export
    const g = Math.round(v * 240);
    png.data.set([g, g, g, margin ? 0 : 255], i * 4);
  });
  const grey = decodeImage(PNG.sync.write(png), "sheet.png");
  assert.ok(grey.data[0] > 0.99, `transparent margin composited on white (${grey.data[0]})`);
  const diff = meanDiff(preprocess(grey).pixels, preprocess(seven()).pixels);
  assert.ok(diff < 0.03, `differs by ${diff.toFixed(3)}`);
});
