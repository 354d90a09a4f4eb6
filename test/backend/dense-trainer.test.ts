/**
 * DenseTrainer (several threads on a shared memory) must give exactly the weights of the
 * per-step path it replaces (fastTrainStep + FastAdam), whatever the number of threads,
 * and `train` must use it for plain dense stacks without changing results. With dropout
 * and L2 it must compute the gradients of the masked, penalized loss, still independent of
 * the number of threads.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { tf, initBackend } from "../../src/backend";
import { DenseTrainer, defaultTrainerThreads, type DenseLayerInit } from "../../src/backend/wasm-kernels/dense-trainer";
import { convolutionThreads, FastAdam } from "../../src/backend/wasm-kernels";
import { head, loadMnist, splitTrainValidation, type ImageSet } from "../../src/data";
import { evaluatePrepared } from "../../src/eval/evaluate";
import { buildModel } from "../../src/models/variants";
import { prepareSet } from "../../src/train/batches";
import { fastTrainStep } from "../../src/train/fast-step";
import { train } from "../../src/train";
import { REAL_DATA_DIR } from "../helpers/paths";

let images: ImageSet;
test.before(async () => {
  await initBackend({ backend: "wasm", log: null });
  images = head((await loadMnist({ dataDir: REAL_DATA_DIR, download: false })).train, 600);
});

function layersOf(model: tf.LayersModel): DenseLayerInit[] {
  return model.layers
    .filter((l) => l.getClassName() === "Dense")
    .map((l) => {
      const [kernel, bias] = l.getWeights() as [tf.Tensor2D, tf.Tensor1D];
      return { kernel: kernel.dataSync() as Float32Array, bias: bias.dataSync() as Float32Array, inputs: kernel.shape[0], units: kernel.shape[1] };
    });
}

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };

// 600 examples in batches of 32: 18 full batches and a last one of 24.
for (const spec of ["dense-128-64", "dense:7"]) {
  test(`DenseTrainer on 1, 2 and 3 threads matches fastTrainStep + FastAdam bit for bit (${spec})`, async () => {
    const set = prepareSet(images);
    const batch = 32;
    const model = buildModel(spec, { seed: 5 });
    const results: { weights: Float32Array[]; loss: number; correct: number }[] = [];
    for (const threads of [1, 2, 3]) {
      const trainer = await DenseTrainer.create({ layers: layersOf(model), maxBatch: batch, examples: set.count, adam: ADAM, threads });
      try {
        assert.equal(trainer.threads, threads);
        trainer.epochX.set(set.x);
        trainer.epochY.set(set.y);
        let loss = 0;
        let correct = 0;
        for (let start = 0; start < set.count; start += batch) {
          const r = trainer.step(start, Math.min(set.count, start + batch), 0.002);
          loss += r.lossSum;
          correct += r.correct;
        }
        results.push({ weights: trainer.read(), loss, correct });
      } finally {
        trainer.dispose();
      }
    }

    // The per-step path on the same model (its weights are still the initial ones).
    const optimizer = new FastAdam(0.002);
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < set.count; start += batch) {
      const end = Math.min(set.count, start + batch);
      const xs = tf.tensor2d(set.x.subarray(start * 784, end * 784), [end - start, 784]);
      const ys = tf.tensor1d(set.y.subarray(start, end), "int32");
      const r = fastTrainStep(model, optimizer, xs, ys);
      loss += r.loss.dataSync()[0] * (end - start);
      correct += r.correct.dataSync()[0];
      tf.dispose([xs, ys, r.loss, r.correct]);
    }
    const reference = model.getWeights().map((w) => w.dataSync() as Float32Array);
    optimizer.dispose();

    for (const [i, r] of results.entries()) {
      assert.equal(r.weights.length, reference.length);
      r.weights.forEach((w, k) => assert.deepEqual(w, reference[k], `threads ${i + 1}: weight ${k} differs from the per-step path`));
      assert.equal(r.correct, correct);
      assert.ok(Math.abs(r.loss - loss) / loss < 1e-5, `loss ${r.loss} vs ${loss}`);
    }
    assert.ok(results[0].weights[0].some((v, j) => v !== layersOf(buildModel(spec, { seed: 5 }))[0].kernel[j]), "training changed nothing");
  });
}

test("train() runs plain dense stacks on the DenseTrainer with the per-step path's results", async () => {
  const settings = { epochs: 2, seed: 9, batchSize: 50 };
  const threaded = buildModel("dense-128", { seed: 9 });
  const a = await train(threaded, images, settings, { verbose: 0, threads: 2 });
  const stepped = buildModel("dense-128", { seed: 9 });
  const b = await train(stepped, images, settings, { verbose: 0, step: fastTrainStep });
  assert.equal(a.threads, 2);
  assert.equal(b.threads, 1);
  const wa = threaded.getWeights().map((w) => w.dataSync());
  const wb = stepped.getWeights().map((w) => w.dataSync());
  wa.forEach((w, k) => assert.deepEqual(w, wb[k], `weight ${k}`));
  for (const [i, h] of a.history.entries()) {
    assert.equal(h.accuracy, b.history[i].accuracy);
    assert.equal(h.valAccuracy, b.history[i].valAccuracy);
    assert.ok(Math.abs(h.loss - b.history[i].loss) < 1e-5 * h.loss, `loss ${h.loss} vs ${b.history[i].loss}`);
    // The trainer validates on its own threads; the per-step path through the tfjs model.
    assert.ok(Math.abs(h.valLoss! - b.history[i].valLoss!) < 1e-5 * h.valLoss!, `val loss ${h.valLoss} vs ${b.history[i].valLoss}`);
  }
  // Dense stacks with dropout and L2 (the project recipes') run there too; the CNN does not.
  const regularizedModel = buildModel("dense-128", { seed: 9, dropout: 0.2, l2: 1e-4 });
  const regularized = await train(regularizedModel, images, { epochs: 1, seed: 9 }, { verbose: 0, threads: 2 });
  assert.equal(regularized.threads, 2);
  // Its validation loss includes the L2 penalty, as evaluation (and Keras) report it.
  const validation = prepareSet(images, splitTrainValidation(images.count, { seed: 9 }).validation);
  const evaluated = evaluatePrepared(regularizedModel, validation);
  assert.ok(Math.abs(regularized.history[0].valLoss! - evaluated.loss) < 1e-5 * evaluated.loss, `${regularized.history[0].valLoss} vs ${evaluated.loss}`);
  assert.equal(regularized.history[0].valAccuracy, evaluated.accuracy);
  // The CNN steps through the tfjs model: its threads are the convolutions' (conv-threads.ts), not the trainer's.
  const cnn = await train(buildModel("cnn", { seed: 9 }), head(images, 64), { epochs: 1, seed: 9 }, { verbose: 0 });
  assert.equal(cnn.threads, await convolutionThreads());
});

/** The trainer's dropout mask, re-implemented from its description: a hash of seed, step, layer, row and unit. */
function mix32(x: number): number {
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}
function dropoutMask(rows: number, units: number, keep: number, seed: number, step: number, layer: number): Float32Array {
  const base = mix32((seed ^ mix32((step ^ mix32((layer + 0x9e3779b9) >>> 0)) >>> 0)) >>> 0);
  const mask = new Float32Array(rows * units);
  for (let i = 0; i < rows; i++) {
    const rowBase = mix32((base ^ i) >>> 0);
    for (let j = 0; j < units; j++) {
      const u = Math.fround((mix32((rowBase ^ Math.imul(j, 0x85ebca6b)) >>> 0) >>> 8) / 16777216);
      mask[i * units + j] = u < keep ? 1 : 0;
    }
  }
  return mask;
}

test("DenseTrainer's dropout and L2: same weights on 1, 2 and 3 threads, and the gradients of the masked, penalized loss", async () => {
  const set = prepareSet(images);
  const batch = 40;
  const steps = 3;
  const rate = 0.3;
  const l2 = [0.01, 0.02];
  const seed = 77;
  const model = buildModel("dense:16", { seed: 5 });
  const layers = layersOf(model).map((l, i) => ({ ...l, dropout: i === 0 ? rate : 0, l2: l2[i] }));
  // A huge Adam ε makes each update ≈ −lr·g/ε: linear in the gradient, so the weights compare gradients.
  const adam = { beta1: 0.9, beta2: 0.999, epsilon: 1e3 };
  const lr = 1000;
  const runs: { weights: Float32Array[]; losses: number[] }[] = [];
  for (const threads of [1, 2, 3]) {
    const trainer = await DenseTrainer.create({ layers, maxBatch: batch, examples: set.count, adam, threads, seed });
    try {
      trainer.epochX.set(set.x);
      trainer.epochY.set(set.y);
      const losses = [];
      for (let k = 0; k < steps; k++) losses.push(trainer.step(k * batch, (k + 1) * batch, lr).lossSum / batch);
      runs.push({ weights: trainer.read(), losses });
    } finally {
      trainer.dispose();
    }
  }
  runs.slice(1).forEach((r, i) => r.weights.forEach((w, k) => assert.deepEqual(w, runs[0].weights[k], `threads ${i + 2}: weight ${k}`)));

  // Reference: the same steps through the gradient tape, with the masks drawn as documented.
  const vars = layers.flatMap((l) => [tf.variable(tf.tensor2d(l.kernel, [l.inputs, l.units])), tf.variable(tf.tensor1d(l.bias))]);
  const optimizer = tf.train.adam(lr, adam.beta1, adam.beta2, adam.epsilon);
  let dropped = 0;
  for (let k = 0; k < steps; k++) {
    const xs = tf.tensor2d(set.x.subarray(k * batch * 784, (k + 1) * batch * 784), [batch, 784]);
    const ys = tf.tensor1d(set.y.subarray(k * batch, (k + 1) * batch), "int32");
    const mask = dropoutMask(batch, 16, Math.fround(1 - rate), seed, k, 0);
    dropped += mask.filter((m) => m === 0).length;
    const maskT = tf.tensor2d(mask, [batch, 16]);
    const loss = optimizer.minimize(() => {
      const hidden = tf.div(tf.mul(tf.relu(tf.add(tf.matMul(xs, vars[0]), vars[1])), maskT), Math.fround(1 - rate));
      const logits = tf.add(tf.matMul(hidden, vars[2]), vars[3]) as tf.Tensor2D;
      const data = tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(ys, 10)), 1)));
      return tf.addN([data, tf.mul(l2[0], tf.sum(tf.square(vars[0]))), tf.mul(l2[1], tf.sum(tf.square(vars[2])))]) as tf.Scalar;
    }, true) as tf.Scalar;
    const expected = loss.dataSync()[0];
    assert.ok(Math.abs(runs[0].losses[k] - expected) < 1e-5 * expected, `step ${k}: loss ${runs[0].losses[k]} vs ${expected}`);
    tf.dispose([xs, ys, maskT, loss]);
  }
  const share = dropped / (steps * batch * 16);
  assert.ok(Math.abs(share - rate) < 0.06, `dropped ${share} of the units, not about ${rate}`);
  vars.forEach((v, k) => {
    const initial = k % 2 === 0 ? layers[k >> 1].kernel : layers[k >> 1].bias;
    const want = Array.from(v.dataSync(), (x, j) => x - initial[j]);
    const got = Array.from(runs[0].weights[k], (x, j) => x - initial[j]);
    const scale = Math.max(...want.map(Math.abs));
    assert.ok(scale > 0, `variable ${k} did not move`);
    const err = Math.max(...got.map((g, j) => Math.abs(g - want[j])));
    assert.ok(err < 1e-3 * scale, `variable ${k}: updates differ by ${err.toExponential(2)} (largest update ${scale.toExponential(2)})`);
  });
  tf.dispose(vars);
  optimizer.dispose();
});

test("DenseTrainer rejects layers that do not fit together, batches outside its buffer and bad DIGIT_LAB_THREADS", async () => {
  const ok: DenseLayerInit = { kernel: new Float32Array(4 * 3), bias: new Float32Array(3), inputs: 4, units: 3 };
  const base = { maxBatch: 2, examples: 4, adam: ADAM, threads: 1 };
  await assert.rejects(DenseTrainer.create({ ...base, layers: [{ ...ok, bias: new Float32Array(2) }] }), /layer 0: kernel or bias size does not match 4×3/);
  await assert.rejects(DenseTrainer.create({ ...base, layers: [ok, { ...ok }] }), /layer 1 takes 4 inputs but layer 0 gives 3/);
  const trainer = await DenseTrainer.create({ ...base, layers: [ok] });
  assert.throws(() => trainer.step(0, 3, 0.001), /batch \[0, 3\) is outside the epoch buffer or larger than 2/);
  assert.throws(() => trainer.step(3, 5, 0.001), /outside the epoch buffer/);
  trainer.dispose();
  assert.throws(() => trainer.step(0, 1, 0.001), /disposed/);

  const saved = process.env.DIGIT_LAB_THREADS;
  try {
    process.env.DIGIT_LAB_THREADS = "two";
    assert.throws(() => defaultTrainerThreads(), /DIGIT_LAB_THREADS must be a whole number from 1 to 64, got "two"/);
    process.env.DIGIT_LAB_THREADS = "3";
    assert.equal(defaultTrainerThreads(), 3);
  } finally {
    if (saved === undefined) delete process.env.DIGIT_LAB_THREADS;
    else process.env.DIGIT_LAB_THREADS = saved;
  }
});
