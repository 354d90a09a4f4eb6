/** Feature maps with their spatial shape, checked on a tiny conv model computed by hand and on the cnn. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { buildModel, featureMap, featureMapLayers, featureMaps } from "../../src/models";
import { head, loadMnist, type ImageSet, type MnistData } from "../../src/data";
import { UsageError } from "../../src/errors";
import { REAL_DATA_DIR } from "../helpers/paths";

let mnist: MnistData;
before(async () => {
  await initBackend({ log: null });
  mnist = await loadMnist({ dataDir: REAL_DATA_DIR });
});

/**
 * 5×5×1 → conv 2×2, two filters, linear → dropout → max-pool 2×2 → flatten → dense softmax.
 * Filter 0 has kernel [[1, 2], [3, 4]] and bias 0.5; filter 1 is −(top-left pixel), bias 0.
 */
function tinyConvModel(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: "conv", inputShape: [5, 5, 1], filters: 2, kernelSize: 2, activation: "linear" }),
      tf.layers.dropout({ name: "drop", rate: 0.5 }),
      tf.layers.maxPooling2d({ name: "pool", poolSize: 2 }),
      tf.layers.flatten({ name: "flat" }),
      tf.layers.dense({ name: "out", units: 3, activation: "softmax" }),
    ],
  });
  // Kernel layout [kh, kw, in, out]: index ((i·2 + j)·1 + 0)·2 + filter.
  const k0 = [[1, 2], [3, 4]];
  const k1 = [[-1, 0], [0, 0]];
  const kernel = new Float32Array(8);
  for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
    kernel[(i * 2 + j) * 2] = k0[i][j];
    kernel[(i * 2 + j) * 2 + 1] = k1[i][j];
  }
  model.getLayer("conv").setWeights([tf.tensor4d(kernel, [2, 2, 1, 2]), tf.tensor1d([0.5, 0])]);
  return model;
}

/** One 5×5 image, all paper except full ink at (row, col). */
function onePixel(row: number, col: number): ImageSet {
  const images = new Uint8Array(25);
  images[row * 5 + col] = 255;
  return { images, labels: new Uint8Array([0]), count: 1, rows: 5, cols: 5 };
}

test("featureMaps: the conv and pool outputs of a tiny model, by hand, in (row, column) order; dropout skipped", () => {
  const model = tinyConvModel();
  assert.deepEqual(featureMapLayers(model), ["conv", "pool"]);
  // Ink at row 1, column 2 (not symmetric: a swapped row/column order would move every value).
  const [conv, pool] = featureMaps(model, onePixel(1, 2));
  assert.deepEqual({ ...conv, values: undefined }, { layer: "conv", className: "Conv2D", count: 1, height: 4, width: 4, channels: 2, values: undefined });
  assert.deepEqual({ ...pool, values: undefined }, { layer: "pool", className: "MaxPooling2D", count: 1, height: 2, width: 2, channels: 2, values: undefined });
  // out[h][w] = 0.5 + Σ k0[i][j]·x[h+i][w+j]: the ink at (1, 2) is seen by the windows at (1,2), (1,1), (0,2), (0,1).
  const channel0 = [
    [0.5, 4.5, 3.5, 0.5],
    [0.5, 2.5, 1.5, 0.5],
    [0.5, 0.5, 0.5, 0.5],
    [0.5, 0.5, 0.5, 0.5],
  ];
  const channel1 = [
    [0, 0, 0, 0],
    [0, 0, -1, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ];
  assert.deepEqual(Array.from(featureMap(conv, 0, 0)), channel0.flat());
  assert.deepEqual(Array.from(featureMap(conv, 0, 1)), channel1.flat());
  // Channels last: value (h, w, c) at index (h·4 + w)·2 + c.
  assert.equal(conv.values[(0 * 4 + 1) * 2 + 0], 4.5);
  assert.equal(conv.values[(1 * 4 + 2) * 2 + 1], -1);
  // Max over each 2×2 square.
  assert.deepEqual(Array.from(featureMap(pool, 0, 0)), [4.5, 3.5, 0.5, 0.5]);
  assert.deepEqual(Array.from(featureMap(pool, 0, 1)), [0, 0, 0, 0]);
  // Layers asked for by name, in the order asked.
  assert.deepEqual(featureMaps(model, onePixel(1, 2), { layers: ["pool", "conv"] }).map((m) => m.layer), ["pool", "conv"]);
  model.dispose();
});

test("featureMaps of the cnn equal the predictions of sub-models ending at each layer, image by image", () => {
  const model = buildModel("cnn", { seed: 5 });
  const set = head(mnist.test, 3);
  const maps = featureMaps(model, set);
  assert.deepEqual(
    maps.map((m) => [m.layer, m.height, m.width, m.channels]),
    [["conv2d_1", 26, 26, 32], ["conv2d_2", 24, 24, 32], ["max_pooling2d_1", 12, 12, 32],
      ["conv2d_3", 10, 10, 64], ["conv2d_4", 8, 8, 64], ["max_pooling2d_2", 4, 4, 64]],
  );
  const xs = tf.tensor4d(Float32Array.from(set.images, (v) => v / 255), [3, 28, 28, 1]);
  for (const m of maps) {
    assert.equal(m.count, 3);
    assert.equal(m.values.length, 3 * m.height * m.width * m.channels);
    const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(m.layer).output as tf.SymbolicTensor });
    const expected = (sub.predict(xs) as tf.Tensor).dataSync();
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - m.values[i]));
    assert.ok(worst < 1e-5, `${m.layer}: largest difference ${worst}`);
    assert.ok(m.values.some((v) => v > 0), `${m.layer} responds to a digit`);
  }
  // featureMap picks one image's channel: image 2, channel 5 of conv2d_1 at (row 13, col 7).
  const first = maps[0];
  assert.equal(featureMap(first, 2, 5)[13 * 26 + 7], first.values[((2 * 26 + 13) * 26 + 7) * 32 + 5]);
  xs.dispose();
  model.dispose();
});

test("featureMaps and featureMap reject bad input with a UsageError that says what is wrong", () => {
  const model = tinyConvModel();
  const usage = (pattern: RegExp) => (e: unknown) => e instanceof UsageError && pattern.test(e.message);
  assert.throws(() => featureMaps(model, mnist as unknown as ImageSet), usage(/featureMaps needs an ImageSet .*not the whole dataset/));
  assert.throws(() => featureMaps(model, { ...onePixel(0, 0), count: 0, images: new Uint8Array(0), labels: new Uint8Array(0) }), usage(/at least one image/));
  assert.throws(() => featureMaps(model, onePixel(0, 0), { layers: ["out"] }), usage(/layer "out" \(Dense\) outputs \[null,3\], not feature maps .*conv, pool/));
  assert.throws(() => featureMaps(model, onePixel(0, 0), { layers: ["nope"] }), usage(/has no layer "nope"; its layers are conv, drop, pool, flat, out/));
  assert.throws(() => featureMaps(model, onePixel(0, 0), { layer: "conv" } as never), usage(/featureMaps options/));
  const [conv] = featureMaps(model, onePixel(0, 0));
  assert.throws(() => featureMap(conv, 1, 0), usage(/image 1 is not one of the 1 images of the conv feature maps/));
  assert.throws(() => featureMap(conv, 0, 2), usage(/channel 2 is not one of the 2 channels of conv \(0–1\)/));
  model.dispose();
  const dense = buildModel("dense-128", { seed: 1 });
  assert.deepEqual(featureMapLayers(dense), []);
  assert.throws(() => featureMaps(dense, head(mnist.test, 1)), usage(/has no layer with feature maps \(no Conv2D or pooling layer\)/));
  dense.dispose();
});
