import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CARTESIAN_TRACE_TYPES, RIGHT_COLOR, WRONG_COLOR, architectureComparison, classMetricsBars, classProbabilities,
  confusionMatrix, misclassifiedGallery, type Figure,
} from "../../src/plots";
import { labelPositions, logTicks, placeLabels } from "../../src/plots/comparison";
import { imageGridFigure } from "../../src/plots/images";
import type { ClassificationReport, ComparisonRow, Misclassified } from "../../src/types";

type Any = Record<string, any>;
const titleOf = (fig: Figure) => (fig.layout.title as Any).text as string;
const cartesian = (fig: Figure) => fig.data.every((t) => CARTESIAN_TRACE_TYPES.includes(t.type));

test("confusionMatrix: counts written in the cells, colour by share of the true class, mistakes on their own scale", () => {
  const counts = [[8, 2, 0], [1, 9, 0], [0, 5, 15]];
  const fig = confusionMatrix(counts);
  assert.ok(cartesian(fig));
  const [mistakes, right] = fig.data as Any[];
  assert.deepEqual([mistakes.type, right.type], ["heatmap", "heatmap"]);
  // Every cell written once: the mistakes by one trace, the diagonal by the other ("" elsewhere).
  assert.deepEqual(mistakes.text, [["", "2", "0"], ["1", "", "0"], ["0", "5", ""]]);
  assert.deepEqual(right.text, [["8", "", ""], ["", "9", ""], ["", "", "15"]]);
  assert.equal(mistakes.texttemplate, "%{text}");
  assert.deepEqual(mistakes.z[2], [0, 0.25, null]);
  assert.deepEqual(right.z[2], [null, null, 0.75]);
  assert.equal(mistakes.hoverongaps, false, "no hover over the other trace's cells");
  assert.deepEqual(mistakes.x, ["0", "1", "2"]);
  assert.equal(mistakes.hovertext[2][1], "true 2, predicted 1: 5 (25.0% of true 2)");
  assert.equal(right.hovertext[1][1], "true 1, predicted 1: 9 (90.0% of true 1), correct");
  // The mistakes' scale runs to the largest mistake (5 of 20), not to 100%: the worst pair is the darkest.
  assert.equal(mistakes.zmin, 0);
  assert.equal(mistakes.zmax, 0.25);
  assert.equal(mistakes.colorscale[0][1], "#fff5f0", "zero is near white");
  assert.equal(right.showscale, false);
  assert.ok(right.colorscale.every((stop: [number, string]) => stop[1] === right.colorscale[0][1]), "the diagonal in one tone");
  // A perfect model: nothing to scale to, the scale still has a top.
  assert.equal((confusionMatrix([[3, 0], [0, 4]]).data[0] as Any).zmax, 0.01);
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
  assert.match(titleOf(fig), /accuracy 93\.12%, macro F1 0\.925/);
  assert.match(titleOf(fig), /F1<br>\(accuracy/, "two short lines, not one a phone cuts off");
  assert.equal((fig.layout.legend as Any).yanchor, "top", "the legend grows downwards, away from the axis title");
  assert.ok((fig.layout.yaxis as Any).range[0] < 0.9);
});

test("classMetricsBars: on an axis zoomed in on the scores, dots instead of bars (a bar's length would lie); bars from 0 otherwise", () => {
  // Class 5 at 0.643 and the rest near 0.95: as bars on a 0.55…1 axis, 0.643 looked a fifth of 0.95.
  const weak: ClassificationReport = { ...report, classes: report.classes.map((c) => (c.label === 5 ? { ...c, precision: 0.643 } : c)) };
  const fig = classMetricsBars(weak);
  assert.ok(cartesian(fig));
  const [precision, recall, f1] = fig.data as Any[];
  for (const t of [precision, recall, f1]) {
    assert.equal(t.type, "scatter");
    assert.equal(t.mode, "markers");
  }
  assert.equal(precision.y[5], 0.643);
  // Class i's three dots side by side round x = i, and the ticks name the classes there.
  assert.deepEqual([precision.x[5], recall.x[5], f1.x[5]], [4.78, 5, 5.22]);
  const L = fig.layout as Any;
  assert.deepEqual(L.xaxis.tickvals, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(L.xaxis.ticktext, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.equal(L.barmode, undefined);
  assert.deepEqual(L.yaxis.range, [0.55, 1.005], "still zoomed: differences near 1 matter");
  assert.equal(L.yaxis.title.text, "score (axis from 0.55, not 0)", "the axis says it is zoomed");
  assert.match(precision.hovertext[5], /class 5: precision 0\.6430<br>support 105/);

  // A class near 0: the axis starts at 0, where bar lengths are honest.
  const broken: ClassificationReport = { ...report, classes: report.classes.map((c) => (c.label === 3 ? { ...c, recall: 0.04 } : c)) };
  const bars = classMetricsBars(broken, { classNames: ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"] });
  assert.ok(bars.data.every((t) => t.type === "bar"));
  assert.deepEqual((bars.data[1] as Any).x[3], "d");
  assert.equal(bars.layout.barmode, "group");
  assert.deepEqual((bars.layout.yaxis as Any).range, [0, 1.005]);
  assert.equal((bars.layout.yaxis as Any).title.text, "score");
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
  const hover = (confidence: number) => (misclassifiedGallery([item(confidence)]).data[0] as Any).hovertemplate;
  assert.match(hover(0.99996), /predicted 4 with 99\.9% confidence/, "the hover keeps one decimal, below 100% too");
  assert.match(hover(1), /with 99\.9% confidence/);
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
  // dense-128 (97.6%) and dense-128-64 (97.7%) sit close: the lower one's label goes below it, the higher one's above.
  assert.deepEqual(t.textposition, ["top center", "bottom center", "top center", "top center"], "the close pair's labels on opposite sides, pointing apart");
  assert.equal(t.cliponaxis, false);
  // Bubble sizes are relative: the heading says what the largest stands for.
  assert.match((fig.layout as Any).title.text, /bubble area = seconds per epoch; the largest is 2\.0 s/);
  assert.match((architectureComparison([row("cnn", 197_482, 0.99), { ...row("d", 1000, 0.9), secondsPerEpoch: 0.184 }]).layout as Any).title.text, /the largest is 2\.0 s/);
  assert.match((architectureComparison([{ ...row("d", 1000, 0.9), secondsPerEpoch: 0.184 }]).layout as Any).title.text, /the largest is 0\.18 s/);
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

test("architectureComparison on a phone: x ticks thinned so their labels stay apart, room under the lowest bubble for its label", () => {
  // The review's page: two models 0.03 decades apart, the less accurate one's label below its bubble.
  const row = (model: string, params: number, testAccuracy: number, secondsPerEpoch: number): ComparisonRow =>
    ({ model, params, secondsPerEpoch, bestEpoch: 2, testAccuracy, trainValGap: 0 });
  const fig = architectureComparison([row("dense-128", 101_770, 0.8896, 0.115), row("dense-128-64", 109_386, 0.8706, 0.108)]);
  const L = fig.layout as Any;
  const narrow = L.meta.digitLabNarrow;
  assert.equal(narrow.below, 600);
  const gapPx = (ticks: number[], plotPx: number) => {
    const span = L.xaxis.range[1] - L.xaxis.range[0];
    return Math.min(...ticks.slice(1).map((v, i) => ((Math.log10(v) - Math.log10(ticks[i])) / span) * plotPx));
  };
  // Wide: every labelled tick (90k and 100k included); narrow: the round ones, ≥ 48 px apart in a 200 px plot.
  assert.deepEqual(L.xaxis.ticktext, ["80k", "90k", "100k", "150k"]);
  assert.ok(gapPx(L.xaxis.tickvals, 600 - 160) >= 48);
  assert.deepEqual(narrow.layout.xaxis.ticktext, ["80k", "100k", "150k"]);
  assert.ok(gapPx(narrow.layout.xaxis.tickvals, 200) >= 48, `${gapPx(narrow.layout.xaxis.tickvals, 200)} px`);
  assert.equal(narrow.layout.xaxis.type, "log", "the narrow x axis is the whole axis, not just its ticks");
  assert.deepEqual(narrow.layout.xaxis.range, L.xaxis.range);
  assert.ok(narrow.layout.margin.l + narrow.layout.margin.r < L.margin.l + L.margin.r);

  const t = fig.data[0] as Any;
  assert.deepEqual(t.textposition, ["top center", "bottom center"]);
  // In the 300 px plot area (480 − 100 − 80), the lower bubble (60 px across at most) and its
  // 20 px label fit above the axis: at least 30 + 20 px between the point and the axis.
  const [lo, hi] = L.yaxis.range;
  const plotPx = L.height - L.margin.t - L.margin.b;
  assert.equal(plotPx, 300);
  assert.ok(((0.8706 - lo) / (hi - lo)) * plotPx >= 50, `${(((0.8706 - lo) / (hi - lo)) * plotPx).toFixed(1)} px under the lowest point`);
  assert.ok(((hi - 0.8896) / (hi - lo)) * plotPx >= 50, "and room over the highest for its bubble and label");
});

test("logTicks: minGap keeps the roundest ticks first; labelPositions puts the lower of a close pair's labels below", () => {
  const t = logTicks(Math.log10(70_000), Math.log10(160_000), { minGap: 0.1 });
  assert.deepEqual(t.ticktext, ["70k", "100k", "150k"]);
  assert.deepEqual(logTicks(3, 6).ticktext, ["1k", "3k", "10k", "30k", "100k", "300k", "1M"]);
  assert.deepEqual(logTicks(3, 6, { minGap: 0.6 }).ticktext, ["1k", "10k", "100k", "1M"]);
  assert.deepEqual(labelPositions([5, 5.03], 1, [0.87, 0.89]), ["bottom center", "top center"]);
  assert.deepEqual(labelPositions([5, 5.03], 1, [0.89, 0.87]), ["top center", "bottom center"]);
  assert.deepEqual(labelPositions([5, 5.03], 1), ["top center", "bottom center"], "without accuracies: alternate along the axis");
  assert.deepEqual(labelPositions([4, 5], 1, [0.8, 0.9]), ["top center", "top center"], "far apart: both above");
});

test("classMetricsBars on a phone: slimmer margins, and smaller dots that keep each metric's colour and shape", () => {
  const zoomed = classMetricsBars(report).layout.meta as Any;
  assert.equal(zoomed.digitLabNarrow.below, 600);
  assert.ok(zoomed.digitLabNarrow.layout.margin.l < 80);
  const dots = zoomed.digitLabNarrow.data as Any[];
  assert.deepEqual(dots.map((d) => [d.marker.size, d.marker.symbol]), [[7, "circle"], [7, "diamond"], [7, "square"]]);
  assert.equal(new Set(dots.map((d) => d.marker.color)).size, 3);
});

test("placeLabels: on a small plot a label moves to a side where it meets no other label, bubble or edge", () => {
  const point = (x: number, y: number, label: string, radius = 4) => ({ x, y, radius, label });
  // Far apart: each label where it was asked.
  assert.deepEqual(placeLabels([point(20, 50, "a"), point(120, 50, "b")], ["top center", "top center"], 150), ["top center", "top center"]);
  // "dense-256-128-32" above its bubble would run into "dense-128" above the neighbour at the same height: it goes below.
  const close = placeLabels([point(30, 64, "dense-128"), point(70, 70, "dense-256-128-32")], ["top center", "top center"], 150, 24);
  assert.deepEqual(close, ["top center", "bottom center"]);
  // A label centred on a bubble at the right edge would leave the plot: it is written to the bubble's left.
  assert.deepEqual(placeLabels([point(148, 50, "dense-256-128-32")], ["top center"], 150), ["middle left"]);
});

test("architectureComparison: bubbles of fast models still differ; on a phone, placed labels in 11 px text and a hung title", () => {
  const row = (model: string, params: number, testAccuracy: number, secondsPerEpoch: number): ComparisonRow =>
    ({ model, params, secondsPerEpoch, bestEpoch: 5, testAccuracy, trainValGap: 0 });
  const fig = architectureComparison([row("dense-128", 101_770, 0.9767, 2.1), row("dense-256-128-32", 238_314, 0.9772, 4.3), row("cnn", 197_482, 0.9905, 190)]);
  const t = fig.data[0] as Any;
  // 2.1 and 4.3 s against 190 s: both above the smallest size Plotly draws, so 2× the seconds stays 1.4× the width.
  const size = (s: number) => Math.sqrt(s / t.marker.sizeref);
  assert.ok(size(2.1) > t.marker.sizemin && size(4.3) / size(2.1) > 1.4, `${size(2.1)} and ${size(4.3)} px, sizemin ${t.marker.sizemin}`);
  const narrow = (fig.layout as Any).meta.digitLabNarrow;
  assert.equal(narrow.data[0].textfont.size, 11);
  assert.equal(narrow.data[0].textposition.length, 3);
  assert.equal(narrow.layout.title.yanchor, "top", "the title hangs from the top, so lines wrapped on a phone grow down into the room added");
  assert.equal(narrow.layout.height - narrow.layout.margin.t, (fig.layout as Any).height - (fig.layout as Any).margin.t, "the same plot height as on a desktop");
});

test("an image grid on a phone: its title hung from the top, its colour bar a short bar", () => {
  const cells = Array.from({ length: 16 }, (_, k) => ({ pixels: new Float32Array(784).fill(k / 16), caption: `unit ${k}`, hover: "" }));
  const fig = imageGridFigure(cells, { title: "What dense_1 looks for: the weights of 16 of its 128 units", columns: 8, zmin: -1, zmax: 1, colorbarTitle: "weight", cellSize: 90 });
  const L = fig.layout as Any;
  assert.equal(L.meta.digitLabNarrow.below, L.width, "the narrow layout exactly when the grid is re-gridded");
  assert.equal(L.title.yref, undefined, "a desktop's one-line title as before");
  assert.equal(L.meta.digitLabNarrow.layout.title.yref, "container");
  const bar = L.meta.digitLabNarrow.layout.coloraxis.colorbar;
  assert.equal(bar.lenmode, "pixels");
  assert.ok(bar.len <= 260);
  assert.equal(bar.title.text, "weight");
  assert.equal(L.meta.digitLabNarrow.layout.coloraxis.cmax, 1, "the rest of the colour axis kept");
  assert.equal(imageGridFigure(cells, { title: "t" }).layout.meta && (imageGridFigure(cells, { title: "t" }).layout.meta as Any).digitLabNarrow.layout.coloraxis, undefined, "no colour bar, no colour axis override");
});
