/**
 * softmaxLogits: the logits under a model's Dense softmax output, which the loss is taken
 * from (as Keras does). Their softmax must be exactly what the model outputs, and
 * evaluation's loss must be the cross-entropy of those logits, unclipped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { buildModel } from "../../src/models";
import { softmaxLogits } from "../../src/models/logits";
import { evaluatePrepared } from "../../src/eval/evaluate";
import { createRng } from "../../src/util/random";

function pixels(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n * 784 }, () => (rng() < 0.6 ? 0 : rng()));
}

for (const backend of ["wasm", "cpu"] as const) {
  test(`softmax of the logits is the model's output bit for bit, dense and CNN (${backend})`, async () => {
    await initBackend({ backend, log: null });
    await tf.setBackend(backend);
    for (const spec of ["dense-128-64", "dense:16", "cnn"]) {
      const model = buildModel(spec, { seed: 5, dropout: spec === "cnn" ? 0.25 : 0 });
      const shape = spec === "cnn" ? [6, 28, 28, 1] : [6, 784];
      const xs = tf.tensor(pixels(6, 1), shape);
      const logits = softmaxLogits(model, xs, false);
      assert.ok(logits, `${spec}: no logits`);
      assert.deepEqual(logits.shape, [6, 10]);
      const fromLogits = tf.softmax(logits).dataSync();
      const output = (model.predict(xs) as tf.Tensor).dataSync();
      assert.deepEqual(Array.from(fromLogits), Array.from(output), `${spec}: softmax(logits) differs from the model's output`);
      tf.dispose([xs, logits]);
      model.dispose(); // the layers the logits share dispose once, with the model
    }
  });
}

test("a model without a Dense softmax output has no logits (the loss then uses its probabilities)", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  const linear = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 10 })] });
  const separate = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [784], units: 10 }), tf.layers.activation({ activation: "softmax" })],
  });
  const xs = tf.tensor(pixels(2, 2), [2, 784]);
  assert.equal(softmaxLogits(linear, xs, false), undefined);
  assert.equal(softmaxLogits(separate, xs, false), undefined);
  tf.dispose(xs);
  linear.dispose();
  separate.dispose();
});

test("evaluation's loss is the cross-entropy of the logits, not capped by a clip", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  const model = buildModel("dense:7", { seed: 3 });
  const [w0, b0, w1, b1] = model.getWeights(); // the variables' own tensors
  const sharp = tf.mul(w1, 60);
  model.setWeights([w0, b0, sharp, b1]);
  const n = 40;
  const x = pixels(n, 9);
  const rng = createRng(4);
  const y = Int32Array.from({ length: n }, () => Math.floor(rng() * 10));
  const xs = tf.tensor2d(x, [n, 784]);
  const z = softmaxLogits(model, xs, false)!.arraySync() as number[][];
  let expected = 0;
  let capped = 0;
  z.forEach((row, i) => {
    const max = Math.max(...row);
    const rowLoss = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - (row[y[i]] - max);
    expected += rowLoss / n;
    if (rowLoss > -Math.log(1e-7)) capped++;
  });
  assert.ok(capped >= 2, `only ${capped} rows beyond the clip: the test would not tell a clipped loss apart`);
  const result = evaluatePrepared(model, { x, y, count: n, size: 784 }, 16);
  assert.ok(Math.abs(result.loss - expected) < 1e-5 * expected, `loss ${result.loss} ≠ ${expected}`);
  tf.dispose([sharp, xs]);
  model.dispose();
});
