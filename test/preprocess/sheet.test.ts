/**
 * A photo of a whole sheet of paper on a darker desk: the sheet must not be read as the
 * ink (it was: the digit became a hole in a white block, and a clear 3 read as "0").
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { initBackend } from "../../src/backend";
import { ImageError } from "../../src/errors";
import { loadModel } from "../../src/models/persist";
import { predictPixels } from "../../src/predict";
import { createImage, decodeImage, encodeJpeg, paperPhoto, preprocess, randomPaperLook, type GreyImage } from "../../src/preprocess";
import { createRng } from "../../src/util/random";
import { loadRealMnist, trainedModelDir } from "../predict/trained-model";
import { circle, drawStrokes } from "./shapes";

/** `sheet` rotated by `angle` radians, centred on a desk of grey `desk`, photographed as a JPEG. */
function onDesk(sheet: GreyImage, width: number, height: number, angle: number, desk = 0.3): GreyImage {
  const out = createImage(width, height, desk);
  const cos = Math.cos(angle), sin = Math.sin(angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const dx = x - width / 2, dy = y - height / 2;
      const sx = Math.round(cos * dx + sin * dy + sheet.width / 2), sy = Math.round(-sin * dx + cos * dy + sheet.height / 2);
      if (sx >= 0 && sy >= 0 && sx < sheet.width && sy < sheet.height) out.data[y * width + x] = sheet.data[sy * sheet.width + sx];
    }
  }
  return decodeImage(encodeJpeg(out, 88), "desk.jpg");
}

const three = (): GreyImage => drawStrokes({ width: 250, height: 210, paper: 0.94, ink: 0.1 },
  [[[95, 45], [145, 38], [158, 70], [125, 100], [160, 130], [148, 168], [92, 168]]], 9);

/** Mean absolute difference of two 28×28 images, the second shifted by up to a pixel to match (centring rounds to whole pixels). */
function alignedDiff(a: Float32Array, b: Float32Array): number {
  let best = Infinity;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      let d = 0;
      for (let y = 0; y < 28; y++) {
        for (let x = 0; x < 28; x++) {
          const sx = x + dx, sy = y + dy;
          d += Math.abs(a[y * 28 + x] - (sx < 0 || sy < 0 || sx >= 28 || sy >= 28 ? 0 : b[sy * 28 + sx]));
        }
      }
      best = Math.min(best, d / 784);
    }
  }
  return best;
}

test("a sheet on a dark desk is cropped to and read like the sheet alone", () => {
  for (const [angle, desk] of [[0.05, 0.3], [-0.1, 0.15], [0, 0.45]]) {
    // The same photo with a desk as light as the paper: the sheet alone, turned alike.
    const alone = preprocess(onDesk(three(), 400, 300, angle, 0.94));
    assert.equal(alone.info.sheet, undefined);
    const photo = onDesk(three(), 400, 300, angle, desk);
    const r = preprocess(photo);
    assert.ok(r.info.sheet, `angle ${angle}, desk ${desk}: sheet found`);
    assert.equal(r.info.inverted, true, "dark ink on the sheet");
    const diff = alignedDiff(alone.pixels, r.pixels);
    assert.ok(diff < 0.05, `angle ${angle}, desk ${desk}: differs from the sheet alone by ${diff.toFixed(3)}`);
  }
});

test("a sheet filling most of the picture, the desk a dark frame around it, is read like the sheet alone", () => {
  // The frame of desk used to be read as dark ink reaching all four edges: the digit a speck inside it.
  for (const [angle, width, height] of [[0.05, 280, 235], [-0.08, 300, 250], [0, 262, 222]]) {
    const alone = preprocess(onDesk(three(), width, height, angle, 0.94));
    const r = preprocess(onDesk(three(), width, height, angle, 0.3));
    assert.ok(r.info.sheet, `angle ${angle}, ${width}×${height}: sheet found`);
    assert.ok(r.info.box.width < 0.5 * r.info.sheet.width, "the digit, not the frame");
    const diff = alignedDiff(alone.pixels, r.pixels);
    assert.ok(diff < 0.05, `angle ${angle}, ${width}×${height}: differs from the sheet alone by ${diff.toFixed(3)}`);
  }
  // A digit cropped tight (its strokes reach the edges) is not taken for a sheet.
  const tight = preprocess(drawStrokes({ width: 120, height: 160, paper: 0.94, ink: 0.1 }, [circle(60, 80, 57, 77)], 8));
  assert.equal(tight.info.sheet, undefined);
  assert.equal(tight.info.inverted, true);
});

test("light ink on a dark ground is not taken for a sheet (chalk, a bold white 0)", () => {
  const chalkThree = drawStrokes({ width: 250, height: 210, paper: 0.15, ink: 0.9 },
    [[[95, 45], [145, 38], [158, 70], [125, 100], [160, 130], [148, 168], [92, 168]]], 9);
  const boldZero = drawStrokes({ width: 200, height: 200, paper: 0.1, ink: 0.95 }, [circle(100, 100, 55, 75)], 40);
  for (const [name, picture] of [["chalk 3", chalkThree], ["bold white 0", boldZero]] as const) {
    const r = preprocess(picture);
    assert.equal(r.info.inverted, false, name);
    assert.equal(r.info.sheet, undefined, name);
  }
});

test("a sheet on a desk with no readable digit on it fails asking for a cropped photo", () => {
  const speck = drawStrokes({ width: 250, height: 210, paper: 0.94, ink: 0.1 }, [[[125, 105]]], 3);
  assert.throws(() => preprocess(onDesk(speck, 400, 300, 0.05)), (err: Error) => {
    assert.ok(err instanceof ImageError, String(err));
    assert.match(err.message, /sheet of paper on a darker surface.*crop the photo to the paper/);
    return true;
  });
});

test("no clean MNIST digit (light on black, bold loops included) is taken for a sheet", { timeout: 300_000 }, async () => {
  const data = await loadRealMnist();
  const taken: number[] = [];
  for (let k = 0; k < 3000; k++) {
    const grey = Float32Array.from(data.test.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
    if (preprocess({ width: 28, height: 28, data: grey }).info.sheet) taken.push(k);
  }
  assert.deepEqual(taken, [], `test digits taken for a sheet: ${taken.slice(0, 10).join(", ")}`);
});

test("MNIST digits photographed on a sheet on a desk are read as well as on the sheet alone (real model)", { timeout: 600_000 }, async (t) => {
  await initBackend({ log: null });
  const data = await loadRealMnist();
  const { model } = await loadModel(await trainedModelDir());
  try {
    const rng = createRng(11);
    const onSheet: Float32Array[] = [], onTheDesk: Float32Array[] = [], labels: number[] = [];
    for (let k = 0; k < 40; k++) {
      const digit = Float32Array.from(data.test.images.subarray(k * 784, (k + 1) * 784), (v) => v / 255);
      const look = { ...randomPaperLook(rng), canvasWidth: 240, canvasHeight: 200, digitFrame: 120, lightingDrop: 0.1 };
      const sheet = paperPhoto(digit, look, rng);
      onSheet.push(preprocess(sheet).pixels);
      onTheDesk.push(preprocess(onDesk(sheet, 400, 300, (rng() - 0.5) * 0.2, 0.2 + 0.2 * rng())).pixels);
      labels.push(data.test.labels[k]);
    }
    const [a, b] = [await predictPixels(model, onSheet), await predictPixels(model, onTheDesk)];
    const right = (p: typeof a) => p.filter((x, i) => x.digit === labels[i]).length;
    t.diagnostic(`right: ${right(a)}/40 on the sheet alone, ${right(b)}/40 on the desk`);
    assert.ok(right(a) >= 34, `sheet alone: ${right(a)}/40`);
    assert.ok(right(b) >= right(a) - 2, `on the desk ${right(b)}/40 vs sheet alone ${right(a)}/40`);
  } finally {
    model.dispose();
  }
});
