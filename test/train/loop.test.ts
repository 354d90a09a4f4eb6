/**
 * The training loop on a 2,000-image slice of real MNIST: determinism, stopping from code,
 * early stopping with restored weights, learning-rate schedules, no tensor leaks.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { head, loadMnist, splitTrainValidation, subset, type ImageSet } from "../../src/data";
import { evaluate } from "../../src/eval";
import { buildModel } from "../../src/models";
import { describeSchedule, lineReporter, PlateauReducer, scheduledLearningRate, StopHandle, train, trainStep, type TrainOptions, type TrainStep } from "../../src/train";
import type { EpochLog } from "../../src/types";
import { REAL_DATA_DIR } from "../helpers/paths";

let slice: ImageSet;
before(async () => {
  await initBackend({ log: null });
  const data = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  slice = head(data.train, 2000);
});

const quiet: TrainOptions = { verbose: 0 };
const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

async function oneEpoch(seed: number, trainSeed = seed, dropout = 0.2) {
  const model = buildModel("dense-128-64", { seed, dropout });
  const result = await train(model, slice, { epochs: 1, seed: trainSeed }, quiet);
  const weights = weightsOf(model);
  model.dispose();
  return { weights, history: result.history };
}

test("same seed → identical weights and history after an epoch; another seed → different", async () => {
  const a = await oneEpoch(11);
  const b = await oneEpoch(11);
  assert.deepEqual(b.weights, a.weights);
  assert.deepEqual(b.history.map(({ seconds, ...rest }) => rest), a.history.map(({ seconds, ...rest }) => rest));
  // Same initial weights, different shuffles / dropout masks / split.
  const c = await oneEpoch(11, 12);
  assert.notDeepEqual(c.weights, a.weights);
  const d = await oneEpoch(13);
  assert.notDeepEqual(d.weights, a.weights);
  // Learning happened and was logged as Keras would.
  // Without dropout the default fused step runs (on wasm): just as reproducible.
  const e = await oneEpoch(11, 11, 0);
  const f = await oneEpoch(11, 11, 0);
  assert.deepEqual(f.weights, e.weights);
  assert.notDeepEqual(e.weights, a.weights);
  const log = a.history[0];
  assert.equal(log.epoch, 1);
  assert.ok(log.loss > 0 && log.accuracy > 0.5 && log.valAccuracy! > 0.7, JSON.stringify(log));
  assert.equal(log.learningRate, 0.001);
});

test("no tensors leak across epochs or after training", async () => {
  const model = buildModel("dense-128-64", { seed: 1, dropout: 0.2, l2: 1e-4 });
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await train(model, slice, { epochs: 3, seed: 1 }, { ...quiet, onEpochEnd: () => void counts.push(tf.memory().numTensors) });
  assert.equal(counts.length, 3);
  assert.equal(counts[2], counts[1], `tensor counts per epoch: ${counts}`);
  assert.equal(counts[1], counts[0], `tensor counts per epoch: ${counts}`);
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
});

test("stop from code: a StopHandle or an AbortSignal ends training after the current batch", async () => {
  const model = buildModel("dense-128", { seed: 2 });
  const handle = new StopHandle();
  let batchCalls = 0;
  const stopped = await train(model, slice, { epochs: 5, seed: 2 }, {
    ...quiet,
    signal: handle,
    batchEndIntervalMs: 0,
    onBatchEnd: () => {
      batchCalls++;
      handle.stop();
    },
  });
  assert.equal(batchCalls, 1);
  assert.equal(stopped.stopReason, "stopped");
  assert.deepEqual(stopped.history, []);

  const controller = new AbortController();
  const afterOne = await train(model, slice, { epochs: 5, seed: 2 }, { ...quiet, signal: controller.signal, onEpochEnd: () => controller.abort() });
  assert.equal(afterOne.history.length, 1);
  assert.equal(afterOne.stopReason, "stopped");

  // Aborted from a timer while batches run: the loop must yield to the event loop to notice.
  const timer = new AbortController();
  setTimeout(() => timer.abort(), 300);
  const timed = await train(model, slice, { epochs: 500, seed: 2 }, { ...quiet, signal: timer.signal });
  assert.equal(timed.stopReason, "stopped");
  assert.ok(timed.history.length < 500);
  model.dispose();
});

test("training a model again says it goes on from the earlier run's weights", async () => {
  const model = buildModel("dense-128", { seed: 6 });
  const begins: (number | undefined)[] = [];
  const lines: string[] = [];
  const reporter = lineReporter((line) => lines.push(line));
  const options: TrainOptions = { reporter: { ...reporter, onTrainBegin: (info) => (begins.push(info.earlierEpochs), reporter.onTrainBegin!(info)) } };
  await train(model, head(slice, 500), { epochs: 2, seed: 6 }, options);
  assert.equal(lines.filter((l) => l.startsWith("continuing")).length, 0, "a fresh model says nothing");
  await train(model, head(slice, 500), { epochs: 1, seed: 6 }, options);
  assert.deepEqual(begins, [undefined, 2]);
  assert.ok(lines.includes("continuing from the weights of 2 epochs of earlier training (history below starts again at epoch 1); build the model again to start over"), lines.join("\n"));

  // A run stopped inside its first epoch still changed the weights; a fresh model of the same spec did not.
  const stoppedFirst = buildModel("dense-128", { seed: 6 });
  const handle = new StopHandle();
  // (With onStop "as-is": by default a stopped run puts back the weights it started with, test/train/stop-weights.test.ts.)
  await train(stoppedFirst, head(slice, 500), { epochs: 1, seed: 6 }, { ...quiet, signal: handle, batchEndIntervalMs: 0, onBatchEnd: () => handle.stop(), onStop: "as-is" });
  await train(stoppedFirst, head(slice, 500), { epochs: 1, seed: 6 }, options);
  assert.equal(begins[2], 0);
  assert.match(lines.join("\n"), /continuing from the weights of an earlier, stopped run/);
  const fresh = buildModel("dense-128", { seed: 6 });
  await train(fresh, head(slice, 500), { epochs: 1, seed: 6 }, options);
  assert.equal(begins[3], undefined);
  for (const m of [model, stoppedFirst, fresh]) m.dispose();
});

test("a loss that becomes NaN stops training after that epoch, and the note says it diverged", async () => {
  const model = buildModel("dense-128", { seed: 5 });
  const notes: (string | undefined)[] = [];
  const result = await train(model, slice, { epochs: 4, seed: 5, learningRate: 1e30 }, {
    ...quiet, reporter: { onTrainEnd: (_history, note) => void notes.push(note) },
  });
  model.dispose();
  assert.equal(result.stopReason, "diverged");
  assert.equal(result.history.length, 1);
  assert.ok(!Number.isFinite(result.history[0].loss), `loss ${result.history[0].loss}`);
  assert.match(notes[0] ?? "", /training diverged: the loss of epoch 1 is NaN, so it stopped there; try a smaller learning rate/);
});

test("a learning rate that is not a positive number is refused before anything runs", async () => {
  const model = buildModel("dense-128", { seed: 5 });
  const tensors = tf.memory().numTensors;
  for (const [learningRate, shown] of [[NaN, "NaN"], [-0.01, "-0.01"], [0, "0"], [Infinity, "Infinity"], ["0.01", '"0.01"']] as const) {
    const begun: number[] = [];
    await assert.rejects(
      train(model, slice, { epochs: 1, learningRate: learningRate as number }, { ...quiet, reporter: { onTrainBegin: () => void begun.push(1) } }),
      { name: "RangeError", message: `learningRate must be a positive number, got ${shown}` },
    );
    assert.equal(begun.length, 0, `no epoch started with learningRate ${shown}`);
  }
  assert.equal(tf.memory().numTensors, tensors);
  model.dispose();
});

test("early stopping stops after `patience` epochs without improvement and restores the best weights", async () => {
  const model = buildModel("dense-128", { seed: 3 });
  const snapshots: number[][][] = [];
  // A minDelta no epoch can beat makes epoch 1 the best, deterministically.
  const result = await train(
    model,
    slice,
    { epochs: 10, seed: 3, earlyStopping: { monitor: "valLoss", patience: 2, minDelta: 100 } },
    { ...quiet, onEpochEnd: () => void snapshots.push(weightsOf(model)) },
  );
  assert.equal(result.stopReason, "early-stopping");
  assert.equal(result.history.length, 3);
  assert.equal(result.bestEpoch, 1);
  assert.equal(result.restoredBestWeights, true);
  assert.equal(result.restoredEpoch, 1, "restoredEpoch names the epoch put back");
  assert.deepEqual(weightsOf(model), snapshots[0]);
  assert.notDeepEqual(weightsOf(model), snapshots[2]);

  // With real improvement allowed, the best epoch by val loss is the one restored.
  const model2 = buildModel("dense-128", { seed: 3 });
  const logs: EpochLog[] = [];
  const snaps: number[][][] = [];
  const r2 = await train(
    model2,
    slice,
    { epochs: 4, seed: 3, learningRate: 0.01, earlyStopping: { patience: 10 } },
    { ...quiet, onEpochEnd: (l) => void (logs.push(l), snaps.push(weightsOf(model2))) },
  );
  const bestIndex = logs.reduce((b, l, i) => (l.valLoss! < logs[b].valLoss! ? i : b), 0);
  assert.equal(r2.bestEpoch, bestIndex + 1);
  assert.deepEqual(weightsOf(model2), snaps[bestIndex]);
  model.dispose();
  model2.dispose();
});

test("learning-rate schedules set the rate per epoch and it is logged", async () => {
  const model = buildModel("dense-128", { seed: 4 });
  const step = await train(model, head(slice, 500), { epochs: 4, seed: 4, learningRate: 0.002, lrSchedule: { type: "step", every: 2, factor: 0.5 } }, quiet);
  assert.deepEqual(step.history.map((h) => h.learningRate), [0.002, 0.002, 0.001, 0.001]);
  const cosine = await train(model, head(slice, 300), { epochs: 3, seed: 4, learningRate: 0.001, lrSchedule: { type: "cosine", minLearningRate: 0.0001 } }, quiet);
  assert.deepEqual(cosine.history.map((h) => h.learningRate), [0.001, 0.00055, 0.0001]);
  model.dispose();
});

test("the CNN trains through the same loop with image-shaped batches", async () => {
  const model = buildModel("cnn", { seed: 5 });
  const result = await train(model, head(slice, 256), { epochs: 1, seed: 5, batchSize: 64 }, quiet);
  assert.equal(result.history.length, 1);
  assert.ok(Number.isFinite(result.history[0].loss));
  model.dispose();
});

test("schedule math: step, exponential, cosine; plateau reduces after `patience` epochs without improvement", () => {
  assert.equal(scheduledLearningRate(undefined, 0.01, 7, 10), 0.01);
  assert.equal(scheduledLearningRate({ type: "step", every: 3, factor: 0.1 }, 1, 4, 10), 0.1);
  assert.ok(Math.abs(scheduledLearningRate({ type: "exponential", decay: 0.5 }, 1, 3, 10) - 0.25) < 1e-12);
  assert.equal(scheduledLearningRate({ type: "exponential", decay: 0.5, minLearningRate: 0.3 }, 1, 3, 10), 0.3);
  assert.equal(scheduledLearningRate({ type: "cosine" }, 1, 10, 10), 0);
  const reducer = new PlateauReducer({ type: "plateau", patience: 2, factor: 0.5, minLearningRate: 0.2 }, 1);
  // values: improve, improve, worse, worse (→ 0.5), worse, worse (→ 0.25), worse, worse (→ floor 0.2)
  const rates = [3, 2, 2.5, 2.1, 2.2, 2.3, 5, 6].map((v) => reducer.update(v));
  assert.deepEqual(rates, [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.2]);
  // With minDelta 0.05, a gain of 0.03 is no improvement (Keras' min_delta): 2.97 and 2.95 wait, 2.9 improves.
  const strict = new PlateauReducer({ type: "plateau", patience: 2, factor: 0.5, minDelta: 0.05 }, 1);
  assert.deepEqual([3, 2.97, 2.95, 2.9].map((v) => strict.update(v)), [1, 1, 0.5, 0.5]);
  assert.equal(describeSchedule({ type: "step", every: 1, factor: 0.5 }), "×0.5 every 1 epoch");
  assert.equal(describeSchedule({ type: "plateau", patience: 3, factor: 0.2 }), "×0.2 after 3 epochs without improvement");
});

test("the per-batch step can be swapped per call and dropout seeds are put back", async () => {
  const model = buildModel("dense-128-64", { seed: 6, dropout: 0.2 });
  const seedsBefore = model.layers.filter((l) => l.getClassName() === "Dropout").map((l) => (l.getConfig() as { seed?: number }).seed);
  let calls = 0;
  const counting: TrainStep = (m, o, xs, ys) => {
    calls++;
    return trainStep(m, o, xs, ys);
  };
  await train(model, head(slice, 320), { epochs: 1, seed: 6, batchSize: 32, validationSplit: 0 }, { ...quiet, step: counting });
  assert.equal(calls, 10);
  await train(model, head(slice, 320), { epochs: 1, seed: 6, batchSize: 64, validationSplit: 0 }, { ...quiet, step: counting });
  assert.equal(calls, 15);
  const seedsAfter = model.layers.filter((l) => l.getClassName() === "Dropout").map((l) => (l.getConfig() as { seed?: number }).seed);
  assert.deepEqual(seedsAfter, seedsBefore);
  model.dispose();
});

test("validationFrom \"end\" holds out the last examples, unshuffled, as Keras' validation_split", async () => {
  // Keras: split_at = int(n · (1 − split)); train on x[:split_at], validate on x[split_at:].
  const keras = splitTrainValidation(1003, { validationFraction: 0.2, from: "end" });
  assert.equal(keras.train.length, Math.floor(1003 * 0.8));
  assert.deepEqual(Array.from(keras.train), Array.from({ length: 802 }, (_, i) => i));
  assert.deepEqual(Array.from(keras.validation), Array.from({ length: 201 }, (_, i) => 802 + i));
  assert.throws(() => splitTrainValidation(10, { from: "middle" as never }), /"random" or "end"/);

  // train() validates on exactly those examples: its last val loss is the tail's loss under the final weights.
  const model = buildModel("dense-128", { seed: 4 });
  const result = await train(model, slice, { epochs: 1, seed: 4, validationFrom: "end" }, quiet);
  assert.equal(result.validationCount, 400);
  const tail = subset(slice, Int32Array.from({ length: 400 }, (_, i) => 1600 + i));
  const onTail = await evaluate(model, tail);
  assert.ok(Math.abs(result.history[0].valLoss! - onTail.loss) < 1e-5, `${result.history[0].valLoss} ≠ ${onTail.loss}`);
  assert.equal(result.history[0].valAccuracy, onTail.accuracy);
  model.dispose();
});
