/**
 * The text of the `seeds --report` page for a shortened run: it says the runs are "not expected
 * to reach" a reference only when the page draws one (seed-001 reports an accuracy, seed-000 none).
 * Tiny real trainings (1,000 MNIST images, 1 epoch, 1 seed).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-seeds-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The page's "Test accuracy per seed" paragraph, for a shortened run of `recipe`. */
function seedsPageText(recipe: string): string {
  const page = path.join(tmp, `${recipe}.html`);
  const r = runCli(["seeds", "--recipe", recipe, "--seeds", "3", "--epochs", "1", "--train-limit", "1000", "--report", page], { timeout: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(page, "utf8");
  const sentence = html.match(/Each dot is one run;[^<]*/);
  assert.ok(sentence, `no description paragraph in ${page}`);
  return sentence[0];
}

test("seeds --report without a reference line does not say the runs are not expected to reach it", () => {
  const text = seedsPageText("seed-000");
  assert.doesNotMatch(text, /dashed line/, "seed-000 has neither a reported accuracy nor a target");
  assert.match(text, /These runs changed the recipe: 1 epoch instead of 10 and the first 1,000 training images only\.$/);
  assert.doesNotMatch(text, /not expected to reach/);
});

test("seeds --report with a reference line says the shortened runs are not expected to reach it", () => {
  const text = seedsPageText("seed-001");
  assert.match(text, /The dashed line is the 97\.65% the seed experiment reported for its single run of the full recipe\./);
  assert.match(text, /These runs changed the recipe: 1 epoch instead of 30 and the first 1,000 training images only, so they are not expected to reach it\.$/);
});
