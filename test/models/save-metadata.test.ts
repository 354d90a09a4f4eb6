/**
 * saveModel from a notebook records what `digit-lab train --save` records: the spec buildModel was
 * given, and (passed the run) the dataset, checksums, counts, history and test metrics, so that
 * `digit-lab evaluate` scores a Fashion-MNIST model on Fashion-MNIST. Real data, real files, real CLI.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { head, loadMnist, type MnistData } from "../../src/data";
import { evaluate, evaluateDetailed } from "../../src/eval";
import { UsageError } from "../../src/errors";
import { buildModel, loadModel, modelSpecOf, runMetadata, saveModel, METADATA_FILE, type ModelMetadata } from "../../src/models";
import { train, type TrainResult } from "../../src/train";
import { runCli } from "../helpers/cli";
import { REAL_DATA_DIR } from "../helpers/paths";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-save-metadata-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let fashion: MnistData;
before(async () => {
  await initBackend({ log: null });
  fashion = await loadMnist({ dataset: "fashion-mnist", dataDir: REAL_DATA_DIR, download: false });
});

const readMetadata = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, METADATA_FILE), "utf8")) as ModelMetadata;

test("a Fashion-MNIST model saved with { data, trainSet, result, evaluation }: `digit-lab evaluate` scores it on Fashion-MNIST, as dense:128", async () => {
  const model = buildModel("dense:128", { seed: 1 });
  const trainSet = head(fashion.train, 3000);
  const result = await train(model, trainSet, { epochs: 1, batchSize: 64 }, { verbose: 0 });
  const evaluation = await evaluateDetailed(model, fashion.test);
  const dir = path.join(root, "fashion");
  const saved = await saveModel(model, dir, { data: fashion, trainSet, result, evaluation });
  model.dispose();

  const meta = readMetadata(dir);
  assert.deepEqual(meta, JSON.parse(JSON.stringify(saved)), "saveModel returns what it wrote");
  assert.equal(meta.formatVersion, 1);
  assert.equal(meta.model, "dense:128", "the spec buildModel was given, not tfjs' dense_128");
  assert.equal(meta.seed, 1, "buildModel's seed");
  assert.deepEqual(meta.data, {
    dataset: "fashion-mnist", sha256Verified: fashion.sha256Verified, checksums: fashion.checksums,
    trainCount: 3000, imagesBeforeSplit: 3000, trainCountAfterSplit: result.trainCount, validationCount: result.validationCount,
  });
  assert.equal(result.trainCount + result.validationCount, 3000);
  assert.deepEqual(meta.history, result.history);
  assert.equal(meta.epochsRequested, 1);
  assert.deepEqual(meta.test, { loss: evaluation.loss, accuracy: evaluation.accuracy }, "loss and accuracy only, no probabilities");
  assert.ok(fs.statSync(path.join(dir, METADATA_FILE)).size < 20_000, "no image or probability arrays in metadata.json");

  const r = runCli(["evaluate", "--model-dir", dir, "--json"], { timeout: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { model: string; dataset: string; accuracy: number; count: number };
  assert.equal(out.dataset, "fashion-mnist");
  assert.equal(out.model, "dense:128");
  assert.equal(out.count, 10_000);
  assert.ok(Math.abs(out.accuracy - evaluation.accuracy) < 1e-4, `CLI ${out.accuracy} vs notebook ${evaluation.accuracy}`);
  assert.ok(out.accuracy > 0.6, `a Fashion model scored on Fashion-MNIST, not on digits (${out.accuracy})`);
  assert.doesNotMatch(r.stderr, /warning|records no dataset/);

  // Loaded, trained on and saved again without metadata: it keeps its name and its dataset.
  const { model: loaded } = await loadModel(dir);
  assert.equal(modelSpecOf(loaded), "dense:128");
  const again = path.join(root, "fashion-again");
  const resaved = await saveModel(loaded, again);
  loaded.dispose();
  assert.equal(resaved.model, "dense:128");
  assert.deepEqual(readMetadata(again).data, { dataset: "fashion-mnist" });
});

test("saveModel(model, dir) with no metadata records the spec buildModel was given; evaluate says it assumes MNIST", async () => {
  for (const [spec, seed] of [["dense:128", 3], ["dense-128-64", 7], [" cnn ", 42]] as const) {
    const model = buildModel(spec, seed === 42 ? {} : { seed });
    const dir = path.join(root, `bare-${spec.trim().replace(/\W/g, "_")}`);
    const saved = await saveModel(model, dir);
    const meta = readMetadata(dir);
    assert.equal(meta.model, spec.trim(), `${spec}: metadata.model`);
    assert.equal(saved.model, spec.trim());
    assert.equal(meta.seed, seed);
    assert.equal(modelSpecOf(model), spec.trim());
    model.dispose();
    assert.equal(meta.data, undefined, "no dataset is made up");
    assert.equal(meta.history, undefined);
  }
  // An explicit name still wins (the CLI passes recipe.model; older callers their own names).
  const model = buildModel("dense:128", { seed: 3 });
  assert.equal((await saveModel(model, path.join(root, "named"), { model: "keras-style" })).model, "keras-style");
  model.dispose();

  const r = runCli(["evaluate", "--model-dir", path.join(root, "bare-dense_128"), "--json"], { timeout: 180_000 });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).model, "dense:128");
  assert.equal(JSON.parse(r.stdout).dataset, "mnist");
  assert.match(r.stderr, /digit-lab evaluate: note: .*bare-dense_128 records no dataset \(data\.dataset in metadata\.json\), so it is evaluated as an MNIST model; pass --dataset fashion-mnist/);
});

test("the easy path writes the fields `digit-lab train --save` writes, with the same values where the run is the same", async () => {
  const cliDir = path.join(root, "cli");
  const r = runCli(["train", "--model", "dense:32", "--epochs", "1", "--train-limit", "1000", "--dataset", "fashion-mnist", "--seed", "3", "--save", cliDir, "--json"], { timeout: 300_000 });
  assert.equal(r.code, 0, r.stderr);
  const cli = readMetadata(cliDir);
  const summary = JSON.parse(r.stdout) as { history: TrainResult["history"] };

  // The same run in code: the recipe the CLI recorded, the same 1,000 images.
  const recipe = cli.recipe as { seed: number; dropout?: number; l2?: number; epochs: number };
  const model = buildModel("dense:32", { seed: recipe.seed, dropout: recipe.dropout, l2: recipe.l2 });
  const trainSet = head(fashion.train, 1000);
  const result = await train(model, trainSet, recipe as never, { verbose: 0 });
  const evaluation = await evaluate(model, fashion.test);
  const mine = await saveModel(model, path.join(root, "easy"), { recipe, data: fashion, trainSet, result, evaluation });
  model.dispose();

  const withoutTimes = (m: ModelMetadata) => ({ ...m, createdAt: "", history: m.history?.map((h) => ({ ...h, seconds: 0 })) });
  assert.deepEqual(Object.keys(mine).sort(), Object.keys(cli).sort());
  assert.deepEqual(Object.keys(mine.data!).sort(), Object.keys(cli.data!).sort());
  assert.deepEqual(withoutTimes(JSON.parse(JSON.stringify(mine))), withoutTimes(cli), "same run, same metadata");
  assert.equal(cli.history!.length, summary.history.length);
});

test("runMetadata: given fields win, undefined ones are left out; a run piece of the wrong kind is a UsageError before anything is written", async () => {
  const model = buildModel("dense:16", { seed: 2 });
  const trainSet = head(fashion.train, 200);
  const result = await train(model, trainSet, { epochs: 1 }, { verbose: 0 });
  const meta = runMetadata({ data: fashion, result, stopReason: "interrupted", epochsRequested: 4, test: { loss: 1, accuracy: 0.5 }, seed: undefined, note: "mine" }, model);
  assert.equal(meta.model, "dense:16");
  assert.equal(meta.stopReason, "interrupted");
  assert.equal(meta.epochsRequested, 4);
  assert.deepEqual(meta.test, { loss: 1, accuracy: 0.5 });
  assert.equal(meta.seed, 2, "an undefined field does not hide the one worked out");
  assert.equal(meta.note, "mine", "unknown fields are kept");
  // Without trainSet, 200 images of 60,000: the count before the split is not guessed.
  assert.deepEqual(meta.data, { dataset: "fashion-mnist", sha256Verified: fashion.sha256Verified, checksums: fashion.checksums, trainCountAfterSplit: 160, validationCount: 40 });
  assert.deepEqual(runMetadata({ data: { dataset: "mnist", trainCount: 5 } }).data, { dataset: "mnist", trainCount: 5 }, "a plain data object is written as it is");

  const dir = path.join(root, "refused");
  const refused = (message: RegExp) => (err: unknown) => err instanceof UsageError && message.test(err.message);
  await assert.rejects(saveModel(model, dir, { data: fashion.train as never }), refused(/^saveModel: data is the dataset from loadMnist\(\) \(e\.g\. mnist\), not an image set such as mnist\.train; pass the images trained on as trainSet$/));
  const pending = evaluate(model, head(fashion.test, 100)); // a forgotten await
  await assert.rejects(saveModel(model, dir, { data: fashion, evaluation: pending as never }), refused(/^saveModel: evaluation is what evaluate\(\) or evaluateDetailed\(\) returns on the test set, got a Promise \(is an `await` missing\?\)$/));
  await pending;
  await assert.rejects(saveModel(model, dir, { result: result.history as never }), refused(/^saveModel: result is what train\(\) returns .*got an array$/));
  await assert.rejects(saveModel(model, dir, { trainSet: fashion as never }), refused(/^saveModel: trainSet is the image set train\(\) was given.*got an object with dataset, train, test/));
  assert.equal(fs.existsSync(dir), false);
  model.dispose();
});
