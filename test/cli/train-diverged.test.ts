/**
 * `train` on real MNIST (small slices, 1–2 epochs): a diverged run saves nothing and keeps the
 * model already in --save; the image counts before and after the validation split in --json
 * and metadata.json; losses and counts as a person reads them.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-train-diverged-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const train = (...args: string[]) => runCli(["train", "--model", "dense-128", "--epochs", "1", "--train-limit", "300", ...args], { timeout: 180_000 });
/** Every file of a folder, name → bytes (base64). */
const filesOf = (dir: string) => Object.fromEntries(fs.readdirSync(dir).sort().map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]));

// The fields train --json printed before diverged runs were refused: all still there.
const JSON_FIELDS = ["model", "recipe", "defaultSettings", "params", "backend", "dataset", "seed", "trainCount", "validationCount",
  "validationFrom", "epochs", "epochsRequested", "batchSize", "history", "secondsPerEpoch", "bestEpoch", "restoredBestWeights",
  "stopReason", "testLoss", "testAccuracy", "savedTo", "reportFile"];

test("a diverged run saves no model, leaves the model in --save as it was, says so in one line and exits 1; --json and --report still come", () => {
  const good = path.join(tmp, "good");
  const first = train("--save", good);
  assert.equal(first.code, 0, first.stderr);
  const before = filesOf(good);

  const report = path.join(tmp, "diverged.html");
  const r = train("--epochs", "2", "--learning-rate", "1e38", "--save", good, "--report", report, "--json");
  assert.equal(r.code, 1, r.stderr);
  assert.deepEqual(filesOf(good), before, "the good model is byte-identical");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.at(-1), `digit-lab train: training diverged (the loss of epoch 1 is NaN); the model's weights are NaN, so nothing saved (the model in ${good} is unchanged); try a smaller --learning-rate`);
  assert.doesNotMatch(r.stderr, /saved to/);

  const out = JSON.parse(r.stdout);
  for (const field of JSON_FIELDS) assert.ok(field in out, `--json keeps ${field}`);
  assert.equal(out.stopReason, "diverged");
  assert.equal(out.savedTo, null);
  assert.equal(out.epochs, 1);
  assert.equal(out.reportFile, report);
  const html = fs.readFileSync(report, "utf8");
  assert.match(html, /<title>digit-lab: dense-128 \(training diverged; no model saved\)<\/title>/);
  assert.match(html, /Training diverged: the loss of epoch 1 is NaN/);

  // Into a new folder: the folder is not created; the text summary does not claim a save either.
  const fresh = path.join(tmp, "fresh");
  const t = train("--learning-rate", "1e38", "--save", fresh);
  assert.equal(t.code, 1, t.stderr);
  assert.ok(!fs.existsSync(fresh), "nothing written");
  assert.match(t.stderr, new RegExp(`nothing saved \\(${fresh.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} was not written\\)`));
  assert.doesNotMatch(t.stdout, /saved to/);
});

test("--json and metadata.json both carry the images before the validation split and the two parts after it", () => {
  const dir = path.join(tmp, "counts");
  const r = train("--save", dir, "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // Unchanged public fields: trainCount is after the split in --json, before it in metadata.json.
  assert.equal(out.trainCount, 240);
  assert.equal(out.validationCount, 60);
  assert.equal(out.imagesBeforeSplit, 300);
  assert.equal(out.savedTo, dir);
  const data = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8")).data;
  assert.equal(data.trainCount, 300);
  assert.equal(data.imagesBeforeSplit, 300);
  assert.equal(data.trainCountAfterSplit, 240);
  assert.equal(data.validationCount, 60);
});

test("huge losses are printed in exponent notation; one training image is singular", () => {
  const huge = train("--learning-rate", "1e9");
  assert.equal(huge.code, 0, huge.stderr);
  assert.match(huge.stderr, /epoch 1\/1 {2}loss \d\.\d{3}e\+\d+ {2}acc/);
  assert.match(huge.stderr, /test loss \d\.\d{3}e\+\d+ {2}test accuracy/);
  assert.match(huge.stdout, /test loss \d\.\d{3}e\+\d+, 1 epoch/);
  assert.doesNotMatch(huge.stderr + huge.stdout, /\d{8}\.\d{4}/, "no run of meaningless digits");

  const one = runCli(["train", "--model", "dense-128", "--epochs", "1", "--train-limit", "1"], { timeout: 180_000 });
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stderr, /, 1 training image before the 0\.2 validation split/);
});
