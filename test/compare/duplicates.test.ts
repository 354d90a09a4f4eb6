/**
 * A comparison lists each network once: the same network under two names (`dense-128` and
 * `dense:128`) would train twice and show as two rows of one result.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { compareArchitectures, networkOf, repeatedModel } from "../../src/compare";
import { initBackend } from "../../src/backend";
import { listModels, modelNames } from "../../src/models";
import { UsageError } from "../../src/errors";
import { runCli } from "../helpers/cli";

test("networkOf spells each named dense stack as its dense: spec, as its layers say", async () => {
  await initBackend({ log: null });
  for (const variant of listModels()) {
    const expected = variant.input === "flat" ? `dense:${variant.layers.slice(0, -1).join("-")}` : variant.name;
    assert.equal(networkOf(variant.name), expected, variant.name);
  }
  assert.equal(modelNames().length, listModels().length);
  assert.equal(networkOf("dense:0128-064"), "dense:128-64");
  assert.equal(networkOf(" dense:128 "), "dense:128");
});

test("repeatedModel finds a name given twice, or one network under two names", () => {
  assert.equal(repeatedModel(["cnn", "dense-128", "cnn"]), "cnn twice");
  assert.equal(repeatedModel(["dense-128", "dense:128"]), "dense-128 and dense:128, the same network");
  assert.equal(repeatedModel(["dense:128-128-128", "cnn", "dense-128x3"]), "dense:128-128-128 and dense-128x3, the same network");
  assert.equal(repeatedModel(["dense-128-64", "dense:64-128", "dense-128", "dense:256-128-32-10", "cnn"]), undefined);
  assert.throws(() => repeatedModel(["dense-128", "dense:12x"]), (err: Error) => err instanceof UsageError && /unknown model "dense:12x"/.test(err.message));
});

test("compareArchitectures refuses the same network under two names before loading or training anything", async () => {
  await assert.rejects(
    compareArchitectures({ variants: ["dense-128", "dense:128"], epochs: 1 }, { log: () => assert.fail("nothing should run") }),
    (err: Error) => err instanceof UsageError && err.message === "compareArchitectures settings: variants lists dense-128 and dense:128, the same network; each model is compared once",
  );
});

test("compare --models dense-128,dense:128 is one usage line, before any data is read", () => {
  const r = runCli(["compare", "--models", "dense-128,dense:128", "--data-dir", path.join(os.tmpdir(), "digit-lab-no-such-data-dir")], {
    env: { DIGIT_LAB_MIRRORS: "http://127.0.0.1:1/{dataset}/" },
    timeout: 60_000,
  });
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stderr, "digit-lab compare: --models lists dense-128 and dense:128, the same network; each model is compared once\n");
  assert.equal(r.stdout, "");
});
