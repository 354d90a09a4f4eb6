import { test } from "node:test";
import assert from "node:assert/strict";
import { describeFsCode, describeFsError, isFsError } from "../../src/util/fs-errors";

test("codes without words, errors without codes, and per-context wording", () => {
  assert.equal(describeFsCode("EACCES"), "permission denied");
  assert.equal(describeFsCode("EWHATEVER"), "error EWHATEVER");
  assert.equal(describeFsCode(undefined), "unknown error");
  const enoent = Object.assign(new Error("ENOENT: raw"), { code: "ENOENT" });
  assert.equal(describeFsError(enoent), "no such file or folder");
  assert.equal(describeFsError(enoent, { ENOENT: "file not found" }), "file not found");
  assert.equal(describeFsError(new Error("plain failure")), "plain failure");
  assert.ok(isFsError(enoent));
  assert.ok(!isFsError(new Error("no code")));
  assert.ok(!isFsError(Object.assign(new Error("x"), { code: "ERR_INVALID_ARG_TYPE" })));
});
