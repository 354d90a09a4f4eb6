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
  // Saliency maps of three pictures: per row the digit, prediction, runner-up and their difference.
  const saliency = figuresOf(run, "saliencyFigure(");
  assert.equal(saliency.length, 1, "the saliency figure is displayed (under 100 kB, so with its Plotly JSON)");
  const fig = saliency[0] as unknown as { data: { type: string; coloraxis?: string; z?: number[][] }[]; layout: Record<string, any> };
  const heatmaps = fig.data.filter((t) => t.type === "heatmap");
  assert.equal(heatmaps.length, 3 * 4);
  assert.equal(heatmaps.filter((t) => t.coloraxis === "coloraxis2").length, 3, "one digit per row on the ink scale");
  const maps = heatmaps.filter((t) => t.coloraxis === "coloraxis");
  assert.ok(maps.every((t) => t.z!.length === 28 && t.z![0].length === 28));
  assert.ok(maps.every((t) => t.z!.flat().some((v) => v !== 0)), "no blank map");
  assert.equal(fig.layout.coloraxis.cmin, -fig.layout.coloraxis.cmax);
  assert.ok(fig.layout.coloraxis.cmax > 0);
  assert.match(String(fig.layout.title.text), /∂ logit \/ ∂ pixel/);
  const captions = (fig.layout.annotations as { text: string }[]).map((a) => a.text.replace(/<\/?b>/g, ""));
  assert.match(captions[0], /^\d_\d+\.jpg: \d \(\d+(\.\d)?%\)(, true \d)?$/, "first row: the least certain picture, named");
  assert.match(captions[3], /^\d vs \d$/);
});
