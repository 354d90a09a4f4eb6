import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CARTESIAN_TRACE_TYPES, RIGHT_COLOR, WRONG_COLOR, architectureComparison, classMetricsBars, classProbabilities,
  confusionMatrix, misclassifiedGallery, type Figure,
} from "../../src/plots";
import type { ClassificationReport, ComparisonRow, Misclassified } from "../../src/types";

type Any = Record<string, any>;
const titleOf = (fig: Figure) => (fig.layout.title as Any).text as string;
const cartesian = (fig: Figure) => fig.data.every((t) => CARTESIAN_TRACE_TYPES.includes(t.type));

test("confusionMatrix: counts written in the cells, colour by share of the true class", () => {
  const counts = [[8, 2, 0], [1, 9, 0], [0, 5, 15]];
  const fig = confusionMatrix(counts);
  assert.ok(cartesian(fig));
  const h = fig.data[0] as Any;
  assert.equal(h.type, "heatmap");
  assert.deepEqual(h.text, [["8", "2", "0"], ["1", "9", "0"], ["0", "5", "15"]]);
  assert.equal(h.texttemplate, "%{text}");
  assert.deepEqual(h.z[2], [0, 0.25, 0.75]);
  assert.deepEqual(h.x, ["0", "1", "2"]);
  assert.equal(h.hovertext[2][1], "true 2, predicted 1: 5 (25.0% of true 2)");
  assert.equal(h.colorscale[0][1], "#f7fbff", "zero is near white");
  const L = fig.layout as Any;
  assert.equal(L.xaxis.title.text, "predicted label");
  assert.equal(L.yaxis.title.text, "true label");
  assert.equal(L.yaxis.autorange, "reversed");
  assert.equal(titleOf(fig), "Confusion matrix (accuracy 80.00% on 40 images)");
  assert.throws(() => confusionMatrix([[1, 2], [3]]), /must be square/);
});

const report: ClassificationReport = {
  classes: Array.from({ length: 10 }, (_, label) => ({ label, precision: 0.9 + label / 200, recall: 0.95 - label / 300, f1: 0.92, support: 100 + label })),
  accuracy: 0.9312,
  macro: { precision: 0.92, recall: 0.93, f1: 0.925, support: 1045 },
  weighted: { precision: 0.921, recall: 0.931, f1: 0.926, support: 1045 },
};

test("classMetricsBars: precision, recall and F1 per class, support in hover", () => {
  const fig = classMetricsBars(report);
  assert.ok(cartesian(fig));
  assert.deepEqual(fig.data.map((t) => (t as Any).name), ["precision", "recall", "F1"]);
  const [precision, recall] = fig.data as Any[];
  assert.equal(precision.y[4], 0.92);
  assert.equal(recall.y[9], 0.92);
  assert.equal(precision.x.length, 10);
  assert.match(precision.hovertext[3], /class 3: precision 0\.9150<br>support 103/);
  assert.equal(fig.layout.barmode, "group");
  assert.match(titleOf(fig), /accuracy 93\.12%, macro F1 0\.925/);
  assert.match(titleOf(fig), /F1<br>\(accuracy/, "two short lines, not one a phone cuts off");
  assert.equal((fig.layout.legend as Any).yanchor, "top", "the legend grows downwards, away from the axis title");
  assert.equal((fig.layout.yaxis as Any).title.text, "score");
  assert.ok((fig.layout.yaxis as Any).range[0] < 0.9);
});

test("misclassifiedGallery: image, true → predicted and confidence, all framed red", () => {
  const pixels = (v: number) => new Uint8Array(784).fill(v);
  const items: Misclassified[] = [
    { index: 12, trueLabel: 4, predicted: 9, confidence: 0.87, pixels: pixels(10) },
    { index: 40, trueLabel: 7, predicted: 1, confidence: 0.512, pixels: pixels(200) },
  ];
  const fig = misclassifiedGallery(items);
  assert.ok(cartesian(fig));
  assert.equal(fig.data.length, 2);
  const ann = fig.layout.annotations as Any[];
  assert.equal(ann[0].text, "<b>4 → 9 (87%)</b>");
  assert.equal(ann[1].font.color, WRONG_COLOR);
  assert.equal((fig.data[1] as Any).z[5][5], 200);
  assert.match((fig.data[0] as Any).hovertemplate, /image #12<br>true 4<br>predicted 9 with 87\.0% confidence/);
  assert.equal((fig.layout.shapes as Any[]).length, 2);
  assert.match(titleOf(fig), /Misclassified examples \(2 of 2/);
  assert.equal(misclassifiedGallery(items, { limit: 1 }).data.length, 1);
  assert.throws(() => misclassifiedGallery([{ index: 3, trueLabel: 1, predicted: 2, confidence: 0.5 }]), /#3 has no pixels/);
});

test("misclassifiedGallery never rounds a mistake's confidence up to 100%", () => {
  const pixels = new Uint8Array(784);
  const item = (confidence: number): Misclassified => ({ index: 1, trueLabel: 2, predicted: 4, confidence, pixels });
  const caption = (confidence: number) => (misclassifiedGallery([item(confidence)]).layout.annotations as Any[])[0].text;
  assert.equal(caption(0.9977), "<b>2 → 4 (99.8%)</b>");
  assert.equal(caption(0.99996), "<b>2 → 4 (99.9%)</b>", "one decimal that still rounds to 100 stays below it");
  assert.equal(caption(0.994), "<b>2 → 4 (99%)</b>", "whole percentages otherwise");
  assert.equal(caption(0.5), "<b>2 → 4 (50%)</b>");
});

test("architectureComparison: log ticks with units, labels apart, nothing clipped", () => {
  const row = (model: string, params: number, testAccuracy: number): ComparisonRow =>
    ({ model, params, secondsPerEpoch: 2, bestEpoch: 1, testAccuracy, trainValGap: 0 });
  const fig = architectureComparison([
    row("dense:32", 25_450, 0.95), row("dense-128", 101_770, 0.976), row("dense-128-64", 109_386, 0.977), row("dense:512-256", 535_818, 0.982),
  ]);
  const x = (fig.layout as Any).xaxis;
  assert.deepEqual(x.ticktext, ["20k", "50k", "100k", "200k", "500k"]);
  assert.deepEqual(x.tickvals, [20_000, 50_000, 100_000, 200_000, 500_000]);
  for (const v of x.tickvals) assert.ok(Math.log10(v) >= x.range[0] && Math.log10(v) <= x.range[1], `tick ${v} inside the range`);
  const t = fig.data[0] as Any;
  assert.deepEqual(t.textposition, ["top center", "top center", "bottom center", "top center"], "the close pair's labels on opposite sides");
  assert.equal(t.cliponaxis, false);
  // Narrow and wide ranges still get at least three labelled ticks.
  const narrow = architectureComparison([row("a", 100_000, 0.9), row("b", 101_000, 0.91)]).layout as Any;
  assert.ok(narrow.xaxis.tickvals.length >= 3, JSON.stringify(narrow.xaxis.tickvals));
  assert.ok(narrow.xaxis.ticktext.every((s: string) => /^\d+(\.\d+)?k$/.test(s)), narrow.xaxis.ticktext.join(" "));
  const wide = architectureComparison([row("a", 800, 0.9), row("b", 3_000_000, 0.91)]).layout as Any;
  assert.ok(wide.xaxis.ticktext.includes("1M") && wide.xaxis.ticktext.includes("1k"), wide.xaxis.ticktext.join(" "));
  assert.ok(wide.xaxis.ticktext.length <= 8);
});

test("classProbabilities: bars per class, top class highlighted, optional image", () => {
  const probs = [0.01, 0.02, 0.05, 0.7, 0.02, 0.1, 0.02, 0.03, 0.03, 0.02];
  const plain = classProbabilities(probs);
  assert.ok(cartesian(plain));
  const bar = plain.data[0] as Any;
  assert.equal(bar.type, "bar");
  assert.deepEqual(bar.y, probs);
  const colours = new Set(bar.marker.color);
  assert.equal(colours.size, 2, "one colour for the top class, one for the rest");
  assert.notEqual(bar.marker.color[3], bar.marker.color[0]);
  assert.match(bar.hovertext[3], /class 3: 70\.00% \(prediction\)/);
  assert.match(titleOf(plain), /predicted 3 \(70\.0%\)/);
  assert.equal((plain.layout.yaxis as Any).title.text, "probability");

  const wrong = classProbabilities(probs, { trueLabel: 5, image: new Uint8Array(784).fill(3) });
  assert.equal(wrong.data.length, 2);
  assert.equal(wrong.data[0].type, "heatmap");
  const wbar = wrong.data[1] as Any;
  assert.equal(wbar.marker.color[3], WRONG_COLOR);
  assert.equal(wbar.xaxis, "x2");
  assert.match(wbar.hovertext[5], /\(true label\)/);
  assert.match(titleOf(wrong), /true 5/);
  assert.equal((wrong.layout.xaxis2 as Any).title.text, "class");
  const right = classProbabilities(probs, { trueLabel: 3 });
  assert.equal((right.data[0] as Any).marker.color[3], RIGHT_COLOR);
  assert.equal(bar.text[3], "70%");
  // Nearly sure is not sure: the bar's label agrees with the title's 99.7%.
  const sure = classProbabilities([0.997, 0.003, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.match(titleOf(sure), /predicted 0 \(99\.7%\)/);
  assert.deepEqual((sure.data[0] as Any).text.slice(0, 2), ["99.7%", ""]);
  // On a phone the digit sits above its bars, both at the box's width (no fixed 760 px).
  const narrow = (wrong.layout.meta as Any).digitLabNarrow;
  assert.equal(narrow.below, wrong.layout.width);
  assert.equal(narrow.layout.width, null);
  assert.deepEqual([narrow.layout.xaxis.domain, narrow.layout.xaxis2.domain], [[0, 1], [0, 1]]);
  assert.ok(narrow.layout.yaxis.domain[0] > narrow.layout.yaxis2.domain[1], "image above the bars");
});

test("architectureComparison: accuracy vs parameters, bubble ∝ seconds per epoch, labelled", () => {
  const rows: ComparisonRow[] = [
    { model: "dense", params: 101_770, secondsPerEpoch: 4, bestEpoch: 5, testAccuracy: 0.978, testLoss: 0.07, trainValGap: 0.01 },
    { model: "cnn", params: 225_034, secondsPerEpoch: 16, bestEpoch: 8, testAccuracy: 0.991, trainValGap: 0.003 },
  ];
  const fig = architectureComparison(rows);
  assert.ok(cartesian(fig));
  const t = fig.data[0] as Any;
  assert.equal(t.type, "scatter");
  assert.equal(t.mode, "markers+text");
  assert.deepEqual(t.x, [101770, 225034]);
  assert.deepEqual(t.y, [0.978, 0.991]);
  assert.deepEqual(t.text, ["dense", "cnn"]);
  assert.deepEqual(t.marker.size, [4, 16]);
  assert.equal(t.marker.sizemode, "area");
  assert.match(t.hovertext[0], /<b>dense<\/b><br>test accuracy 97\.80%<br>test loss 0\.0700<br>101,770 parameters<br>4\.0 s per epoch/);
  assert.doesNotMatch(t.hovertext[1], /test loss/);
  const L = fig.layout as Any;
  assert.equal(L.xaxis.type, "log");
  assert.match(L.xaxis.title.text, /parameters/);
  assert.equal(L.yaxis.title.text, "test accuracy");
  assert.match(titleOf(fig), /seconds per epoch/);
});
