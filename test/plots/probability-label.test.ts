/** probabilityLabel: class probabilities labelled like confidenceLabel, never certain nor impossible. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { confidenceLabel, probabilityLabel } from "../../src/plots/evaluation";

test("probabilityLabel rounds like confidenceLabel in the middle and keeps one decimal near either end", () => {
  for (const p of [0.005, 0.163, 0.5, 0.82, 0.994, 0.9977, 0.99996]) assert.equal(probabilityLabel(p), confidenceLabel(p), `${p}`);
  assert.equal(probabilityLabel(0.163), "16%");
  assert.equal(probabilityLabel(0.9977), "99.8%");
  assert.equal(probabilityLabel(0.0049), "0.5%", "rounding to a whole 0% would read as impossible");
  assert.equal(probabilityLabel(0.003), "0.3%");
  assert.equal(probabilityLabel(0.0005), "0.1%");
});

test("probabilityLabel never shows 100% or 0%: a float32 softmax reaches 1 and 0 by rounding", () => {
  for (const p of [0.9996, 0.99999, 1 - 1e-9, 1]) assert.equal(probabilityLabel(p), "99.9%", `${p}`);
  for (const p of [0.00049, 0.00001, 1e-30, 0]) assert.equal(probabilityLabel(p), "<0.1%", `${p}`);
});

test("confidenceLabel never shows a wrong answer as certain, not even at a softmax's exact 1", () => {
  assert.equal(confidenceLabel(1), "99.9%");
  assert.equal(confidenceLabel(0.87), "87%");
});
