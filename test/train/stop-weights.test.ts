/**
 * A stopped run (StopHandle, Kernel → Interrupt) ends with the weights of its last finished
 * epoch, bit for bit those of a run of that many epochs, so the model matches the history it
 * returns; stopped inside the first epoch it keeps the weights it started with. Both paths: the
 * threaded DenseTrainer (dense stacks on wasm by default) and the per-batch TrainStep.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { head, loadMnist, type ImageSet } from "../../src/data";
import { buildModel } from "../../src/models";
import { StopHandle, train, trainStep, type TrainOptions, type TrainSettings } from "../../src/train";
import { REAL_DATA_DIR } from "../helpers/paths";

let slice: ImageSet;
before(async () => {
  await initBackend({ log: null });
  const data = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  slice = head(data.train, 800);
});

const weightsOf = (model: tf.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

// Default options: the DenseTrainer; `step` forces the per-batch path.
const PATHS: [string, TrainOptions][] = [["DenseTrainer", {}], ["per-batch step", { step: trainStep }]];
const SPEC = "dense:32";
const SEED = 3;

/** Trains a fresh model; `stopIn` stops it from onBatchEnd at batch 3 of that epoch. */
async function run(settings: TrainSettings, options: TrainOptions, stopIn?: number) {
  const model = buildModel(SPEC, { seed: SEED });
  const handle = new StopHandle();
  let stoppedAt: number | undefined;
  const result = await train(model, slice, settings, {
    verbose: 0, ...options, signal: handle, batchEndIntervalMs: 0,
    onBatchEnd: (info) => {
      if (info.epoch === stopIn && info.batch === 3) {
        stoppedAt = info.epoch;
        handle.stop();
      }
    },
  });
  const weights = weightsOf(model);
  model.dispose();
  return { result, weights, stoppedAt };
}

for (const [name, options] of PATHS) {
  test(`${name}: stopped inside epoch 3, the model holds epoch 2's weights, as a 2-epoch run's`, async () => {
    const full = await run({ epochs: 2, seed: SEED }, options);
    const stopped = await run({ epochs: 6, seed: SEED }, options, 3);
    assert.equal(stopped.stoppedAt, 3, "the stop came inside epoch 3");
    assert.equal(stopped.result.stopReason, "stopped");
    assert.deepEqual(stopped.result.history.map((h) => h.epoch), [1, 2]);
    assert.deepEqual(stopped.result.history.map((h) => h.loss), full.result.history.map((h) => h.loss));
    assert.deepEqual(stopped.weights, full.weights, "bit-identical to the 2-epoch run");

    // The old behaviour, kept as an option: the weights of the last batch that ran differ.
    const asIs = await run({ epochs: 6, seed: SEED }, { ...options, onStop: "as-is" }, 3);
    assert.equal(asIs.result.history.length, 2);
    assert.notDeepEqual(asIs.weights, full.weights, "as-is keeps the partial epoch's steps");
  });

  test(`${name}: stopped inside the first epoch, the model holds the weights it started with`, async () => {
    const initial = buildModel(SPEC, { seed: SEED });
    const start = weightsOf(initial);
    initial.dispose();
    const stopped = await run({ epochs: 3, seed: SEED }, options, 1);
    assert.equal(stopped.stoppedAt, 1);
    assert.deepEqual(stopped.result.history, []);
    assert.deepEqual(stopped.weights, start);
    const asIs = await run({ epochs: 3, seed: SEED }, { ...options, onStop: "as-is" }, 1);
    assert.notDeepEqual(asIs.weights, start);
  });

  test(`${name}: with early stopping that restores the best weights, a stop ends as a normal end after that epoch`, async () => {
    // A patience no run reaches: the best epoch is put back at the end if it is not the last.
    const settings = (epochs: number): TrainSettings => ({ epochs, seed: SEED, learningRate: 0.01, earlyStopping: { patience: 50 } });
    const full = await run(settings(3), options);
    assert.equal(full.result.restoredBestWeights, true, "the 3-epoch run puts back an earlier epoch (else this tests nothing)");
    const stopped = await run(settings(8), options, 4);
    assert.equal(stopped.result.history.length, 3);
    assert.equal(stopped.result.bestEpoch, full.result.bestEpoch);
    assert.equal(stopped.result.restoredBestWeights, full.result.restoredBestWeights);
    assert.deepEqual(stopped.weights, full.weights);
  });
}

test("train rejects an unknown onStop", async () => {
  const model = buildModel(SPEC, { seed: SEED });
  await assert.rejects(train(model, slice, { epochs: 1 }, { onStop: "best" as never }), /onStop must be "last-epoch" or "as-is"/);
  model.dispose();
});
