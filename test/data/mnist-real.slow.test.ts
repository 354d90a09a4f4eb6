/** The real MNIST files (CI: ../shared/data): counts, class balance and pixel statistics. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { labelCounts, loadMnist, pixelStats, splitTrainValidation, toTensors } from "../../src/data";
import { initBackend } from "../../src/backend";
import { PROJECT_ROOT, REAL_DATA_DIR } from "../helpers/paths";

const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

test("real MNIST: 60,000 / 10,000 images with the published class counts and pixel mean", async () => {
  const data = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  assert.equal(data.sha256Verified, true);
  assert.equal(data.train.count, 60000);
  assert.equal(data.test.count, 10000);
  assert.deepEqual([data.train.rows, data.train.cols], [28, 28]);
  assert.deepEqual(labelCounts(data.train.labels), TRAIN_COUNTS);
  assert.deepEqual(labelCounts(data.test.labels), TEST_COUNTS);
  const { mean, std } = pixelStats(data.train);
  assert.equal(mean.toFixed(4), "0.1307");
  assert.equal(std.toFixed(4), "0.3081");
});

test("real MNIST as tensors: normalized to [0, 1], flat and image layouts", async () => {
  await initBackend({ log: null });
  const data = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  const { xs, ys } = toTensors(data.test);
  assert.deepEqual(xs.shape, [10000, 784]);
  assert.equal(xs.dtype, "float32");
  assert.equal(ys.dtype, "int32");
  assert.equal(xs.max().dataSync()[0], 1);
  assert.equal(xs.min().dataSync()[0], 0);
  assert.ok(Math.abs(xs.mean().dataSync()[0] - 0.1325) < 1e-3, "test-set pixel mean ≈ 0.1325");
  const images = toTensors(data.test, { indices: [0, 1, 2], shape: "image" });
  assert.deepEqual(images.xs.shape, [3, 28, 28, 1]);
  assert.deepEqual(Array.from(images.ys.dataSync()), [7, 2, 1]);
  for (const t of [xs, ys, images.xs, images.ys]) t.dispose();
});

test("the train/validation split is 80/20, disjoint, complete and reproducible", () => {
  const a = splitTrainValidation(60000, { seed: 7 });
  const b = splitTrainValidation(60000, { seed: 7 });
  const c = splitTrainValidation(60000, { seed: 8 });
  assert.equal(a.train.length, 48000);
  assert.equal(a.validation.length, 12000);
  assert.deepEqual(a.validation, b.validation);
  assert.notDeepEqual(a.validation, c.validation);
  const seen = new Uint8Array(60000);
  for (const i of a.train) seen[i]++;
  for (const i of a.validation) seen[i]++;
  assert.ok(seen.every((n) => n === 1), "every example in exactly one part");
});

test("`digit-lab data --json` prints the counts, mean and verification", () => {
  const out = execFileSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "digit-lab.js"), "data", "--json", "--data-dir", REAL_DATA_DIR], { encoding: "utf8" });
  const summary = JSON.parse(out);
  assert.equal(summary.dataset, "mnist");
  assert.equal(summary.train.count, 60000);
  assert.deepEqual(summary.train.labelCounts, TRAIN_COUNTS);
  assert.equal(summary.test.count, 10000);
  assert.deepEqual(summary.test.labelCounts, TEST_COUNTS);
  assert.equal(summary.pixelMean.toFixed(4), "0.1307");
  assert.ok(summary.pixelStd > 0.3 && summary.pixelStd < 0.31);
  assert.equal(summary.sha256Verified, true);
});

test("Fashion-MNIST goes through the same loader", async () => {
  const data = await loadMnist({ dataset: "fashion-mnist", dataDir: REAL_DATA_DIR, download: false });
  assert.equal(data.train.count, 60000);
  assert.deepEqual(labelCounts(data.test.labels), new Array(10).fill(1000));
  assert.equal(data.classNames[9], "Ankle boot");
});
