import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
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

test("plain `nbconvert --execute` numbers the cells: the kernel broadcasts execute_input (patched tslab)", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { findJupyterPython, jupyterEnv } = require("../../scripts/jupyter.js");
  const fixture = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "numbered.ipynb");
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-numbered-"));
  const run = spawnSync(findJupyterPython(), ["-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir", outDir, fixture],
    { env: jupyterEnv(), encoding: "utf8" });
  assert.equal(run.status, 0, run.stderr);
  const cells = JSON.parse(fs.readFileSync(path.join(outDir, "numbered.ipynb"), "utf8")).cells as { execution_count: number | null; outputs: { text?: string[] }[] }[];
  assert.deepEqual(cells.map((c) => c.execution_count), [1, 2, 3]);
  assert.match([cells[1].outputs[0]?.text ?? ""].flat().join(""), /the answer is 42/);
});

test("a digit-lab error in a cell is one line, \"Name: message\", without a stack (patched tslab)", () => {
  const fixture = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "library-error.ipynb");
  assert.throws(
    () => runNotebookQuick(fixture),
    (e: Error) => {
      const shown = e.message.split("with this error:\n")[1]?.split("\n(partially executed copy")[0].trim();
      assert.match(shown ?? "", /^UsageError: unknown model "dense-12x": choose one of .*dense:512-256"$/);
      return true;
    },
  );
});

test("plain `nbconvert --execute` stops at a failing cell and names its error (patched tslab: an iopub error)", () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { findJupyterPython, jupyterEnv } = require("../../scripts/jupyter.js");
  const fixture = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "broken.ipynb");
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-broken-"));
  const run = spawnSync(findJupyterPython(), ["-m", "nbconvert", "--to", "notebook", "--execute", "--output-dir", outDir, fixture],
    { env: jupyterEnv(), encoding: "utf8" });
  assert.notEqual(run.status, 0, "the run fails");
  // nbclient's CellExecutionError quotes the kernel's ename and evalue, which tslab used to leave empty.
  assert.match(run.stderr, /CellExecutionError/);
  assert.match(run.stderr.replace(/\x1b\[[0-9;]*m/g, ""), /Error: the broken fixture failed on purpose: 2/);
  assert.doesNotMatch(run.stderr, /never reached/);
  assert.equal(fs.existsSync(path.join(outDir, "broken.ipynb")), false);
});
