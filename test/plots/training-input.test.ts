/**
 * trainingCurves takes what train() returns as a Keras user would pass it: the history array,
 * the whole result, or named runs; a wrong argument is named.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { trainingCurves } from "../../src/plots";
import type { EpochLog } from "../../src/types";

const history: EpochLog[] = [1, 2, 3].map((epoch) => ({
  epoch, loss: 1 / epoch, accuracy: 0.8 + epoch / 100, valLoss: 1.1 / epoch, valAccuracy: 0.79 + epoch / 100, seconds: 1,
}));

const traceNames = (fig: ReturnType<typeof trainingCurves>) => fig.data.map((t) => String(t.name));

test("result.history alone draws one run, named 'model' or as asked", () => {
  const fig = trainingCurves(history);
  assert.equal(fig.data.filter((t) => t.type === "scatter").length, 4, "loss and accuracy, train and validation");
  assert.ok(traceNames(fig).every((n) => n.startsWith("model (")), traceNames(fig).join(", "));
  assert.deepEqual(trainingCurves(history, { name: "dense:128" }).layout.title, trainingCurves({ name: "dense:128", history }).layout.title);
});

test("the whole result brings the epoch early stopping put back (a star)", () => {
  const stars = (fig: ReturnType<typeof trainingCurves>) => fig.data.filter((t) => JSON.stringify(t).includes("star")).length;
  assert.equal(stars(trainingCurves({ history, restoredEpoch: 2, secondsPerEpoch: 1 } as { history: EpochLog[]; restoredEpoch: number })), 2);
  assert.equal(stars(trainingCurves(history)), 0);
});

test("named runs overlay as before; anything else is named in the error", () => {
  const fig = trainingCurves([{ name: "a", history }, { name: "b", history }]);
  assert.ok(traceNames(fig).includes("a") && traceNames(fig).includes("b"), traceNames(fig).join(", "));
  assert.throws(() => trainingCurves([]), /at least one run/);
  assert.throws(() => trainingCurves(42 as never), /takes result\.history \(or the result\) from train\(\)/);
});
