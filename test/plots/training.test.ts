import { test } from "node:test";
import assert from "node:assert/strict";
import { PALETTE, trainingCurves } from "../../src/plots";
import type { EpochLog, RunHistory } from "../../src/types";

type Any = Record<string, any>;

const history = (scale: number, withValidation = true): EpochLog[] =>
  [1, 2, 3].map((epoch) => ({
    epoch,
    loss: scale / epoch,
    accuracy: 1 - 0.1 * scale / epoch,
    ...(withValidation ? { valLoss: scale / epoch + 0.05, valAccuracy: 0.98 - 0.1 * scale / epoch } : {}),
    seconds: 1.5,
  }));

test("trainingCurves: loss and accuracy subplots, train solid and validation dashed", () => {
  const fig = trainingCurves({ name: "dense", history: history(1) });
  assert.equal(fig.data.length, 4); // loss train/val + accuracy train/val
  const traces = fig.data as Any[];
  const byName = (axis: string, dash: string) => traces.find((t) => t.yaxis === axis && t.line.dash === dash)!;
  const lossTrain = byName("y", "solid");
  const lossVal = byName("y", "dash");
  const accVal = byName("y2", "dash");
  assert.deepEqual(lossTrain.x, [1, 2, 3]);
  assert.deepEqual(lossTrain.y, [1, 0.5, 0.33333]);
  assert.deepEqual(lossVal.y, [1.05, 0.55, 0.38333]);
  assert.deepEqual(accVal.y, [0.88, 0.93, 0.94667]);
  assert.equal(accVal.xaxis, "x2");
  assert.equal(lossTrain.name, "dense (train)");
  assert.equal(lossVal.name, "dense (validation)");
  assert.match(lossTrain.hovertemplate, /dense<br>train loss, epoch %\{x\}/);
  assert.match(accVal.hovertemplate, /validation accuracy/);
  // Legend entries once per series (on the loss side only).
  assert.deepEqual(traces.filter((t) => t.showlegend).map((t) => t.name), ["dense (train)", "dense (validation)"]);
  const L = fig.layout as Any;
  assert.equal(L.title.text, "Training curves: dense");
  assert.equal(L.xaxis.title.text, "epoch");
  assert.equal(L.yaxis.title.text, "loss");
  assert.equal(L.xaxis2.title.text, "epoch");
  assert.equal(L.yaxis2.title.text, "accuracy");
});

test("trainingCurves overlays several runs, one colour per run, and skips missing validation", () => {
  const runs: RunHistory[] = [
    { name: "dense", history: history(1) },
    { name: "cnn", history: history(0.5) },
    { name: "no-val", history: history(2, false) },
  ];
  const fig = trainingCurves(runs);
  const traces = fig.data as Any[];
  assert.equal(traces.length, 4 + 4 + 2);
  runs.forEach((run, k) => {
    const mine = traces.filter((t) => t.name.startsWith(run.name + " "));
    assert.ok(mine.length > 0);
    for (const t of mine) assert.equal(t.line.color, PALETTE[k], `${run.name} in its colour`);
  });
  assert.equal(traces.filter((t) => t.name.startsWith("no-val") && t.line.dash === "dash").length, 0);
  assert.match((fig.layout.title as Any).text, /3 runs/);
  assert.throws(() => trainingCurves([]), /at least one run/);
});

test("trainingCurves: side by side without overlap, stacked on narrow screens, legend below the axis titles", () => {
  const fig = trainingCurves({ name: "dense", history: history(1) });
  const L = fig.layout as Any;
  assert.ok(L.xaxis.domain[1] + 0.1 <= L.xaxis2.domain[0], "room for the accuracy axis between the plots");
  assert.equal(L.legend.yanchor, "top", "a bottom legend grows downwards, not onto the \"epoch\" titles");
  const narrow = L.meta.digitLabNarrow;
  assert.equal(narrow.below, 600);
  const N = narrow.layout;
  assert.deepEqual([N.xaxis.domain, N.xaxis2.domain], [[0, 1], [0, 1]], "each plot the full width");
  assert.ok(N.yaxis2.domain[1] < N.yaxis.domain[0], "accuracy below loss, not overlapping");
  assert.ok(N.height > L.height);
});

test("trainingCurves with several runs: one legend entry per run", () => {
  const fig = trainingCurves([{ name: "dense", history: history(1) }, { name: "cnn", history: history(0.5) }]);
  const shown = (fig.data as Any[]).filter((t) => t.showlegend);
  assert.deepEqual(shown.map((t) => t.name), ["dense", "cnn"]);
  for (const t of fig.data as Any[]) assert.ok(t.legendgroup === "dense" || t.legendgroup === "cnn", "a run's traces toggle together");
});
