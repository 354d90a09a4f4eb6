/**
 * Saliency maps: the input gradient of a class's logit. For a single Dense softmax layer the
 * logit is linear in the pixels, so its gradient is exactly the kernel's column; deeper models
 * are checked against finite differences of the logits.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { buildModel } from "../../src/models";
import { softmaxLogits } from "../../src/models/logits";
import { logitGradients, saliencyMaps } from "../../src/eval/saliency";
import { UsageError } from "../../src/errors";
import { createRng } from "../../src/util/random";

function pixels(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * 784 }, () => (rng() < 0.6 ? 0 : rng()));
}

/** A model whose only layer is Dense(784 → 10, softmax) with kernel[p][c] = known(p, c). */
function singleDense(known: (p: number, c: number) => number): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10, activation: "softmax" })] });
  const kernel = tf.tensor2d(Float32Array.from({ length: 7840 }, (_, k) => known(Math.floor(k / 10), k % 10)), [784, 10]);
  const bias = tf.tensor1d(Float32Array.from({ length: 10 }, (_, c) => c * 0.1 - 0.4));
  model.setWeights([kernel, bias]);
  tf.dispose([kernel, bias]);
  return model;
}

/** The logits of one image (flat pixels), as plain numbers. */
function logitsOf(model: tf.LayersModel, image: Float32Array, shape: number[]): number[] {
  return tf.tidy(() => Array.from(softmaxLogits(model, tf.tensor(image, [1, ...shape]), false)!.dataSync()));
}

/** Central finite difference of logit `c` at pixel `p`, checked against the gradient. */
function assertMatchesFiniteDifferences(model: tf.LayersModel, image: Float32Array, shape: number[], c: number, gradient: Float32Array, what: string): void {
  const eps = 1e-2;
  // The pixels that matter most, and a few anywhere: a map of zeros or a transposed map fails.
  const order = Array.from(gradient.keys()).sort((a, b) => Math.abs(gradient[b]) - Math.abs(gradient[a]));
  const probe = [...order.slice(0, 4), 0, 29, 350, 783, 28 * 5 + 20];
  const largest = Math.abs(gradient[order[0]]);
  assert.ok(largest > 1e-3, `${what}: the gradient is all but zero (${largest})`);
  for (const p of probe) {
    const up = image.slice();
    const down = image.slice();
    up[p] += eps;
    down[p] -= eps;
    const estimate = (logitsOf(model, up, shape)[c] - logitsOf(model, down, shape)[c]) / (2 * eps);
    assert.ok(Math.abs(estimate - gradient[p]) < 2e-3 * largest + 1e-5, `${what}, pixel ${p}: gradient ${gradient[p]}, finite difference ${estimate}`);
  }
}

test("for a single Dense softmax layer, the map of class c is exactly the kernel's column c", async () => {
  await initBackend({ log: null });
  const known = (p: number, c: number) => Math.sin(p * 0.37 + c * 1.3) * 0.05 + (p % 28 === c ? 0.2 : 0);
  const model = singleDense(known);
  const images = pixels(3, 1);
  const before = tf.memory().numTensors;
  const maps = saliencyMaps(model, images, { classes: [0, 3, 9] });
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  assert.equal(maps.length, 3);
  for (const image of maps) {
    assert.deepEqual(image.maps.map((m) => m.label), [0, 3, 9]);
    assert.equal(image.rows, 28);
    assert.equal(image.cols, 28);
    for (const m of image.maps) {
      assert.equal(m.gradient.length, 784);
      // The logit is linear in the pixels, whatever the image: its gradient is the kernel column.
      for (let p = 0; p < 784; p++) assert.ok(Math.abs(m.gradient[p] - known(p, m.label)) < 1e-6, `class ${m.label}, pixel ${p}: ${m.gradient[p]} ≠ ${known(p, m.label)}`);
    }
  }
  model.dispose();
});

test("a two-layer dense model's maps agree with finite differences of its logits", async () => {
  await initBackend({ log: null });
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 12, activation: "tanh", kernelInitializer: tf.initializers.glorotNormal({ seed: 3 }) }),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotNormal({ seed: 4 }) }),
    ],
  });
  const images = pixels(2, 7);
  const maps = saliencyMaps(model, images, { top: 3 });
  maps.forEach((image, i) => {
    assert.equal(image.maps.length, 3);
    // The top classes, most likely first, and the prediction first of all.
    const sorted = Array.from(image.probabilities).map((p, c) => [p, c]).sort((a, b) => b[0] - a[0]).slice(0, 3).map(([, c]) => c);
    assert.deepEqual(image.maps.map((m) => m.label), sorted);
    assert.equal(image.predicted, sorted[0]);
    assert.ok(Math.abs(Array.from(image.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const logits = logitsOf(model, images.subarray(i * 784, (i + 1) * 784), [784]);
    for (const m of image.maps) {
      assert.ok(Math.abs(m.logit - logits[m.label]) < 1e-5);
      assertMatchesFiniteDifferences(model, images.slice(i * 784, (i + 1) * 784), [784], m.label, m.gradient, `image ${i}, class ${m.label}`);
    }
  });
  model.dispose();
});

test("a CNN (28×28×1 input) gives 28×28 maps in the pixels' row-major order", async () => {
  await initBackend({ log: null });
  // Small and smooth (tanh, no pooling), so finite differences are exact enough to compare.
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 3, kernelSize: 5, strides: 2, activation: "tanh", kernelInitializer: tf.initializers.glorotNormal({ seed: 5 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotNormal({ seed: 6 }) }),
    ],
  });
  const image = pixels(1, 11);
  const [map] = saliencyMaps(model, [image], { classes: [2] });
  assert.equal(map.maps[0].gradient.length, 784);
  assertMatchesFiniteDifferences(model, image, [28, 28, 1], 2, map.maps[0].gradient, "conv model");
  model.dispose();

  // The project's own CNN: prediction and runner-up maps, finite, not blank.
  const cnn = buildModel("cnn", { seed: 2 });
  const before = tf.memory().numTensors;
  const maps = saliencyMaps(cnn, pixels(2, 3));
  assert.equal(tf.memory().numTensors, before, "no tensors left behind");
  const predicted = tf.tidy(() => Array.from((cnn.predict(tf.tensor(pixels(2, 3), [2, 28, 28, 1])) as tf.Tensor).argMax(1).dataSync()));
  maps.forEach((image, i) => {
    assert.equal(image.predicted, predicted[i]);
    assert.equal(image.maps.length, 2);
    assert.equal(image.maps[0].label, predicted[i]);
    for (const m of image.maps) {
      assert.equal(m.gradient.length, 784);
      assert.ok(m.gradient.every(Number.isFinite));
      assert.ok(m.gradient.some((g) => g !== 0));
    }
  });
  cnn.dispose();
});

test("logitGradients: one target class per image, gradient of that image's logit only", async () => {
  await initBackend({ log: null });
  const known = (p: number, c: number) => ((p * 7 + c * 3) % 11) * 0.01 - 0.05;
  const model = singleDense(known);
  const g = logitGradients(model, pixels(2, 4), [1, 8]);
  assert.equal(g.length, 2 * 784);
  for (const p of [0, 100, 783]) {
    assert.ok(Math.abs(g[p] - known(p, 1)) < 1e-6);
    assert.ok(Math.abs(g[784 + p] - known(p, 8)) < 1e-6, "the second image's map is of its own class, not a sum");
  }
  assert.throws(() => logitGradients(model, pixels(2, 4), [1]), UsageError);
  assert.throws(() => logitGradients(model, pixels(1, 4), [10]), /not one of the model's classes 0–9/);
  model.dispose();
});

test("saliencyMaps rejects what it cannot map, saying what is wrong", async () => {
  await initBackend({ log: null });
  const model = singleDense(() => 0.01);
  assert.throws(() => saliencyMaps(model, [new Float32Array(784).fill(255)]), /pixels in \[0, 1\].*divide bytes by 255/);
  assert.throws(() => saliencyMaps(model, [new Float32Array(783)]), /783 pixels, the model reads 784/);
  assert.throws(() => saliencyMaps(model, new Float32Array(800)), /multiple of 784/);
  assert.throws(() => saliencyMaps(model, pixels(1, 1), { top: 0 }), /top must be a whole number from 1 to 10/);
  const linear = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10 })] });
  assert.throws(() => saliencyMaps(linear, pixels(1, 1)), /does not end in a Dense softmax layer/);
  model.dispose();
  linear.dispose();
});
