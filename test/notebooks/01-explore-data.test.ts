import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { figuresOf, outputOf, runNotebookQuick } from "../helpers/notebooks";

type Any = Record<string, any>;

test("01-explore-data runs headless through the tslab kernel and shows the data", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "01-explore-data.ipynb"));
  assert.match(outputOf(run, "initBackend()"), /on the (native|wasm|cpu) backend/);
  assert.match(outputOf(run, "loadMnist()"), /train: 60,000 images of 28×28 pixels/);
  assert.match(outputOf(run, "labelCounts("), /1:  6742 train   1135 test/);
  assert.match(outputOf(run, "pixelStats("), /mean 0\.1307/);
  // The PCA map of the raw test pixels: one trace per digit, 5,000 sampled points, variance shares on the axes.
  const [map] = figuresOf(run, "embeddingScatter(") as unknown as { data: Any[]; layout: Any }[];
  assert.ok(map, "the pixel map is drawn");
  assert.deepEqual(map.data.map((t) => t.name), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
  assert.equal(map.data.reduce((n, t) => n + t.x.length, 0), 5000);
  assert.equal(map.layout.xaxis.title.text, "PC 1 (10.0% of variance)", "MNIST test pixels' first component");
  assert.equal(map.layout.yaxis.title.text, "PC 2 (7.5% of variance)");
});
