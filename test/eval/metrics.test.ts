/** Confusion matrix, scikit-learn-style report and misclassified examples, on hand-computed cases. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accuracy,
  argmaxRows,
  classificationReport,
  confusionMatrix,
  misclassified,
} from "../../src/eval/metrics";
import { formatClassificationReport, formatConfusionMatrix } from "../../src/eval/format";

// 3 classes, 8 examples:
//   true  0 0 0 1 1 1 2 2
//   pred  0 0 1 1 1 2 2 0
const TRUE = [0, 0, 0, 1, 1, 1, 2, 2];
const PRED = [0, 0, 1, 1, 1, 2, 2, 0];

const close = (a: number, b: number, msg?: string) => assert.ok(Math.abs(a - b) < 1e-12, `${msg ?? ""} ${a} ≠ ${b}`);

test("confusion matrix counts[true][predicted]", () => {
  assert.deepEqual(confusionMatrix(TRUE, PRED, 3), [
    [2, 1, 0],
    [0, 2, 1],
    [1, 0, 1],
  ]);
  assert.throws(() => confusionMatrix([0, 1], [0], 3), RangeError);
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), RangeError);
});

test("classification report matches scikit-learn on the hand-computed case", () => {
  const r = classificationReport(TRUE, PRED, 3);
  // class 0: tp 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
  // class 1: tp 2, predicted 3, support 3 → P 2/3, R 2/3, F1 2/3
  // class 2: tp 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
  const expected = [
    [2 / 3, 2 / 3, 2 / 3, 3],
    [2 / 3, 2 / 3, 2 / 3, 3],
    [1 / 2, 1 / 2, 1 / 2, 2],
  ];
  r.classes.forEach((c, i) => {
    assert.equal(c.label, i);
    close(c.precision, expected[i][0], `P${i}`);
    close(c.recall, expected[i][1], `R${i}`);
    close(c.f1, expected[i][2], `F${i}`);
    assert.equal(c.support, expected[i][3]);
  });
  close(r.accuracy, 5 / 8);
  close(r.macro.precision, (2 / 3 + 2 / 3 + 1 / 2) / 3);
  close(r.macro.f1, (2 / 3 + 2 / 3 + 1 / 2) / 3);
  close(r.weighted.recall, (3 * (2 / 3) + 3 * (2 / 3) + 2 * (1 / 2)) / 8);
  assert.equal(r.macro.support, 8);
  assert.equal(r.weighted.support, 8);
  close(accuracy(TRUE, PRED), 5 / 8);
});

test("zero division gives 0, as scikit-learn's zero_division=0", () => {
  // Class 2 is never predicted and class 1 never occurs.
  const r = classificationReport([0, 0, 2], [0, 1, 0], 3);
  assert.equal(r.classes[1].precision, 0); // predicted once, never right
  assert.equal(r.classes[1].recall, 0); // support 0
  assert.equal(r.classes[1].support, 0);
  assert.equal(r.classes[2].precision, 0); // never predicted
  assert.equal(r.classes[2].f1, 0);
  close(r.classes[0].precision, 1 / 2);
  close(r.classes[0].recall, 1 / 2);
  // Weighted average: support-weighted, so class 1 (support 0) does not count.
  close(r.weighted.precision, (2 * 0.5 + 1 * 0) / 3);
  // Macro average over the classes among the labels or the predictions (all three here).
  close(r.macro.precision, (0.5 + 0 + 0) / 3);
  // A class absent from both (3 here) is left out of the macro average, as scikit-learn's default:
  // classification_report([0, 0, 2], [0, 1, 0]) gives macro precision 0.1667, not 0.125.
  const withAbsent = classificationReport([0, 0, 2], [0, 1, 0], 4);
  close(withAbsent.macro.precision, (0.5 + 0 + 0) / 3);
  close(withAbsent.macro.recall, (0.5 + 0 + 0) / 3);
  const empty = classificationReport([], [], 2);
  assert.equal(empty.accuracy, 0);
  assert.equal(empty.macro.f1, 0);
});

test("misclassified lists mistakes with confidence, most confident first, with pixels", () => {
  const probs = new Float32Array([
    0.9, 0.1, // 0 → right
    0.2, 0.8, // true 0 → predicted 1 (0.8)
    0.6, 0.4, // true 1 → predicted 0 (0.6)
    0.05, 0.95, // true 0 → predicted 1 (0.95)
  ]);
  const images = new Uint8Array(4 * 4).map((_, i) => i);
  const wrong = misclassified([0, 0, 1, 0], probs, { numClasses: 2, images, imageSize: 4 });
  assert.deepEqual(wrong.map((w) => [w.index, w.trueLabel, w.predicted]), [[3, 0, 1], [1, 0, 1], [2, 1, 0]]);
  close(wrong[0].confidence, Math.fround(0.95));
  assert.deepEqual(Array.from(wrong[0].pixels!), [12, 13, 14, 15]);
  assert.deepEqual(misclassified([0, 0, 1, 0], probs, { numClasses: 2, order: "index", limit: 2 }).map((w) => w.index), [1, 2]);
  assert.deepEqual(Array.from(argmaxRows(probs, 2)), [0, 1, 0, 1]);
  assert.throws(() => misclassified([0], probs, { numClasses: 2 }), RangeError);
});

test("text renderings are aligned like scikit-learn's", () => {
  const text = formatClassificationReport(classificationReport(TRUE, PRED, 3), 2);
  const lines = text.split("\n");
  assert.equal(lines[0], "              precision    recall  f1-score   support");
  assert.equal(lines[2], "           0       0.67      0.67      0.67         3");
  // (0.625 prints as 0.63 here; Python's round-half-even would print 0.62.)
  assert.equal(lines[6], "    accuracy                           0.63         8");
  assert.equal(lines[7], "   macro avg       0.61      0.61      0.61         8");
  assert.equal(lines[8], "weighted avg       0.63      0.63      0.63         8");
  const cm = formatConfusionMatrix([[2, 1], [0, 12]]).split("\n");
  assert.equal(cm.length, 3);
  assert.equal(cm[0].length, cm[2].length);
});
