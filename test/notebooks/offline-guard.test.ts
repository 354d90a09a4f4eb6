/**
 * Opening a notebook and running all cells with no data and no way to download it must
 * stop at the loading cell with an error that says which file is missing and what to do.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { NOTEBOOKS_DIR, NotebookError } from "../../scripts/notebooks";
import { runNotebookQuick } from "../helpers/notebooks";

test("01-explore-data offline with no data: the loading cell explains what to do", () => {
  const emptyDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-nodata-"));
  assert.throws(
    () => runNotebookQuick(path.join(NOTEBOOKS_DIR, "01-explore-data.ipynb"), {
      DIGIT_LAB_DATA_DIR: emptyDataDir,
      DIGIT_LAB_MIRRORS: "http://127.0.0.1:9/", // nothing listens there: as good as offline
    }),
    (e: Error) =>
      e instanceof NotebookError &&
      /const mnist = await loadMnist\(\)/.test(e.message) &&
      new RegExp(`${emptyDataDir}/mnist/train-images-idx3-ubyte.gz: missing, and it could not be downloaded`).test(e.message) &&
      /If this machine is offline, copy the original file there \(or set DIGIT_LAB_DATA_DIR/.test(e.message),
  );
  assert.deepEqual(fs.readdirSync(emptyDataDir).flatMap((d) => fs.readdirSync(path.join(emptyDataDir, d))), [], "nothing half-written");
});
