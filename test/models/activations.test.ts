/** Hidden-layer activations: shapes, the last hidden layer, and equality with a forward pass by hand. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { buildModel, lastHiddenLayer, layerActivations } from "../../src/models";
import type { ImageSet } from "../../src/data";
import { createRng } from "../../src/util/random";
import { UsageError } from "../../src/errors";

before(async () => {
  await initBackend({ log: null });
});

/** `count` random 28×28 "images" with random labels. */
function randomImages(count: number, seed: number): ImageSet {
  const rng = createRng(seed);
  const images = new Uint8Array(count * 784).map(() => (rng() < 0.2 ? Math.floor(rng() * 256) : 0));
  const labels = new Uint8Array(count).map(() => Math.floor(rng() * 10));
  return { images, labels, count, rows: 28, cols: 28 };
}

/** relu(x·W + b) in plain JavaScript, row-major. */
function denseRelu(x: Float64Array, n: number, inputs: number, kernel: ArrayLike<number>, bias: ArrayLike<number>, units: number): Float64Array {
  const out = new Float64Array(n * units);
  for (let i = 0; i < n; i++) {
    for (let u = 0; u < units; u++) {
      let z = bias[u];
      for (let j = 0; j < inputs; j++) z += x[i * inputs + j] * kernel[j * units + u];
      out[i * units + u] = Math.max(0, z);
    }
  }
  return out;
}

test("dense model: the last hidden layer's activations equal relu(relu(x·W1 + b1)·W2 + b2), in any batch size", () => {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ name: "hidden_a", units: 5, activation: "relu", inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 4 }) }),
      tf.layers.dropout({ name: "drop", rate: 0.5 }),
      tf.layers.dense({ name: "hidden_b", units: 3, activation: "relu", kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }), biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 5 }) }),
      tf.layers.dropout({ name: "drop_2", rate: 0.5 }),
      tf.layers.dense({ name: "out", units: 10, activation: "softmax", kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  assert.equal(lastHiddenLayer(model), "hidden_b", "dropout is skipped: it changes nothing at inference");
  const set = randomImages(7, 9);
  const tensorsBefore = tf.memory().numTensors;
  const acts = layerActivations(model, set, { batchSize: 3 });
  assert.equal(tf.memory().numTensors, tensorsBefore, "every tensor freed");
  assert.equal(acts.layer, "hidden_b");
  assert.equal(acts.className, "Dense");
  assert.equal(acts.count, 7);
  assert.equal(acts.width, 3);
  assert.equal(acts.values.length, 21);

  const x = Float64Array.from(set.images, (v) => v / 255);
  const [w1, b1] = model.getLayer("hidden_a").getWeights().map((w) => w.dataSync());
  const [w2, b2] = model.getLayer("hidden_b").getWeights().map((w) => w.dataSync());
  const expected = denseRelu(denseRelu(x, 7, 784, w1, b1, 5), 7, 5, w2, b2, 3);
  assert.ok(expected.some((v) => v > 0), "some unit is active (else the check would be empty)");
  acts.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `value ${i}: ${v} ≠ ${expected[i]}`));
  assert.deepEqual(Array.from(layerActivations(model, set, { batchSize: 100 }).values), Array.from(acts.values), "batching changes nothing");

  const first = layerActivations(model, set, { layer: "hidden_a" });
  assert.equal(first.width, 5);
  const expectedFirst = denseRelu(x, 7, 784, w1, b1, 5);
  first.values.forEach((v, i) => assert.ok(Math.abs(v - expectedFirst[i]) < 1e-5));
  model.dispose();
});

test("the built variants: dense-128-64 gives 64 values per image, the cnn 128 (and its conv maps flattened)", () => {
  const set = randomImages(4, 3);
  const dense = buildModel("dense-128-64", { seed: 1, dropout: 0.3 });
  assert.equal(lastHiddenLayer(dense), "dense_2");
  const d = layerActivations(dense, set);
  assert.deepEqual([d.count, d.width, d.values.length], [4, 64, 256]);
  assert.deepEqual(Array.from(layerActivations(dense, set).values), Array.from(d.values), "inference mode: dropout off, repeatable");
  dense.dispose();

  const cnn = buildModel("cnn", { seed: 1 });
  assert.equal(lastHiddenLayer(cnn), "dense_1");
  const c = layerActivations(cnn, set, { batchSize: 3 });
  assert.deepEqual([c.layer, c.width, c.values.length], ["dense_1", 128, 512]);
  const conv = layerActivations(cnn, set, { layer: "conv2d_1" });
  assert.equal(conv.className, "Conv2D");
  assert.equal(conv.width, 26 * 26 * 32);
  // The first conv layer applied directly to [n, 28, 28, 1] images, flattened per image.
  const xs = tf.tensor4d(Float32Array.from(set.images, (v) => v / 255), [4, 28, 28, 1]);
  const direct = tf.tidy(() => (cnn.getLayer("conv2d_1").apply(xs) as tf.Tensor).dataSync());
  xs.dispose();
  let worst = 0;
  direct.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - conv.values[i])); });
  assert.ok(worst < 1e-5, `conv activations differ by ${worst}`);
  cnn.dispose();
});

test("unknown layers, models without a hidden layer and whole datasets are usage errors", () => {
  const model = buildModel("dense-128", { seed: 1 });
  assert.throws(() => layerActivations(model, randomImages(2, 1), { layer: "nope" }),
    (e: unknown) => e instanceof UsageError && /no layer "nope"; its layers are dense_1, dense_2/.test(e.message));
  const set = randomImages(2, 1);
  assert.throws(() => layerActivations(model, { train: set, test: set } as never),
    (e: unknown) => e instanceof UsageError && /needs an ImageSet such as mnist.test, not the whole dataset/.test(e.message));
  model.dispose();
  const bare = tf.sequential({ layers: [tf.layers.dense({ units: 10, inputShape: [784], activation: "softmax" })] });
  assert.throws(() => lastHiddenLayer(bare), (e: unknown) => e instanceof UsageError && /no hidden layer/.test(e.message));
  bare.dispose();
});
