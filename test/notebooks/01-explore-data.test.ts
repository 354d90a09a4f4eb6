import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { outputOf, runNotebookQuick } from "../helpers/notebooks";

test("01-explore-data runs headless through the tslab kernel and shows the data", () => {
  const run = runNotebookQuick(path.join(NOTEBOOKS_DIR, "01-explore-data.ipynb"));
  assert.match(outputOf(run, "initBackend()"), /on the (native|wasm|cpu) backend/);
  assert.match(outputOf(run, "loadMnist()"), /train: 60000 images of 28×28 pixels/);
  assert.match(outputOf(run, "labelCounts("), /1:  6742 train   1135 test/);
  assert.match(outputOf(run, "pixelStats("), /mean 0\.1307/);
});
