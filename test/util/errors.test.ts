/** The error classes: the file is in the message and readable as `err.file`, but never printed twice. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as util from "node:util";
import { DataError, DigitLabError, ModelFileError, UsageError } from "../../src/errors";

test("err.file is readable but not an enumerable field, so printing an error shows no `{ file: … }` after the stack", () => {
  const withFile = new ModelFileError("weights file is missing", "/tmp/m/weights.bin");
  assert.equal(withFile.file, "/tmp/m/weights.bin");
  assert.equal(withFile.message, "/tmp/m/weights.bin: weights file is missing");
  assert.equal(withFile.name, "ModelFileError");
  assert.ok(withFile instanceof DigitLabError && withFile instanceof Error);
  const without = new UsageError("epochs must be a whole number");
  assert.equal(without.file, undefined);

  for (const err of [withFile, without, new DataError("label 12 at index 3 is not a class 0–9", "labels.gz")]) {
    assert.equal(Object.keys(err).includes("file"), false, `${err.name}: file is enumerable`);
    // What Node, and so tslab (console.log / uncaught errors), prints: the stack and nothing after it.
    const printed = util.inspect(err);
    assert.doesNotMatch(printed, /file:/, printed);
    assert.ok(printed.trimEnd().endsWith(")"), `ends with a stack frame:\n${printed}`);
  }
  // The path is in the printed message exactly once.
  assert.equal(util.inspect(withFile).split("/tmp/m/weights.bin").length - 1, 1);
});
