import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { NotebookError } from "../../scripts/notebooks";
import { PROJECT_ROOT } from "../helpers/paths";
import { runNotebookQuick } from "../helpers/notebooks";

test("a failing notebook cell fails the run with that cell's source and its own error text", () => {
  const broken = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "broken.ipynb");
  assert.throws(
    () => runNotebookQuick(broken),
    (e: Error) =>
      e instanceof NotebookError &&
      /broken\.ipynb: cell 1 failed:/.test(e.message) &&
      /throw new Error\("the broken fixture failed on purpose/.test(e.message) &&
      /Error: the broken fixture failed on purpose: 2/.test(e.message),
  );
});
