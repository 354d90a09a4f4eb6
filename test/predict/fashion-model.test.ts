/**
 * `predict` with a model of another dataset (Fashion-MNIST): its answers are shown by class
 * name, and the digits that file names give are not scored against clothing classes.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatPredictions, toPrediction, writePaperDigits, type PredictFilesResult } from "../../src/predict";
import { DATASETS } from "../../src/data/datasets";
import { runCli } from "../helpers/cli";
import { copySavedModel, trainedOn } from "../helpers/model-copies";
import { loadRealMnist, trainedModelDir } from "./trained-model";

const FASHION = DATASETS["fashion-mnist"].classNames;

/** A result of two pictures whose names give the digits 1 and 7, both read as class 1. */
function twoPredictions(): PredictFilesResult {
  const probabilities = Array.from({ length: 10 }, (_, c) => (c === 1 ? 0.9 : c === 9 ? 0.06 : 0.005));
  return {
    predictions: [
      { file: "a/1_x.png", ...toPrediction(probabilities), label: 1 },
      { file: "a/7_y.png", ...toPrediction(probabilities), label: 7 },
    ],
    failures: [],
    labelled: 2,
    correct: 1,
    accuracy: 0.5,
  };
}

test("with class names, the table names the classes and scores no file-name digits", () => {
  const text = formatPredictions(twoPredictions(), { classNames: FASHION });
  const lines = text.split("\n");
  assert.match(lines[0], /^file\s+class\s+confidence\s+top 3$/);
  assert.match(lines[1], /^a\/1_x\.png\s+Trouser\s+90\.0%\s+Trouser\s+90\.0%\s+Ankle boot\s+6\.0%\s+T-shirt\/top\s+0\.5%$/);
  assert.equal(lines.length, 3, "no accuracy line");
  assert.doesNotMatch(text, /true|accuracy|WRONG/);
});

test("digits are shown and scored as before", () => {
  const text = formatPredictions(twoPredictions());
  assert.match(text, /^file\s+digit\s+confidence\s+top 3\n/);
  assert.match(text, /a\/1_x\.png\s+1\s+90\.0%\s+1\s+90\.0%\s+9\s+6\.0%\s+0\s+0\.5%\s+\(true 1, right\)/);
  assert.match(text, /\(true 7, WRONG\)/);
  assert.match(text, /\naccuracy: 1\/2 = 50\.0%/);
});

let root: string;
let fashionDir: string;
let pictures: string;

before(async () => {
  const modelDir = await trainedModelDir();
  const data = await loadRealMnist();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-predict-fashion-"));
  fashionDir = copySavedModel(modelDir, path.join(root, "fashion"), trainedOn("fashion-mnist"));
  pictures = path.join(root, "pictures");
  fs.mkdirSync(pictures);
  writePaperDigits(data.test, [0, 1, 2], pictures, 5); // named <digit>_<index>.jpg
});

after(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test("predict with a Fashion-MNIST model prints class names, says once why file names are not scored, and keeps --json's fields", () => {
  const text = runCli(["predict", "--model-dir", fashionDir, pictures], { timeout: 120_000 });
  assert.equal(text.code, 0, text.stderr);
  const rows = text.stdout.trim().split("\n");
  assert.match(rows[0], /^file\s+class\s+confidence\s+top 3$/);
  assert.equal(rows.length, 4, "a header and three pictures, no accuracy line");
  for (const row of rows.slice(1)) {
    const shown = row.split(/\s{2,}/)[1];
    assert.ok(FASHION.includes(shown), `"${shown}" is a class name: ${row}`);
  }
  assert.doesNotMatch(text.stdout, /true \d|accuracy/);
  const notes = text.stderr.split("\n").filter((line) => /not scored/.test(line));
  assert.deepEqual(notes, ["digit-lab predict: the digits in file names are not scored: this model's classes are fashion-mnist's, not digits"]);

  const json = runCli(["predict", "--model-dir", fashionDir, pictures, "--json"], { timeout: 120_000 });
  assert.equal(json.code, 0, json.stderr);
  const entries = JSON.parse(json.stdout) as { digit: number; className: string }[];
  assert.equal(entries.length, 3);
  for (const entry of entries) {
    assert.deepEqual(Object.keys(entry).sort(), ["className", "confidence", "digit", "file", "label", "top3"], "the fields as before, and the class name");
    assert.equal(entry.className, FASHION[entry.digit]);
  }
  assert.doesNotMatch(json.stderr, /not scored/, "no accuracy to skip in --json");
});
