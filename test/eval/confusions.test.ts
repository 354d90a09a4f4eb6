import { test } from "node:test";
import * as assert from "node:assert/strict";
import { confusionMatrix, topConfusions } from "../../src/eval";

test("topConfusions lists the largest off-diagonal cells, most frequent first", () => {
  // true:      0 0 0 1 1 2 2 2 2 2
  // predicted: 0 1 1 1 2 2 0 0 1 2
  const cm = confusionMatrix([0, 0, 0, 1, 1, 2, 2, 2, 2, 2], [0, 1, 1, 1, 2, 2, 0, 0, 1, 2], 3);
  assert.deepEqual(topConfusions(cm), [
    { trueLabel: 0, predicted: 1, count: 2 },
    { trueLabel: 2, predicted: 0, count: 2 },
    { trueLabel: 1, predicted: 2, count: 1 },
    { trueLabel: 2, predicted: 1, count: 1 },
  ]);
  assert.deepEqual(topConfusions(cm, 1), [{ trueLabel: 0, predicted: 1, count: 2 }]);
  assert.deepEqual(topConfusions(confusionMatrix([0, 1, 2], [0, 1, 2], 3)), [], "no mistakes, no confusions");
});
