/** Real MNIST end to end: dense-128-64 for two epochs on the full 48k training split. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { loadMnist } from "../../src/data";
import { buildModel } from "../../src/models";
import { train } from "../../src/train";
import { evaluate, evaluateDetailed } from "../../src/eval";
import { REAL_DATA_DIR } from "../helpers/paths";

test("dense-128-64, 2 epochs on real MNIST (48k train / 12k validation) reaches ≥ 96% test accuracy", async () => {
  await initBackend({ log: null });
  const data = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  const model = buildModel("dense-128-64", { seed: 42 });
  const lines: string[] = [];
  const result = await train(model, data, { epochs: 2, seed: 42 }, { reporter: { onEpochEnd: (log) => void lines.push(JSON.stringify(log)) } });
  assert.equal(result.trainCount, 48000);
  assert.equal(result.validationCount, 12000);
  assert.equal(result.history.length, 2);
  assert.ok(result.history[1].loss < result.history[0].loss, lines.join("\n"));
  assert.ok(result.history[1].valAccuracy! > 0.95, lines.join("\n"));

  const test = await evaluate(model, data.test);
  assert.equal(test.count, 10000);
  assert.ok(test.accuracy >= 0.96, `test accuracy ${test.accuracy}`);
  assert.ok(test.loss < 0.15, `test loss ${test.loss}`);

  // The detailed pass agrees with the plain one, and its report is consistent with it.
  const detailed = await evaluateDetailed(model, data.test);
  assert.equal(detailed.accuracy, test.accuracy);
  assert.ok(Math.abs(detailed.loss - test.loss) < 1e-9);
  assert.equal(detailed.report.accuracy, test.accuracy);
  assert.equal(detailed.confusion.flat().reduce((a, b) => a + b, 0), 10000);
  assert.deepEqual(detailed.report.classes.map((c) => c.support), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
  model.dispose();
  assert.equal(tf.memory().numTensors, 0);
});
