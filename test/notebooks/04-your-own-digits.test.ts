import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { figuresOf, outputOf, runNotebookQuick } from "../helpers/notebooks";

test("04-your-own-digits preprocesses a folder of pictures and predicts them through the tslab kernel", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "04-your-own-digits.ipynb"));
  assert.match(outputOf(run, "ensureDefaultModel()"), /dense-128-64 from .*models\/default/);
  const pictures = outputOf(run, "ensureOwnDigits()");
  const count = Number((pictures.match(/(\d+) pictures in/) ?? [])[1]);
  assert.ok(count >= 5, `a folder of sample pictures, got ${pictures}`);
  assert.match(outputOf(run, "preprocessingStagesHtml("), /<img/);
  const gallery = outputOf(run, "predictionGalleryHtml(");
  assert.equal((gallery.match(/<img/g) ?? []).length >= 2 * count, true, "original and preprocessed image per picture");
  const right = gallery.match(/(\d+)\/(\d+) right/);
  assert.ok(right, "accuracy from the file names");
  assert.equal(Number(right![2]), count);
  assert.doesNotMatch(gallery, /could not be read/, "every sample picture is readable");
  assert.ok(Number(right![1]) >= count / 2, `most sample digits read correctly: ${right![0]}`);
  assert.equal(figuresOf(run, "classProbabilities(").length, 1);
});
