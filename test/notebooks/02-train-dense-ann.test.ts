import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { figuresOf, liveCurvesOf, liveDrawings, outputOf, runNotebookQuick } from "../helpers/notebooks";

type Any = Record<string, any>;

test("02-train-dense-ann trains, evaluates and saves seed 001's model through the tslab kernel", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "02-train-dense-ann.ipynb"));
  assert.match(outputOf(run, "modelSummary(model)"), /Total params: 109,386/);
  assert.match(outputOf(run, "await train("), /epoch 2\/2 .*val_acc/);
  // Progress in a notebook: a bar redrawn in place, and epoch lines on stdout (not stderr, drawn like an error).
  const trainCell = run.notebook.cells.find((c) => [c.source].flat().join("").includes("await train("))!;
  const streams = (trainCell.outputs ?? []).filter((o) => o.output_type === "stream");
  assert.ok(streams.length > 0 && streams.every((o) => o.name === "stdout"), "epoch lines on stdout");
  const bars = (trainCell.outputs ?? []).filter((o) => o.output_type === "display_data" && /<progress/.test([o.data?.["text/html"] ?? ""].flat().join("")));
  assert.equal(bars.length, 1, "one progress display, updated in place");
  // Learning curves drawn while training: one chart, updated in place after each of the 2 epochs.
  const curves = liveCurvesOf(run) as unknown as { data: { x: number[]; yaxis: string }[] };
  assert.deepEqual(curves.data.map((t) => t.x.length), [2, 2, 2, 2], "train and validation loss and accuracy, 2 epochs each");
  assert.deepEqual(liveDrawings(run, "liveTrainingCurves("), ["(waiting)", "dense-128-64 (train) 1", "dense-128-64 (train) 1,2"], "drawn after each epoch, while training");
  const accuracy = outputOf(run, "evaluateDetailed(");
  const percent = Number((accuracy.match(/test accuracy (\d+\.\d+)%/) ?? [])[1]);
  assert.ok(percent > 80, `quick run reaches a sane test accuracy, got ${percent}%`);
  // A smoke run is not held against the seed's single run: it says so instead of "not reached".
  assert.match(accuracy, /quick mode: 2 epochs on 3,000 images, not comparable with the seed's 97\.65%/);
  const [confusion] = figuresOf(run, "confusionMatrix(");
  assert.equal(confusion.data[0].type, "heatmap");
  assert.match(outputOf(run, "classificationTable("), /macro avg|macro/);
  const confusions = outputOf(run, "topConfusions(").split("\n").filter(Boolean);
  assert.equal(confusions.length, 6, "the six most frequent mistakes");
  const counts = confusions.map((l) => Number((l.match(/^\d read as \d: (\d+) times$/) ?? [])[1]));
  assert.ok(counts.every((n, i) => n > 0 && (i === 0 || n <= counts[i - 1])), confusions.join(" | "));
  const [gallery] = figuresOf(run, "misclassifiedGallery(");
  const title = JSON.stringify(gallery.layout.title);
  const ofAll = Number((title.match(/24 of ([\d,]+)/) ?? [])[1]?.replace(/,/g, ""));
  assert.ok(ofAll > 24, `the gallery shows 24 of all the mistakes, not of 24: ${title}`);
  const [weights] = figuresOf(run, "weightImages(");
  assert.equal(weights.data.length, 16, "16 of the first layer's 128 units drawn");
  assert.equal((weights.data[0] as { z?: number[][] }).z?.length, 28);
  // The last hidden layer's 64 activations of the test images, mapped by PCA, mistakes ringed.
  const [map] = figuresOf(run, "layerActivations(") as unknown as { data: Any[]; layout: Any }[];
  assert.ok(map, "the hidden-layer map is drawn");
  assert.match(map.layout.title.text, /last hidden layer \(dense_2, 64 units\)/);
  assert.equal(map.data.length, 11, "ten digits and the misclassified rings");
  const ring = map.data[10];
  assert.match(ring.name, /^misclassified \(\d+\)$/);
  assert.ok(ring.x.length > 0 && ring.x.length < 5000 * (1 - percent / 100) * 1.5, `${ring.x.length} rings for ${percent}% accuracy`);
  assert.match(ring.hovertext[0], /^image #\d+: true \d<br>predicted \d with \d+\.\d% confidence$/);
  const ratios = [map.layout.xaxis.title.text, map.layout.yaxis.title.text].map((t: string) => Number((t.match(/\((\d+\.\d)% of variance\)/) ?? [])[1]));
  assert.ok(ratios[0] >= ratios[1] && ratios[1] > 0, `variance shares on the axes: ${ratios}`);
  // Quick mode saves beside the real model's folder, never over it.
  assert.match(outputOf(run, "saveModel("), /saved dense-128-64 \(109,386 parameters\) to models\/seed-001-quick/);
});
