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

test("trainingCurves marks the epoch early stopping kept (a star) and, for one run, each learning-rate change", () => {
  const rates = [1e-3, 1e-3, 5e-4, 5e-4, 2.5e-4];
  const scheduled: EpochLog[] = rates.map((learningRate, i) => ({
    epoch: i + 1, loss: 1 / (i + 1), accuracy: 0.9, valLoss: [0.5, 0.4, 0.3, 0.35, 0.36][i], valAccuracy: [0.9, 0.92, 0.95, 0.94, 0.93][i], seconds: 1, learningRate,
  }));
  const fig = trainingCurves({ name: "dense", history: scheduled, restoredEpoch: 3 });
  const stars = (fig.data as Any[]).filter((t) => t.marker?.symbol === "star");
  assert.deepEqual(stars.map((t) => [t.yaxis, t.x[0], t.y[0]]), [["y", 3, 0.3], ["y2", 3, 0.95]], "on both validation curves at epoch 3");
  assert.deepEqual(stars.map((t) => t.showlegend), [true, false], "one legend entry");
  assert.equal(stars[0].name, "weights kept: epoch 3");
  assert.match(stars[1].hovertemplate, /kept the weights of epoch 3<br>validation accuracy/);
  const L = fig.layout as Any;
  // Rates change before epochs 3 and 5: a dotted line at 2.5 and 4.5 on both subplots, labelled once.
  assert.deepEqual(L.shapes.map((s: Any) => [s.xref, s.x0, s.line.dash]), [["x", 2.5, "dot"], ["x2", 2.5, "dot"], ["x", 4.5, "dot"], ["x2", 4.5, "dot"]]);
  assert.deepEqual(L.annotations.filter((a: Any) => /^lr /.test(a.text)).map((a: Any) => [a.text, a.x]), [["lr 0.0005", 2.5], ["lr 0.00025", 4.5]]);

  // Nothing to mark: the kept epoch is the last, no rate changed, or no rate was recorded.
  const plain = trainingCurves({ name: "dense", history: scheduled.map((e) => ({ ...e, learningRate: 1e-3 })), restoredEpoch: 5 });
  assert.equal((plain.data as Any[]).filter((t) => t.marker?.symbol === "star").length, 0);
  assert.equal((plain.layout as Any).shapes, undefined);
  assert.equal(trainingCurves({ name: "old", history: history(1) }).layout.shapes, undefined);

  // Several runs: a star per run in its colour, named in the hover; no rate lines (the runs' schedules differ).
  const two = trainingCurves([{ name: "a", history: scheduled, restoredEpoch: 3 }, { name: "b", history: scheduled, restoredEpoch: 2 }]);
  const twoStars = (two.data as Any[]).filter((t) => t.marker?.symbol === "star");
  assert.deepEqual(twoStars.map((t) => [t.x[0], t.marker.color, t.showlegend]), [[3, PALETTE[0], false], [3, PALETTE[0], false], [2, PALETTE[1], false], [2, PALETTE[1], false]]);
  assert.equal(twoStars[2].name, "b: weights of epoch 2");
  assert.equal((two.layout as Any).shapes, undefined);
});
