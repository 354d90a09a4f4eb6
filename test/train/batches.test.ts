/** Preparing examples for the loop: normalization, epoch reordering, shift augmentation, batch tensors. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { batchTensors, emptyLike, prepareSet, reorderInto, reorderShiftedInto } from "../../src/train/batches";

before(async () => {
  await initBackend({ log: null });
});

/** Three 28×28 images, image k has one ink pixel (value 255) at row 10+k, column 10. */
function dots() {
  const images = new Uint8Array(3 * 784);
  for (let k = 0; k < 3; k++) images[k * 784 + (10 + k) * 28 + 10] = 255;
  return { images, labels: Uint8Array.from([7, 8, 9]), count: 3, rows: 28, cols: 28 };
}

test("prepareSet normalizes the chosen examples; reorderInto applies an order", () => {
  const p = prepareSet(dots(), [2, 0]);
  assert.equal(p.count, 2);
  assert.deepEqual(Array.from(p.y), [9, 7]);
  assert.equal(p.x[12 * 28 + 10], 1);
  assert.equal(p.x[784 + 10 * 28 + 10], 1);
  assert.equal(p.x.reduce((a, b) => a + b, 0), 2);
  const all = prepareSet(dots());
  const out = emptyLike(all);
  reorderInto(all, [1, 2, 0], out);
  assert.deepEqual(Array.from(out.y), [8, 9, 7]);
  assert.equal(out.x[11 * 28 + 10], 1);
  assert.throws(() => prepareSet(dots(), [3]), RangeError);
});

test("shift augmentation moves each image by whole pixels, filling with background", () => {
  const all = prepareSet(dots());
  const out = emptyLike(all);
  // rng 0.7 → dx = floor(0.7·5) − 2 = +1 (right); rng 0.1 → dy = −2 (up).
  const values = [0.7, 0.1];
  let i = 0;
  reorderShiftedInto(all, [0, 1, 2], out, 2, () => values[i++ % 2]);
  for (let k = 0; k < 3; k++) {
    const img = out.x.subarray(k * 784, (k + 1) * 784);
    assert.equal(img.reduce((a, b) => a + b, 0), 1, `image ${k} keeps its one ink pixel`);
    assert.equal(img[(10 + k - 2) * 28 + 11], 1, `image ${k} moved right 1 and up 2`);
  }
  // Ink shifted off the edge disappears rather than wrapping around.
  const edge = { images: new Uint8Array(784), labels: Uint8Array.from([1]), count: 1, rows: 28, cols: 28 };
  edge.images[27] = 255; // row 0, last column
  const e = prepareSet(edge);
  const eo = emptyLike(e);
  reorderShiftedInto(e, [0], eo, 2, () => 0.99); // dx = dy = +2
  assert.equal(eo.x.reduce((a, b) => a + b, 0), 0);
});

test("batch tensors take the model's input shape", () => {
  const all = prepareSet(dots());
  const flat = batchTensors(all, 1, 3, [784]);
  assert.deepEqual(flat.xs.shape, [2, 784]);
  assert.deepEqual(Array.from(flat.ys.dataSync()), [8, 9]);
  assert.equal(flat.ys.dtype, "int32");
  const image = batchTensors(all, 0, 3, [28, 28, 1]);
  assert.deepEqual(image.xs.shape, [3, 28, 28, 1]);
  assert.equal(image.xs.sum().dataSync()[0], 3);
  tf.dispose([flat.xs, flat.ys, image.xs, image.ys]);
});
