import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { figuresOf, outputOf, runNotebookQuick } from "../helpers/notebooks";

test("03-compare-architectures compares the variants, then reuses cached runs", () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-runs-"));
  const notebook = path.join(NOTEBOOKS_DIR, "03-compare-architectures.ipynb");
  const run = runNotebookQuick(notebook, { DIGIT_LAB_CACHE_DIR: cacheDir });
  const variants = ["dense-128", "dense-128-64", "dense-256-128-32"];

  const table = outputOf(run, "showTable(comparisonTable(comparison.rows))");
  for (const v of variants) assert.match(table, new RegExp(`>${v}<`), `a table row for ${v}`);
  const [curves] = figuresOf(run, "trainingCurves(");
  for (const v of variants) assert.ok(curves.data.some((t) => String(t.name).includes(v)), `curves for ${v}`);
  assert.equal(figuresOf(run, "architectureComparison(comparison.rows)").length, 1);
  assert.equal(outputOf(run, "comparison.runs.map(describeOverfitting)").split("\n").filter((l) => /^dense-/.test(l)).length, 3);
  const extended = outputOf(run, "showTable(comparisonTable(more.rows))");
  for (const v of [...variants, "dense-128x3", "cnn"]) assert.match(extended, new RegExp(`>${v}<`));
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json")).length, 5, "one cached run per variant");

  // Running the notebook again trains nothing: every run comes from the cache.
  const again = runNotebookQuick(notebook, { DIGIT_LAB_CACHE_DIR: cacheDir });
  const log = outputOf(again, "await compareArchitectures(run");
  for (const v of variants) assert.match(log, new RegExp(`${v}: cached run`));
  assert.doesNotMatch(log, /training/);
});
