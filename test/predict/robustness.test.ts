/**
 * The honest test of "your own digits": MNIST test digits made to look like people's
 * pictures (dark ink on white paper, off-centre on a 200–400 px canvas, enlarged,
 * redrawn with a thin pen or a thick marker, uneven light, blur, noise, JPEG files on
 * disk) must be read about as well as the clean 28×28 originals by the same model,
 * through the same code path as `digit-lab predict` (predictFiles).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { initBackend } from "../../src/backend";
import { loadModel } from "../../src/models/persist";
import { measureRobustness } from "../../src/predict";
import { loadRealMnist, trainedModelDir } from "./trained-model";

const COUNT = 1000;

test(`${COUNT} photographed-looking MNIST digits are read within 2 points of the clean ones`, { timeout: 600_000 }, async (t) => {
  await initBackend({ log: null });
  const data = await loadRealMnist();
  const { model } = await loadModel(await trainedModelDir());
  try {
    const r = await measureRobustness(model, data.test, { count: COUNT, seed: 2024 });
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    t.diagnostic(`clean 28×28: ${pct(r.clean)}; clean through preprocessing: ${pct(r.cleanPreprocessed)}; photographed JPEGs: ${pct(r.photographed)} (${COUNT} digits)`);
    assert.equal(r.count, COUNT);
    assert.equal(r.failures, 0);
    // Preprocessing the clean 28×28 digits themselves must change (almost) nothing.
    assert.ok(r.cleanPreprocessed >= r.clean - 0.01, `preprocessing clean digits costs ${pct(r.clean - r.cleanPreprocessed)}`);
    assert.ok(r.photographed >= r.clean - 0.02, `photographed digits: ${pct(r.photographed)} vs clean ${pct(r.clean)}`);
  } finally {
    model.dispose();
  }
});
