/** Saving and loading model directories: round trip, browser-format compatibility, damaged files. */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { spawnSync } from "node:child_process";
import type { AddressInfo } from "node:net";
import { currentBackend, initBackend, tf } from "../../src/backend";
import { ModelFileError, UsageError } from "../../src/errors";
import { buildModel, isSavedModelDir, loadModel, saveModel, METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from "../../src/models";
import { predictProbabilities } from "../../src/eval";
import { saveIncompatibleModel, saveKerasStyleModel } from "../helpers/incompatible-models";
import { PROJECT_ROOT } from "../helpers/paths";
import { copySavedModel } from "../helpers/model-copies";

let root: string;
before(async () => {
  await initBackend({ log: null });
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-persist-"));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** 20 deterministic pseudo-digits (0..255). */
function pixels(n = 20): Uint8Array {
  return Uint8Array.from({ length: n * 784 }, (_, i) => (i * 2654435761) % 251);
}

async function savedModel(name: string, spec = "dense-128-64"): Promise<{ dir: string; model: tf.LayersModel }> {
  const model = buildModel(spec, { seed: 5, dropout: 0.1 });
  const dir = path.join(root, name);
  await saveModel(model, dir, { model: spec, seed: 5, history: [{ epoch: 1, loss: 0.5, accuracy: 0.9, seconds: 1 }], test: { loss: 0.4, accuracy: 0.91 } });
  return { dir, model };
}

test("save → load gives identical predictions and the metadata back", async () => {
  for (const spec of ["dense-128-64", "cnn"]) {
    const { dir, model } = await savedModel(`round-${spec}`, spec);
    assert.deepEqual(fs.readdirSync(dir).sort(), [METADATA_FILE, MODEL_FILE, WEIGHTS_FILE].sort());
    const { model: loaded, metadata } = await loadModel(dir);
    const x = pixels();
    assert.deepEqual(Array.from(await predictProbabilities(loaded, x)), Array.from(await predictProbabilities(model, x)), spec);
    assert.equal(metadata.model, spec);
    assert.equal(metadata.seed, 5);
    assert.deepEqual(metadata.inputShape, spec === "cnn" ? [28, 28, 1] : [784]);
    assert.equal(metadata.params, model.countParams());
    assert.equal(metadata.test?.accuracy, 0.91);
    assert.equal(metadata.history?.length, 1);
    assert.equal(typeof metadata.createdAt, "string");
    assert.equal(typeof metadata.backend, "string");
    model.dispose();
    loaded.dispose();
  }
});

test("model.json is the standard layers format: tf.loadLayersModel over HTTP accepts it", async () => {
  const { dir, model } = await savedModel("http");
  const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), "utf8"));
  assert.equal(json.format, "layers-model");
  assert.deepEqual(json.weightsManifest[0].paths, [WEIGHTS_FILE]);
  const bytes = json.weightsManifest[0].weights.reduce((a: number, w: { shape: number[] }) => a + 4 * w.shape.reduce((x, y) => x * y, 1), 0);
  assert.equal(fs.statSync(path.join(dir, WEIGHTS_FILE)).size, bytes);

  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ""));
    if (!fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file.endsWith(".json") ? "application/json" : "application/octet-stream" });
    res.end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    const viaHttp = await tf.loadLayersModel(`http://127.0.0.1:${port}/model.json`);
    const x = pixels(5);
    assert.deepEqual(Array.from(await predictProbabilities(viaHttp, x)), Array.from(await predictProbabilities(model, x)));
    viaHttp.dispose();
  } finally {
    server.close();
    model.dispose();
  }
});

test("saving replaces a saved model atomically, leaves no temporary files, and refuses any other folder", async () => {
  const { dir, model } = await savedModel("replace");
  assert.ok(isSavedModelDir(dir));
  await saveModel(model, dir, { model: "dense-128-64", seed: 99 });
  assert.deepEqual(fs.readdirSync(dir).sort(), [METADATA_FILE, MODEL_FILE, WEIGHTS_FILE].sort());
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, METADATA_FILE), "utf8")).seed, 99, "the new model replaced the old one");
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.endsWith(".tmp")), []);

  // A model folder that also holds something else is not "just a saved model": nothing is deleted.
  fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
  fs.mkdirSync(path.join(dir, "older"));
  const before = Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== "older").map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));
  assert.equal(isSavedModelDir(dir), false);
  await assert.rejects(saveModel(model, dir, { model: "dense-128-64", seed: 100 }), (err: Error) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.message, `${dir}: exists and holds a saved model and other files (notes.txt, older/), which replacing it would delete`);
    return true;
  });
  const after = Object.fromEntries(fs.readdirSync(dir).filter((f) => f !== "older").map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));
  assert.deepEqual(after, before);
  assert.ok(fs.statSync(path.join(dir, "older")).isDirectory());

  // Nor is a regular file replaced by a model folder.
  const file = path.join(root, "a-file.txt");
  fs.writeFileSync(file, "precious");
  await assert.rejects(saveModel(model, file), (err: Error) => err instanceof UsageError && /a-file\.txt: exists and is a file, not a folder/.test(err.message));
  assert.equal(fs.readFileSync(file, "utf8"), "precious");
  model.dispose();
});

/** Expects loadModel(dir) to fail with a ModelFileError whose message names `file` and matches `what`. */
async function assertDamaged(dir: string, file: string, what: RegExp): Promise<void> {
  await assert.rejects(loadModel(dir), (err: Error) => {
    assert.ok(err instanceof ModelFileError, `expected ModelFileError, got ${err.name}: ${err.message}`);
    assert.ok(err.message.includes(file), `message names ${file}: ${err.message}`);
    assert.match(err.message, what);
    return true;
  });
}

test("damaged model directories give ModelFileError naming the file", async () => {
  const { dir, model } = await savedModel("good");
  model.dispose();
  const copy = (name: string) => copySavedModel(dir, path.join(root, name));

  await assertDamaged(path.join(root, "does-not-exist"), "does-not-exist", /no such model directory/);

  const noJson = copy("no-json");
  fs.rmSync(path.join(noJson, MODEL_FILE));
  await assertDamaged(noJson, path.join(noJson, MODEL_FILE), /missing/);

  const badJson = copy("bad-json");
  fs.writeFileSync(path.join(badJson, MODEL_FILE), '{"modelTopology": {');
  await assertDamaged(badJson, path.join(badJson, MODEL_FILE), /not valid JSON/);

  const noTopology = copy("no-topology");
  fs.writeFileSync(path.join(noTopology, MODEL_FILE), JSON.stringify({ weightsManifest: [] }));
  await assertDamaged(noTopology, MODEL_FILE, /no modelTopology/);

  const noWeights = copy("no-weights");
  fs.rmSync(path.join(noWeights, WEIGHTS_FILE));
  await assertDamaged(noWeights, path.join(noWeights, WEIGHTS_FILE), /weights file is missing/);

  const short = copy("short-weights");
  const w = fs.readFileSync(path.join(short, WEIGHTS_FILE));
  fs.writeFileSync(path.join(short, WEIGHTS_FILE), w.subarray(0, w.length - 100));
  await assertDamaged(short, path.join(short, WEIGHTS_FILE), /bytes but the manifest/);

  const renamed = copy("manifest-mismatch");
  const json = JSON.parse(fs.readFileSync(path.join(renamed, MODEL_FILE), "utf8"));
  json.weightsManifest[0].weights[0].name = "not_a_layer/kernel";
  fs.writeFileSync(path.join(renamed, MODEL_FILE), JSON.stringify(json));
  await assertDamaged(renamed, path.join(renamed, MODEL_FILE), /not describe a loadable model/);

  const reshaped = copy("manifest-shape");
  const json2 = JSON.parse(fs.readFileSync(path.join(reshaped, MODEL_FILE), "utf8"));
  // Same byte count, wrong shape: 784×128 → 128×784.
  json2.weightsManifest[0].weights[0].shape = [128, 784];
  fs.writeFileSync(path.join(reshaped, MODEL_FILE), JSON.stringify(json2));
  await assertDamaged(reshaped, path.join(reshaped, MODEL_FILE), /loadable/);

  const badMeta = copy("bad-metadata");
  fs.writeFileSync(path.join(badMeta, METADATA_FILE), "not json");
  await assertDamaged(badMeta, path.join(badMeta, METADATA_FILE), /not valid JSON/);
});

test("a plain tfjs model directory without metadata.json still loads", async () => {
  const { dir, model } = await savedModel("no-metadata");
  fs.rmSync(path.join(dir, METADATA_FILE));
  const { model: loaded, metadata } = await loadModel(dir);
  assert.deepEqual(metadata.inputShape, [784]);
  assert.equal(metadata.params, model.countParams());
  model.dispose();
  loaded.dispose();
});

test("models that load but do not fit MNIST give ModelFileError naming model.json and the mismatch", async () => {
  const five = await saveIncompatibleModel("five-classes", path.join(root, "five-classes"));
  await assertDamaged(five, path.join(five, MODEL_FILE), /the model outputs 5 classes; MNIST has 10$/);
  const hundred = await saveIncompatibleModel("hundred-inputs", path.join(root, "hundred-inputs"));
  await assertDamaged(hundred, path.join(hundred, MODEL_FILE), /expects inputs of shape \[null,100\]; MNIST provides 28×28 images, fed as \[null,784\], \[null,28,28,1\], \[null,28,28\]/);

  // Asked not to check, the same directory loads as it is.
  const { model } = await loadModel(five, { checkMnist: false });
  assert.deepEqual(model.outputs[0].shape, [null, 5]);
  model.dispose();
});

test("Keras-style [null,28,28] inputs (Flatten first) are accepted and predict", async () => {
  const dir = await saveKerasStyleModel(path.join(root, "keras-style"));
  const { model, metadata } = await loadModel(dir);
  assert.deepEqual(metadata.inputShape, [28, 28]);
  const p = await predictProbabilities(model, pixels(3));
  assert.equal(p.length, 30);
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(p.subarray(i * 10, i * 10 + 10).reduce((a, b) => a + b, 0) - 1) < 1e-5);
  model.dispose();
});

test("a model whose weights are NaN (diverged training) is refused on load, and its outputs are never read as digits", async () => {
  const dir = await saveIncompatibleModel("nan-weights", path.join(root, "nan-weights"));
  await assertDamaged(dir, path.join(dir, WEIGHTS_FILE), /the weights hold NaN values \(first in "[^"]+"\): its training diverged, or the file is damaged \(retrain it with a smaller --learning-rate, or copy the model folder again\)/);
  // Loaded without the check, predicting still refuses to turn NaN into digit 0.
  const { model } = await loadModel(dir, { checkMnist: false });
  await assert.rejects(predictProbabilities(model, pixels(4)), (err: Error) => {
    assert.ok(err instanceof ModelFileError, `${err.name}: ${err.message}`);
    assert.ok(err.message.startsWith(path.join(dir, MODEL_FILE) + ": "), err.message);
    assert.match(err.message, /outputs are NaN for 4 of 4 images: its training diverged/);
    return true;
  });
  model.dispose();
});

test("a metadata.json that is valid JSON but lacks fields falls back to what model.json says; a newer formatVersion is refused, naming the file", async () => {
  const { dir, model } = await savedModel("meta-source", "dense-128");
  const modelName = model.name;
  model.dispose();
  const withMetadata = (name: string, meta: unknown) => {
    const copy = copySavedModel(dir, path.join(root, name));
    fs.writeFileSync(path.join(copy, METADATA_FILE), JSON.stringify(meta));
    return copy;
  };
  const missing = copySavedModel(dir, path.join(root, "meta-missing"));
  fs.rmSync(path.join(missing, METADATA_FILE));
  const { model: m0, metadata: without } = await loadModel(missing);
  m0.dispose();
  for (const [name, meta] of [["meta-empty", {}], ["meta-odd", { model: 7, params: "many", createdAt: null, formatVersion: "1", history: "abc", data: "mnist" }], ["meta-blank-name", { model: " " }]] as const) {
    const { model: loaded, metadata } = await loadModel(withMetadata(name, meta));
    loaded.dispose();
    assert.equal(metadata.model, without.model, name);
    assert.equal(metadata.model, modelName, name);
    assert.equal(metadata.params, without.params, name);
    assert.equal(typeof metadata.createdAt, "string", name);
    assert.equal(metadata.formatVersion, 1, name);
    assert.equal(metadata.format, "digit-lab-model", name);
    assert.equal(metadata.history, undefined, name);
    assert.equal(metadata.data, undefined, name);
    assert.ok(!JSON.stringify(metadata).includes("undefined"), name);
  }
  // Fields it has are kept, unknown extra ones too.
  const { model: m1, metadata: kept } = await loadModel(withMetadata("meta-partial", { seed: 9, note: "mine" }));
  m1.dispose();
  assert.equal(kept.seed, 9);
  assert.equal(kept.note, "mine");
  assert.equal(kept.model, modelName);

  const newer = withMetadata("meta-newer", { format: "digit-lab-model", formatVersion: 99, model: "dense-128" });
  await assertDamaged(newer, path.join(newer, METADATA_FILE), /has formatVersion 99, newer than this digit-lab reads \(1\)/);
});

test("NaN weights are blamed on the weight file; with a finite recorded history as a damaged file, after a diverged run on the training", async () => {
  const { dir, model } = await savedModel("nan-source", "dense-128");
  model.dispose();
  // Overwrite the middle of weights.bin with NaN floats, as a damaged copy might.
  const poison = (copy: string) => {
    const bytes = fs.readFileSync(path.join(copy, WEIGHTS_FILE));
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    floats.fill(NaN, 1000, 2000);
    fs.writeFileSync(path.join(copy, WEIGHTS_FILE), bytes);
    return copy;
  };
  const finite = poison(copySavedModel(dir, path.join(root, "nan-finite-history")));
  await assertDamaged(finite, path.join(finite, WEIGHTS_FILE), /the weights hold NaN values \(first in "[^"]+kernel"\), though the training history in metadata\.json is finite: a damaged file\?/);

  const diverged = poison(copySavedModel(dir, path.join(root, "nan-diverged")));
  const meta = JSON.parse(fs.readFileSync(path.join(diverged, METADATA_FILE), "utf8"));
  meta.history = [{ epoch: 1, loss: null, accuracy: 0.1, seconds: 1 }]; // JSON writes NaN as null
  meta.stopReason = "diverged";
  fs.writeFileSync(path.join(diverged, METADATA_FILE), JSON.stringify(meta));
  await assertDamaged(diverged, path.join(diverged, WEIGHTS_FILE), /the weights hold NaN values \(first in "[^"]+"\): its training diverged \(retrain it with a smaller --learning-rate\)/);
  await assert.rejects(loadModel(diverged), (err: Error) => !err.message.includes(MODEL_FILE));
});

test("a path to model.json loads its folder; a path to another file says to pass the folder", async () => {
  const { dir, model } = await savedModel("by-file");
  const { model: loaded } = await loadModel(path.join(dir, MODEL_FILE));
  assert.equal(loaded.countParams(), model.countParams());
  loaded.dispose();
  model.dispose();
  await assertDamaged(path.join(dir, WEIGHTS_FILE), path.join(dir, WEIGHTS_FILE), new RegExp(`is a file, not a model directory: pass the folder that holds model.json \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\)`));
});

test("loadModel before `await initBackend()` initializes the backend itself, quietly", async () => {
  const { dir, model } = await savedModel("before-init");
  const expected = Array.from(await predictProbabilities(model, pixels(2)));
  model.dispose();
  // A fresh process, where nothing has chosen a backend yet.
  const script = `
    const { loadModel } = require("./src/models");
    const { predictProbabilities } = require("./src/eval");
    const { currentBackend } = require("./src/backend");
    const before = currentBackend();
    loadModel(${JSON.stringify(dir)}).then(async ({ model }) => {
      const x = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 2654435761) % 251);
      const p = await predictProbabilities(model, x);
      process.stdout.write(JSON.stringify({ before: before ?? null, after: currentBackend().name, p: Array.from(p) }));
    });`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: PROJECT_ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "", "no backend line: loadModel initializes quietly");
  const out = JSON.parse(r.stdout);
  assert.equal(out.before, null);
  assert.equal(out.after, currentBackend()!.name, "the same automatic choice as this process'");
  assert.equal(out.p.length, 20);
  out.p.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `probability ${i}: ${v} vs ${expected[i]}`));
});
