/** The model factory: architectures, parameter counts, Keras-like summaries, seeded initialization. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { initBackend, tf } from "../../src/backend";
import { buildModel, inputKindOf, inputKindOfSpec, inputShapeOf, listModels, modelSummary, parseModelSpec } from "../../src/models";
import { UsageError } from "../../src/errors";
import { regularizationLoss } from "../../src/train/loss";
import { PROJECT_ROOT } from "../helpers/paths";

before(async () => {
  await initBackend({ log: null });
});

const DENSE_PARAMS: Record<string, number> = {
  "dense-128": 101_770,
  "dense-128-64": 109_386,
  "dense-256-128-32": 238_314,
  "dense-128x3": 134_794,
};

test("the four dense variants have the seed experiments' parameter counts", () => {
  for (const [name, params] of Object.entries(DENSE_PARAMS)) {
    const model = buildModel(name);
    assert.equal(model.countParams(), params, name);
    assert.equal(modelSummary(model).totalParams, params, name);
    model.dispose();
  }
  const listed = Object.fromEntries(listModels().map((m) => [m.name, m]));
  for (const [name, params] of Object.entries(DENSE_PARAMS)) assert.equal(listed[name].params, params);
  assert.deepEqual(listed["dense-128-64"].layers, [128, 64, 10]);
  assert.deepEqual(listed["dense-128x3"].layers, [128, 128, 128, 10]);
  assert.equal(listed.cnn.input, "image");
});

test("summary rows are per layer with Keras-style output shapes and params; text has the totals", () => {
  const model = buildModel("dense-256-128-32", { dropout: 0.2 });
  const s = modelSummary(model);
  assert.deepEqual(
    s.rows.map((r) => [r.name, r.type, r.outputShape, r.params]),
    [
      ["dense_1", "Dense", [null, 256], 200_960],
      ["dropout_1", "Dropout", [null, 256], 0],
      ["dense_2", "Dense", [null, 128], 32_896],
      ["dropout_2", "Dropout", [null, 128], 0],
      ["dense_3", "Dense", [null, 32], 4_128],
      ["dropout_3", "Dropout", [null, 32], 0],
      ["dense_4", "Dense", [null, 10], 330],
    ],
  );
  assert.equal(s.trainableParams, 238_314);
  assert.equal(s.nonTrainableParams, 0);
  assert.match(s.text, /^Model: "dense-256-128-32"/);
  assert.match(s.text, /dense_1 \(Dense\)\s+\(None, 256\)\s+200,960/);
  assert.match(s.text, /Total params: 238,314\nTrainable params: 238,314\nNon-trainable params: 0/);
  model.dispose();
});

test("dense specs build any stack; the CNN takes images; unknown names list the choices", () => {
  const model = buildModel("dense:512-256");
  assert.equal(model.countParams(), 784 * 512 + 512 + 512 * 256 + 256 + 256 * 10 + 10);
  assert.deepEqual(inputShapeOf(model), [784]);
  assert.equal(inputKindOf(model), "flat");
  model.dispose();

  const cnn = buildModel("cnn");
  assert.deepEqual(inputShapeOf(cnn), [28, 28, 1]);
  assert.equal(inputKindOfSpec("cnn"), "image");
  const out = tf.tidy(() => (cnn.predict(tf.zeros([2, 28, 28, 1])) as tf.Tensor).sum(1).dataSync());
  assert.ok(Math.abs(out[0] - 1) < 1e-5, "softmax rows sum to 1");
  cnn.dispose();

  assert.deepEqual(parseModelSpec("dense:64"), { kind: "dense", hidden: [64] });
  assert.throws(() => buildModel("resnet"), (e: Error) => e instanceof UsageError && /dense-128-64/.test(e.message) && /dense:512-256/.test(e.message));
  assert.throws(() => buildModel("dense:"), UsageError);
  // a well-formed spec with a size out of range says which size, not "unknown model"
  assert.throws(() => parseModelSpec("dense:128-0"), (e: Error) => e instanceof UsageError && /a dense layer has 1 to 65536 units, not 0/.test(e.message));
  assert.throws(() => parseModelSpec("dense:70000"), /not 70000/);
  // each layer within bounds, but together too big for memory: a usage error, not a failed allocation
  assert.throws(() => parseModelSpec("dense:65536-65536"), (e: Error) => e instanceof UsageError && /"dense:65536-65536" would have 4,347,\d{3},\d{3} parameters; a dense stack may have at most 100,000,000/.test(e.message));
  assert.deepEqual(parseModelSpec("dense:65536"), { kind: "dense", hidden: [65536] });
  assert.throws(() => buildModel("dense-128", { dropout: 1.5 }), UsageError);
});

test("initial weights are determined by the seed, and each layer gets its own stream", () => {
  const weights = (seed: number) => {
    const m = buildModel("dense-128-64", { seed, dropout: 0.2 });
    const w = m.getWeights().map((t) => Array.from(t.dataSync()));
    m.dispose();
    return w;
  };
  const a = weights(7);
  assert.deepEqual(weights(7), a);
  assert.notDeepEqual(weights(8)[0], a[0]);
  // Kernels of different layers must not start from the same random sequence.
  assert.notDeepEqual(a[2].slice(0, 50), a[0].slice(0, 50));
});

test("dropout and L2 options reach the layers", () => {
  const m = buildModel("dense-128-64", { dropout: 0.3, l2: 1e-4, seed: 3 });
  const dropouts = m.layers.filter((l) => l.getClassName() === "Dropout");
  assert.equal(dropouts.length, 2);
  assert.equal((dropouts[0].getConfig() as { rate: number }).rate, 0.3);
  const penalty = regularizationLoss(m)!;
  const expected = tf.tidy(() => tf.addN(m.layers.filter((l) => l.getClassName() === "Dense").map((l) => tf.sum(tf.square(l.getWeights()[0])))).mul(1e-4));
  assert.ok(Math.abs(penalty.dataSync()[0] - expected.dataSync()[0]) < 1e-6, "L2 penalty = 1e-4 · Σ kernel²");
  assert.ok(penalty.dataSync()[0] > 0);
  tf.dispose([penalty, expected]);
  m.dispose();
});

test("building a model before `await initBackend()` says so, instead of tfjs' 'backend not yet initialized'", () => {
  // A fresh process: this file's own backend is initialized already.
  const script = `
    const { buildModel, listModels } = require("./src/models");
    const { initBackend } = require("./src/backend");
    const out = [];
    for (const f of [() => buildModel("dense-128"), () => listModels()]) {
      try { f(); out.push("built"); } catch (e) { out.push(e.name + ": " + e.message); }
    }
    initBackend({ log: null }).then(() => {
      out.push(String(buildModel("dense-128").countParams()));
      process.stdout.write(JSON.stringify(out));
    });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const message = "UsageError: no TensorFlow.js backend yet: run `await initBackend()` (from src/backend) before building a model";
  assert.deepEqual(JSON.parse(r.stdout), [message, message, "101770"]);
});

test("a spec that is not a string, and dropout or l2 that are not numbers, are UsageErrors naming the value", () => {
  assert.throws(() => buildModel(128 as unknown as string), {
    name: "UsageError",
    message: 'a model is named by a string such as "dense-128" or "dense:512-256", got 128',
  });
  assert.throws(() => buildModel(undefined as unknown as string), { name: "UsageError", message: /got undefined$/ });
  assert.throws(() => buildModel("dense-128", { dropout: "0.2" as unknown as number }), { name: "UsageError", message: 'dropout must be a number in [0, 1), got "0.2"' });
  assert.throws(() => buildModel("dense-128", { l2: "1e-4" as unknown as number }), { name: "UsageError", message: 'l2 must be a number ≥ 0, got "1e-4"' });
  assert.throws(() => buildModel("dense-128", { l2: -1 }), { name: "UsageError", message: "l2 must be a number ≥ 0, got -1" });
  assert.throws(() => buildModel("dense-128", { dropout: NaN }), { name: "UsageError", message: "dropout must be a number in [0, 1), got NaN" });
});
