import { test } from "node:test";
import * as assert from "node:assert/strict";
import { notDigitsWarning } from "../../src/predict/trained-on";

test("only a model recorded as trained on another dataset gets a warning", () => {
  assert.equal(notDigitsWarning(undefined, "m"), undefined, "no metadata.json: nothing to go on");
  assert.equal(notDigitsWarning({}, "m"), undefined);
  assert.equal(notDigitsWarning({ data: { dataset: "mnist" } }, "m"), undefined);
  assert.equal(notDigitsWarning({ data: { dataset: 7 } }, "m"), undefined, "a malformed field is ignored");
  assert.match(notDigitsWarning({ data: { dataset: "fashion-mnist" } }, "models/f")!, /^models\/f was trained on fashion-mnist.*its classes 0–9 are 0 T-shirt\/top, .*, 9 Ankle boot$/);
  const other = notDigitsWarning({ data: { dataset: "emnist-letters" } }, "m")!;
  assert.match(other, /trained on emnist-letters, not handwritten digits/);
  assert.doesNotMatch(other, /classes/, "no class names for a dataset digit-lab does not know");
});
