/**
 * What a comparison trains and how its cache tells runs apart: every model gets the dropout
 * `train --model` gives it, a run made with other kernel arithmetic is not served as current,
 * and a run is recorded under the dataset it really trained on.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compareArchitectures, runKey, runSettings } from "../../src/compare";
import { loadMnist } from "../../src/data";
import { UsageError } from "../../src/errors";
import { withEnv } from "../helpers/env";

test("compare trains the cnn with its own dropout (0.25) unless told otherwise; dense stacks with none", () => {
  const settings = { variants: ["cnn", "dense-128"], epochs: 1 };
  assert.equal(runSettings(settings, "cnn").dropout, 0.25);
  assert.equal(runSettings(settings, "dense-128").dropout, 0);
  assert.equal(runSettings({ ...settings, dropout: 0 }, "cnn").dropout, 0);
  assert.equal(runSettings({ ...settings, dropout: 0.1 }, "dense-128").dropout, 0.1);
});

test("the cache key changes with the wasm kernels' arithmetic (fused multiply-adds, Winograd, stock kernels), not on other backends", () => {
  const settings = runSettings({ variants: ["cnn"], epochs: 1 }, "cnn");
  const key = (env: Record<string, string | undefined>, backend = "wasm") => withEnv(env, () => runKey(settings, "abc", backend));
  const plain = { DIGIT_LAB_FMA: undefined, DIGIT_LAB_WINOGRAD: undefined, DIGIT_LAB_WASM_KERNELS: undefined, DIGIT_LAB_SIMD_CONV: undefined };
  const base = key(plain);
  assert.equal(key(plain), base, "stable");
  assert.notEqual(key({ ...plain, DIGIT_LAB_FMA: "off" }), base);
  assert.notEqual(key({ ...plain, DIGIT_LAB_WINOGRAD: "off" }), base);
  assert.notEqual(key({ ...plain, DIGIT_LAB_WASM_KERNELS: "off" }), base);
  assert.equal(key({ ...plain, DIGIT_LAB_FMA: "off" }, "cpu"), key(plain, "cpu"), "cpu runs do not depend on wasm kernels");
});

test("a comparison is recorded under the dataset it trained on; data of another dataset than the settings name is refused", async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-compare-data-"));
  try {
    const mnist = await loadMnist();
    const fashion = await loadMnist({ dataset: "fashion-mnist" });
    const quiet = { log: () => {}, cacheDir, trainOptions: { verbose: 0 as const } };
    await assert.rejects(
      compareArchitectures({ variants: ["dense-128"], epochs: 1, trainLimit: 200, dataset: "fashion-mnist" }, { ...quiet, data: mnist }),
      (err: Error) => err instanceof UsageError && /settings\.dataset is "fashion-mnist" but the data given \(options\.data\) is mnist/.test(err.message),
    );
    assert.deepEqual(fs.readdirSync(cacheDir), [], "nothing trained or cached");
    const lines: string[] = [];
    const { runs } = await compareArchitectures({ variants: ["dense-128"], epochs: 1, trainLimit: 200 }, { ...quiet, data: fashion, log: (l) => lines.push(l) });
    assert.equal(runs[0].settings.dataset, "fashion-mnist");
    assert.deepEqual(lines, ["dense-128: training 1 epoch, batch 32, seed 42, first 200 fashion-mnist images"]);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("compareArchitectures refuses a variant named twice before loading or training anything", async () => {
  await assert.rejects(
    compareArchitectures({ variants: ["cnn", "dense-128", "cnn"], epochs: 1 }, { log: () => assert.fail("nothing should run") }),
    (err: Error) => err instanceof UsageError && err.message === "compareArchitectures settings: variants lists cnn twice; each model is compared once",
  );
});
