import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR, type ExecutedNotebook } from "../../scripts/notebooks";
import { outputOf, runNotebookQuick } from "../helpers/notebooks";

type Any = Record<string, any>;

/**
 * The figures a cell drew, read from its HTML output: figures over 100 kB (a 5,000-point map)
 * are not also sent as application/vnd.plotly.v1+json, so `figuresOf` does not see them.
 */
function htmlFiguresOf(run: ExecutedNotebook, marker: string): { data: Any[]; layout: Any }[] {
  const cell = run.notebook.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  assert.ok(cell, `a code cell contains ${marker}`);
  return (cell.outputs ?? []).flatMap((o) => {
    const html = [o.data?.["text/html"] ?? ""].flat().join("");
    const m = /, fig = (\{.*\}), waited = 0,/.exec(html);
    return m ? [JSON.parse(m[1])] : [];
  });
}

test("01-explore-data runs headless through the tslab kernel and shows the data", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "01-explore-data.ipynb"));
  assert.match(outputOf(run, "initBackend()"), /on the (native|wasm|cpu) backend/);
  assert.match(outputOf(run, "loadMnist()"), /train: 60000 images of 28×28 pixels/);
  assert.match(outputOf(run, "labelCounts("), /1:  6742 train   1135 test/);
  assert.match(outputOf(run, "pixelStats("), /mean 0\.1307/);
  // The PCA map of the raw test pixels: one trace per digit, 5,000 sampled points, variance shares on the axes.
  const [map] = htmlFiguresOf(run, "embeddingScatter(");
  assert.ok(map, "the pixel map is drawn");
  assert.deepEqual(map.data.map((t) => t.name), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.equal(map.data.reduce((n, t) => n + t.x.length, 0), 5000);
  assert.equal(map.layout.xaxis.title.text, "PC 1 (10.0% of variance)", "MNIST test pixels' first component");
  assert.equal(map.layout.yaxis.title.text, "PC 2 (7.5% of variance)");
});
