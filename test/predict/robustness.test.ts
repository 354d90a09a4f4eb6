/**
 * The honest test of "your own digits": MNIST test digits made to look like people's
 * pictures (dark ink on white paper, off-centre on a 200–400 px canvas, enlarged,
 * redrawn with a thin pen or a thick marker, uneven light, blur, noise, JPEG files on
 * disk) must be read about as well as the clean 28×28 originals by the same model,
 * through the same code path as `digit-lab predict` (predictFiles).
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { subset } from "../../src/data";
import { evaluate } from "../../src/eval/evaluate";
import { loadModel } from "../../src/models/persist";
import { predictFiles, predictPixels, writePaperDigits } from "../../src/predict";
import { preprocess } from "../../src/preprocess";
import { seededPermutation } from "../../src/util/random";
import { loadRealMnist, trainedModelDir } from "./trained-model";

const COUNT = 1000;

test(`${COUNT} photographed-looking MNIST digits are read within 2 points of the clean ones`, { timeout: 600_000 }, async (t) => {
  await initBackend({ log: null });
  const data = await loadRealMnist();
  const { model } = await loadModel(await trainedModelDir());
  const indices = seededPermutation(data.test.count, 2024).subarray(0, COUNT);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-robustness-"));
  try {
    const files = writePaperDigits(data.test, indices, dir, 2024);
    assert.equal(files.length, COUNT);

    const clean = await evaluate(model, subset(data.test, indices));
    const result = await predictFiles(model, [dir]);
    assert.deepEqual(result.failures, []);
    assert.equal(result.labelled, COUNT, "every file name carries its digit");
    const transformed = result.accuracy!;

    // Preprocessing the clean 28×28 digits themselves must change (almost) nothing.
    const again = Array.from(indices, (i) => {
      const pixels = Float32Array.from(data.test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
      return preprocess({ width: 28, height: 28, data: pixels }).pixels;
    });
    const identity = (await predictPixels(model, again)).filter((p, k) => p.digit === data.test.labels[indices[k]]).length / COUNT;

    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
    t.diagnostic(`clean 28×28: ${pct(clean.accuracy)}; clean through preprocessing: ${pct(identity)}; photographed JPEGs: ${pct(transformed)} (${COUNT} digits)`);
    assert.ok(identity >= clean.accuracy - 0.01, `preprocessing clean digits costs ${pct(clean.accuracy - identity)}`);
    assert.ok(transformed >= clean.accuracy - 0.02, `photographed digits: ${pct(transformed)} vs clean ${pct(clean.accuracy)}`);
  } finally {
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
