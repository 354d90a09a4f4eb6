/**
 * fastTrainStep (one fused kernel for a dense net's forward pass, loss and gradients)
 * must hand the optimizer the gradients the reference step computes, report the same loss
 * and correct count, and leave every other model to the reference step.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { tf, initBackend } from "../../src/backend";
import { fastTrainStep } from "../../src/train/fast-step";
import { DENSE_GRADS_KERNEL } from "../../src/backend/wasm-kernels/dense-grads";
import { buildModel } from "../../src/models/variants";
import { softmaxLogits } from "../../src/models/logits";
import { trainStep, type TrainStep } from "../../src/train/step";
import { createRng } from "../../src/util/random";
import { relativeError } from "../helpers/numeric";

/** An optimizer that records the gradients it is given instead of applying them. */
class RecordingOptimizer extends tf.SGDOptimizer {
  grads: Record<string, Float32Array> = {};
  constructor() {
    super(0.1);
  }
  override applyGradients(variableGradients: Parameters<tf.SGDOptimizer["applyGradients"]>[0]): void {
    const list = Array.isArray(variableGradients) ? variableGradients : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor } of list) this.grads[name] = tensor.dataSync() as Float32Array;
  }
}

function batch(n: number, size: number, seed: number) {
  const rng = createRng(seed);
  const xs = tf.tensor2d(Float32Array.from({ length: n * size }, () => (rng() < 0.6 ? 0 : rng())), [n, size]);
  const ys = tf.tensor1d(Int32Array.from({ length: n }, () => Math.floor(rng() * 10)), "int32");
  return { xs, ys };
}

async function runStep(step: TrainStep, model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor1D) {
  const optimizer = new RecordingOptimizer();
  const profile = await tf.profile(() => {
    const r = step(model, optimizer, xs, ys);
    tf.keep(r.loss);
    tf.keep(r.correct);
    optimizer.grads.__loss = r.loss.dataSync() as Float32Array;
    optimizer.grads.__correct = r.correct.dataSync() as Float32Array;
    tf.dispose([r.loss, r.correct]);
  });
  return { grads: optimizer.grads, kernels: new Set(profile.kernelNames) };
}


for (const spec of ["dense-128-64", "dense-256-128-32", "dense:7"]) {
  test(`fastTrainStep gives the reference step's loss, correct count and gradients (${spec})`, async () => {
    await initBackend({ backend: "wasm", log: null });
    await tf.setBackend("wasm");
    const model = buildModel(spec, { seed: 3 });
    for (const n of [32, 5]) {
      const { xs, ys } = batch(n, 784, n);
      const fast = await runStep(fastTrainStep, model, xs, ys);
      const reference = await runStep(trainStep, model, xs, ys);
      assert.ok(fast.kernels.has(DENSE_GRADS_KERNEL), "the fused kernel did not run");
      assert.ok(!reference.kernels.has(DENSE_GRADS_KERNEL));
      assert.deepEqual(Object.keys(fast.grads).sort(), Object.keys(reference.grads).sort());
      assert.equal(fast.grads.__correct[0], reference.grads.__correct[0]);
      for (const name of Object.keys(reference.grads)) {
        const err = relativeError(fast.grads[name], reference.grads[name]);
        assert.ok(err < 2e-5, `${spec} batch ${n}: ${name} differs by ${err.toExponential(2)} (relative)`);
      }
      tf.dispose([xs, ys]);
    }
    model.dispose();
  });
}

test("fastTrainStep leaves models it does not cover to the reference step", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  for (const [spec, options] of [["dense-128", { dropout: 0.2 }], ["dense-128", { l2: 1e-4 }], ["cnn", {}]] as const) {
    const model = buildModel(spec, options);
    const image = spec === "cnn";
    const { xs: flat, ys } = batch(8, 784, 1);
    const xs = image ? flat.reshape([8, 28, 28, 1]) : flat;
    const run = await runStep(fastTrainStep, model, xs, ys);
    assert.ok(!run.kernels.has(DENSE_GRADS_KERNEL), `${spec} ${JSON.stringify(options)} took the fused path`);
    assert.ok(Object.keys(run.grads).length > 2);
    tf.dispose([flat, xs, ys]);
    model.dispose();
  }
});

test("the loss comes from the logits, as Keras takes it: confidently wrong examples keep their loss and gradient", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  const model = buildModel("dense:7", { seed: 3 });
  // Sharpen the output layer so some rows are confidently wrong (p[label] far below 1e-7).
  const [w0, b0, w1, b1] = model.getWeights(); // the variables' own tensors: not ours to dispose
  const sharp = tf.mul(w1, 60);
  model.setWeights([w0, b0, sharp, b1]);
  const n = 16;
  const { xs, ys } = batch(n, 784, 11);
  const z = tf.tidy(() => softmaxLogits(model, xs, false)!.arraySync() as number[][]);
  const labels = ys.arraySync() as number[];
  // Expected: mean of log Σ exp(z) − z_y, and the last bias' gradient mean(p − onehot), in float64.
  let expectedLoss = 0;
  const expectedBiasGrad = new Float64Array(10);
  let confidentlyWrong = 0;
  z.forEach((row, i) => {
    const max = Math.max(...row);
    const sum = row.reduce((s, v) => s + Math.exp(v - max), 0);
    expectedLoss += (Math.log(sum) - (row[labels[i]] - max)) / n;
    row.forEach((v, j) => (expectedBiasGrad[j] += (Math.exp(v - max) / sum - (j === labels[i] ? 1 : 0)) / n));
    if (row[labels[i]] - max < Math.log(1e-7)) confidentlyWrong++;
  });
  assert.ok(confidentlyWrong >= 2, `only ${confidentlyWrong} confidently wrong rows: the test would not tell a clipped loss apart`);
  const biasName = (model.layers[model.layers.length - 1].weights[1].read() as tf.Variable).name;
  for (const step of [fastTrainStep, trainStep]) {
    const { grads } = await runStep(step, model, xs, ys);
    assert.ok(Math.abs(grads.__loss[0] - expectedLoss) < 1e-4 * expectedLoss, `loss ${grads.__loss[0]} ≠ ${expectedLoss}`);
    assert.ok(relativeError(grads[biasName], expectedBiasGrad) < 1e-5, `bias gradient ${Array.from(grads[biasName])} ≠ ${Array.from(expectedBiasGrad)}`);
  }
  tf.dispose([sharp, xs, ys]);
  model.dispose();
});
