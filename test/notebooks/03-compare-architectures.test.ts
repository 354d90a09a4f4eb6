import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NOTEBOOKS_DIR, type ExecutedNotebook } from "../../scripts/notebooks";
import { figuresOf, liveCurvesOf, liveDrawings, outputOf, runNotebookQuick } from "../helpers/notebooks";

type Curve = { name?: string; legendgroup?: string; x: number[]; xaxis: string; line: { dash: string } };

/**
 * The live comparison chart of the cell whose source contains `marker`: drawn by
 * liveComparisonCurves, one output updated in place and the cell's first, so it was there
 * before the comparison printed its first line or started training.
 */
function liveComparisonOf(executed: ExecutedNotebook, marker: string): Curve[] {
  const cell = executed.notebook.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker))!;
  assert.match([cell.source].flat().join(""), /liveComparisonCurves\(\)/, `the cell with ${marker} draws its curves live`);
  const chart = liveCurvesOf(executed, marker);
  assert.ok((cell.outputs ?? []).slice(1).some((o) => o.output_type === "stream"), "the comparison's lines come under the chart");
  return (chart as unknown as { data: Curve[] }).data;
}

/** Each run's four curves (loss and accuracy, train solid and validation dashed), `epochs` epochs each, and nothing else. */
function assertRuns(curves: Curve[], variants: string[], epochs: number[]): void {
  assert.deepEqual([...new Set(curves.map((t) => t.legendgroup))], variants, "one colour group per run, in the order compared");
  for (const v of variants) {
    const own = curves.filter((t) => t.legendgroup === v);
    assert.equal(own.length, 4, `train and validation loss and accuracy of ${v}`);
    assert.deepEqual(own.map((t) => t.line.dash).sort(), ["dash", "dash", "solid", "solid"]);
    for (const t of own) assert.deepEqual(t.x, epochs, `${v}: ${t.name} holds every epoch`);
  }
}

test("03-compare-architectures draws the comparison's curves live, compares the variants, then reuses cached runs", () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-runs-"));
  const notebook = path.join(NOTEBOOKS_DIR, "03-compare-architectures.ipynb");
  const run = runNotebookQuick(notebook, { DIGIT_LAB_CACHE_DIR: cacheDir });
  const variants = ["dense-128", "dense-128-64", "dense-256-128-32"];
  const quickEpochs = [1, 2];

  // Drawn while the comparison ran: each run trained after each of its 2 epochs; in the two more,
  // the three cached runs at once, then dense-128x3 and the cnn epoch by epoch.
  const finished = (models: string[]) => models.map((m) => `${m} 1,2`);
  const trained = (before: string[], model: string) => [[...before, `${model} 1`], [...before, `${model} 1,2`]];
  const drawings = (...states: string[][]) => ["(waiting)", ...states.map((runs) => runs.join(" | "))];
  assert.deepEqual(liveDrawings(run, "await compareArchitectures(run"), drawings(
    ...trained([], "dense-128"), ...trained(finished(variants.slice(0, 1)), "dense-128-64"), ...trained(finished(variants.slice(0, 2)), "dense-256-128-32"),
  ));
  const all = [...variants, "dense-128x3", "cnn"];
  assert.deepEqual(liveDrawings(run, "showTable(comparisonTable(more.rows))"), drawings(
    finished(variants.slice(0, 1)), finished(variants.slice(0, 2)), finished(variants),
    ...trained(finished(variants), "dense-128x3"), ...trained(finished(all.slice(0, 4)), "cnn"),
  ));

  // The three runs trained one after another, drawn in one chart above their lines and progress bars.
  assertRuns(liveComparisonOf(run, "await compareArchitectures(run"), variants, quickEpochs);
  assert.match(outputOf(run, "await compareArchitectures(run"), /dense-128: training 2 epochs/);
  assert.equal(run.notebook.cells.filter((c) => /trainingCurves\(/.test([c.source].flat().join(""))).length, 0, "no second, static chart of the same curves");

  const table = outputOf(run, "showTable(comparisonTable(comparison.rows))");
  for (const v of variants) assert.match(table, new RegExp(`>${v}<`), `a table row for ${v}`);
  assert.equal(figuresOf(run, "architectureComparison(comparison.rows)").length, 1);
  assert.equal(outputOf(run, "comparison.runs.map(describeOverfitting)").split("\n").filter((l) => /^dense-/.test(l)).length, 3);

  // Two more: the three cached runs and the two trained now, all five in the cell's live chart.
  const marker = "showTable(comparisonTable(more.rows))";
  assertRuns(liveComparisonOf(run, marker), all, quickEpochs);
  const extended = outputOf(run, marker);
  for (const v of all) assert.match(extended, new RegExp(`>${v}<`));
  assert.match(extended, /dense-128: cached run[\s\S]*cnn: training 2 epochs/);
  assert.equal(fs.readdirSync(cacheDir).filter((f) => f.endsWith(".json")).length, 5, "one cached run per variant");

  // Running the notebook again trains nothing: every run comes from the cache, and is drawn all the same.
  const again = runNotebookQuick(notebook, { DIGIT_LAB_CACHE_DIR: cacheDir });
  const log = outputOf(again, "await compareArchitectures(run");
  for (const v of variants) assert.match(log, new RegExp(`${v}: cached run`));
  assert.doesNotMatch(log, /training/);
  assertRuns(liveComparisonOf(again, "await compareArchitectures(run"), variants, quickEpochs);
});
