import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { figuresOf, liveCurvesOf, liveDrawings, outputOf, runNotebookQuick } from "../helpers/notebooks";

type Fig = { data: { type: string; coloraxis?: string; z?: number[][] }[]; layout: Record<string, any> };

test("05-inside-a-cnn trains the cnn and shows its filters, feature maps and saliency maps through the tslab kernel", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "05-inside-a-cnn.ipynb"));
  // The cnn recipe, trimmed by quick mode.
  assert.match(outputOf(run, "quickable({ ...getRecipe(\"cnn\")"), /epochs: 2,[\s\S]*trainLimit: 3000/);
  const summary = outputOf(run, "modelSummary(model)");
  assert.match(summary, /conv2d_1 \(Conv2D\)\s+\(None, 26, 26, 32\)\s+320/);
  assert.match(summary, /Total params: 197,482/);
  assert.match(outputOf(run, "await train(model"), /epoch 2\/2 .*val_acc/);
  // Learning curves drawn while training: one chart, updated in place after each of the 2 epochs.
  const curves = liveCurvesOf(run) as unknown as { data: { x: number[]; yaxis: string }[] };
  assert.deepEqual(curves.data.map((t) => t.x.length), [2, 2, 2, 2], "train and validation loss and accuracy, 2 epochs each");
  assert.deepEqual(liveDrawings(run, "liveTrainingCurves("), ["(waiting)", "cnn (train) 1", "cnn (train) 1,2"], "drawn after each epoch, while training");
  // Above chance (10%) by far even in quick mode: 2 epochs on 2,400 images.
  const accuracy = Number((outputOf(run, "evaluateDetailed(") .match(/test accuracy (\d+\.\d+)%/) ?? [])[1]);
  assert.ok(accuracy > 50, `test accuracy ${accuracy}%`);
  // The 32 first-layer filters as 3×3 images.
  const [filters] = figuresOf(run, "weightImages(firstLayerKernel(model)") as unknown as Fig[];
  assert.equal(filters.data.filter((t) => t.type === "heatmap").length, 32);
  assert.ok(filters.data.every((t) => t.z!.length === 3 && t.z![0].length === 3));
  // Shapes listed, then one figure per conv/pool layer for digit #0: every channel, at 26, 24, 12, 10, 8, 4 pixels.
  assert.match(outputOf(run, "featureMaps(model, digits)"), /conv2d_1 \(Conv2D\): 26×26×32[\s\S]*max_pooling2d_2 \(MaxPooling2D\): 4×4×64/);
  const maps = figuresOf(run, "image: 0, name") as unknown as Fig[];
  assert.deepEqual(
    maps.map((f) => [f.data.length, f.data[0].z!.length, f.data[0].z![0].length]),
    [[32, 26, 26], [32, 24, 24], [32, 12, 12], [64, 10, 10], [64, 8, 8], [64, 4, 4]],
  );
  for (const f of maps) {
    assert.ok(f.data.every((t) => t.type === "heatmap"));
    assert.equal(f.layout.coloraxis.cmin, 0, "ReLU and pooling outputs: a [0, max] scale");
    assert.ok(f.layout.coloraxis.cmax > 0);
    assert.match(String(f.layout.title.text), /^test digit #0 \(a 7\)<br>/);
    assert.equal(f.layout.annotations.length, f.data.length, "a caption per channel");
  }
  assert.deepEqual(figuresOf(run, "image: 1, name").map((f) => f.data.length), [32, 64], "digit #1 at both pooling layers");
  // Saliency: the least certain test digit and the two most confident, each digit + prediction + runner-up + difference.
  const [saliency] = figuresOf(run, "saliencyFigure(") as unknown as Fig[];
  const heatmaps = saliency.data.filter((t) => t.type === "heatmap");
  assert.equal(heatmaps.length, 3 * 4);
  assert.equal(heatmaps.filter((t) => t.coloraxis === "coloraxis2").length, 3);
  assert.ok(heatmaps.filter((t) => t.coloraxis === "coloraxis").every((t) => t.z!.flat().some((v) => v !== 0)), "no blank map");
  assert.match(saliency.layout.annotations[0].text, /test #\d+: \d \(\d+(\.\d)?%\)/);
  // The map of the last hidden layer (dense_1, 128 units).
  const [embedding] = figuresOf(run, "embeddingScatter(");
  assert.match(String((embedding.layout.title as { text: string }).text), /dense_1, 128 units/);
});
