/**
 * README's "Your own notebook" snippet is what a user copies first: run it, as written,
 * as the cells of a fresh notebook (each `// %%` line starts one) through the real kernel.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/paths";
import { cellText, runNotebookQuick } from "../helpers/notebooks";

function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const at = readme.indexOf("**Your own notebook.**");
  assert.ok(at >= 0, "README has the snippet's paragraph");
  const block = readme.slice(at).match(/```ts\n([\s\S]*?)```/);
  assert.ok(block, "a ```ts block follows it");
  return block[1];
}

/** The snippet's cells: each `// %%` line starts one. */
function snippetCells(source: string): string[] {
  return source.split(/^(?=\/\/ %%)/m).map((cell) => cell.trimEnd()).filter((cell) => cell.length > 0);
}

test("README's own-notebook snippet runs as written in a fresh notebook", () => {
  const cells = snippetCells(readmeSnippet());
  assert.deepEqual(cells.map((c) => c.split("\n")[0].match(/^\/\/ %% (\w+)/)?.[1]), ["Setup", "Model", "Train", "Evaluate"]);
  // A folder beside notebooks/, so that the snippet's "../src" imports resolve as they do there.
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, ".readme-snippet-"));
  try {
    const notebook = path.join(dir, "snippet.ipynb");
    fs.writeFileSync(notebook, JSON.stringify({
      cells: cells.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) })),
      metadata: { kernelspec: { display_name: "TypeScript (digit-lab)", language: "typescript", name: "digit-lab" } },
      nbformat: 4,
      nbformat_minor: 5,
    }));
    const run = runNotebookQuick(notebook);
    const [setup, model, training, evaluation] = run.notebook.cells;
    assert.match(cellText(setup), /on the \w+ backend/);
    assert.match(cellText(model), /Total params: 218,058/, "dense:256-64's summary");
    assert.match(cellText(training), /epoch 1\/5/);
    const figures = (cell: typeof setup) => (cell.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"]);
    assert.equal(figures(training).length, 1, "the training curves");
    assert.equal(figures(evaluation).length, 1, "the confusion matrix");
    assert.match(cellText(evaluation), /macro avg/, "the classification table");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
