/** Saving and loading model directories: round trip, browser-format compatibility, damaged files. */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { initBackend, tf } from "../../src/backend";
import { ModelFileError } from "../../src/errors";
import { buildModel, loadModel, saveModel, METADATA_FILE, MODEL_FILE, WEIGHTS_FILE } from "../../src/models";
import { predictProbabilities } from "../../src/eval";

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

test("saving replaces an existing directory atomically and leaves no temporary files", async () => {
  const { dir, model } = await savedModel("replace");
  fs.writeFileSync(path.join(dir, "stale.txt"), "old");
  await saveModel(model, dir, { model: "dense-128-64" });
  assert.deepEqual(fs.readdirSync(dir).sort(), [METADATA_FILE, MODEL_FILE, WEIGHTS_FILE].sort());
  assert.deepEqual(fs.readdirSync(root).filter((f) => f.endsWith(".tmp")), []);
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
  const copy = (name: string) => {
    const to = path.join(root, name);
    fs.cpSync(dir, to, { recursive: true });
    return to;
  };

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
