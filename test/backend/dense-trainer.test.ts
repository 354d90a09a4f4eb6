/**
 * DenseTrainer (several threads on a shared memory) must give exactly the weights of the
 * per-step path it replaces (fastTrainStep + FastAdam), whatever the number of threads,
 * and `train` must use it for plain dense stacks without changing results.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { tf, initBackend } from "../../src/backend";
import { DenseTrainer, defaultTrainerThreads, type DenseLayerInit } from "../../src/backend/wasm-kernels/dense-trainer";
import { FastAdam } from "../../src/backend/wasm-kernels";
import { head, loadMnist, type ImageSet } from "../../src/data";
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
  // Models with dropout (or on other paths) still step through TrainSteps.
  const dropout = await train(buildModel("dense-128", { seed: 9, dropout: 0.2 }), images, { epochs: 1, seed: 9 }, { verbose: 0 });
  assert.equal(dropout.threads, 1);
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
