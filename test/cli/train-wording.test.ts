/** How train's progress lines and an interrupted run's report read (no training here). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatEpochLine } from "../../src/train/progress";
import { formatLoss } from "../../src/util/format";
import { trainingReport } from "../../src/report";

test("losses from a million on are in exponent notation, smaller ones keep 4 decimals", () => {
  assert.equal(formatLoss(0.08123), "0.0812");
  assert.equal(formatLoss(999_999), "999999.0000");
  assert.equal(formatLoss(72364996084263903232), "7.236e+19");
  assert.equal(formatLoss(NaN), "NaN");
  const line = formatEpochLine({ epoch: 1, loss: 72364996084263903232, accuracy: 0.1, valLoss: 3.9e20, valAccuracy: 0.4, seconds: 1.25 }, 3);
  assert.equal(line, "epoch 1/3  loss 7.236e+19  acc 0.1000  val_loss 3.900e+20  val_acc 0.4000  1.3s");
});

test("an interrupted run's report summary says its epochs once: 3 of 10 epochs (interrupted by Ctrl-C)", () => {
  const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 0.5 / epoch, accuracy: 0.9, valAccuracy: 0.88, valLoss: 0.4, seconds: 2 }));
  const spec = trainingReport({ title: "t", runs: { name: "dense-256-128-32", history, interruptedOf: 10 } });
  const summary = spec.sections.find((s) => s.heading === "Summary")?.text ?? "";
  assert.match(summary, /^dense-256-128-32: 3 of 10 epochs \(interrupted by Ctrl-C\) in 6\.0 s; /);
  assert.doesNotMatch(summary, /3 epochs \(interrupted/);
  const whole = trainingReport({ title: "t", runs: { name: "dense-128", history } }).sections.find((s) => s.heading === "Summary")?.text ?? "";
  assert.match(whole, /^dense-128: 3 epochs in 6\.0 s; /);
});
