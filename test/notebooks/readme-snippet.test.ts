/**
 * README's "Your own notebook" snippet is what a user copies first: run it, as written,
 * as one cell of a fresh notebook through the real kernel.
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

test("README's own-notebook snippet runs as written in a fresh notebook", () => {
  const source = readmeSnippet();
  // A folder beside notebooks/, so that the snippet's "../src" imports resolve as they do there.
  const dir = fs.mkdtempSync(path.join(PROJECT_ROOT, ".readme-snippet-"));
  try {
    const notebook = path.join(dir, "snippet.ipynb");
    fs.writeFileSync(notebook, JSON.stringify({
      cells: [{ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source: source.split(/(?<=\n)/) }],
      metadata: { kernelspec: { display_name: "TypeScript (digit-lab)", language: "typescript", name: "digit-lab" } },
      nbformat: 4,
      nbformat_minor: 5,
    }));
    const run = runNotebookQuick(notebook);
    const [cell] = run.notebook.cells;
    const text = cellText(cell);
    assert.match(text, /Total params: 218,058/, "dense:256-64's summary");
    assert.match(text, /epoch 1\/5/);
    const figures = (cell.outputs ?? []).filter((o) => o.data?.["application/vnd.plotly.v1+json"]);
    assert.equal(figures.length, 2, "training curves and confusion matrix");
    assert.match(text, /macro avg/, "the classification table");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
