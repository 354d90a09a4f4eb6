/**
 * `evaluate` on a saved model whose metadata.json is valid JSON but incomplete or odd (real MNIST
 * test set): no "undefined" anywhere, a newer format refused, an unknown dataset a model-file error.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { buildModel, saveModel, METADATA_FILE } from "../../src/models";
import { copySavedModel, trainedOn } from "../helpers/model-copies";
import { runCli } from "../helpers/cli";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-evaluate-metadata-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));
let good: string;
let modelName: string;

before(async () => {
  await initBackend({ log: null });
  const model = buildModel("dense-128", { seed: 4 });
  modelName = model.name;
  good = path.join(root, "good");
  await saveModel(model, good, { model: "dense-128", data: { dataset: "mnist" } });
  model.dispose();
});

const evaluate = (...args: string[]) => runCli(["evaluate", ...args], { timeout: 180_000 });
/** stderr without the backend line every command that loads a model starts with. */
const errorLines = (stderr: string) => stderr.split("\n").filter((l) => l && !l.startsWith("digit-lab: TensorFlow.js")).join("\n") + "\n";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

test("metadata.json of {} : the name comes from model.json, as without metadata.json; nothing says undefined", () => {
  const empty = copySavedModel(good, path.join(root, "empty"), () => ({}));
  const report = path.join(root, "empty.html");
  const text = evaluate("--model-dir", empty, "--report", report);
  assert.equal(text.code, 0, text.stderr);
  assert.ok(text.stdout.startsWith(`${modelName} from ${empty} on the mnist test set`), text.stdout.split("\n")[0]);
  const html = fs.readFileSync(report, "utf8");
  assert.match(html, new RegExp(`<title>digit-lab: ${escape(modelName)} from ${escape(empty)}</title>`));
  const json = evaluate("--model-dir", empty, "--json");
  assert.equal(json.code, 0, json.stderr);
  assert.equal(JSON.parse(json.stdout).model, modelName);
  const page = html.replace(/<script[\s\S]*?<\/script>/g, ""); // plotly's own code says "undefined"
  for (const out of [text.stdout, text.stderr, page, json.stdout, json.stderr]) assert.doesNotMatch(out, /undefined/);
});

test("a newer formatVersion, or a dataset digit-lab does not know: exit 1 naming metadata.json; --dataset gets past the unknown dataset", () => {
  const newer = copySavedModel(good, path.join(root, "newer"), (m) => ({ ...m, formatVersion: 99 }));
  const n = evaluate("--model-dir", newer);
  assert.equal(n.code, 1, n.stderr);
  assert.equal(errorLines(n.stderr), `digit-lab evaluate: ${path.join(newer, METADATA_FILE)}: has formatVersion 99, newer than this digit-lab reads (1): update digit-lab, or save the model again with this version\n`);

  const cifar = copySavedModel(good, path.join(root, "cifar"), trainedOn("cifar"));
  const c = evaluate("--model-dir", cifar, "--json");
  assert.equal(c.code, 1, c.stderr);
  assert.equal(c.stdout, "");
  assert.equal(errorLines(c.stderr), `digit-lab evaluate: ${path.join(cifar, METADATA_FILE)}: records dataset "cifar", which digit-lab does not know (it knows mnist, fashion-mnist): pass --dataset to choose the test set\n`);
  const chosen = evaluate("--model-dir", cifar, "--dataset", "mnist", "--json");
  assert.equal(chosen.code, 0, chosen.stderr);
  assert.equal(JSON.parse(chosen.stdout).dataset, "mnist");
  assert.match(chosen.stderr, /warning: this model was trained on cifar/);
});
