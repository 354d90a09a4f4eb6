/**
 * Shorthand properties (`{ result, evaluation }`) that name variables of earlier cells. tslab
 * keeps an earlier cell's variables as `exports.x` and rewrites each reference, but it missed the
 * shorthand form, whose name resolves to the new property: `{ a }` threw "a is not defined".
 * The project's tslab patch writes it `{ a: exports.a }`. A real kernel run of a small notebook.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findJupyterPython, jupyterEnv } = require("../../scripts/jupyter.js");

const CELLS = [
  "const a = 1;\nlet b = 2;\nfunction echo<T>(o: T): T { return o; }",
  "JSON.stringify({ a, b, nested: { a }, list: [{ b }] })",
  "b = 5;\nJSON.stringify(echo({ b }))",
  // As an assignment target, the shorthand assigns the earlier cell's variable.
  "let z: number;\n({ a: z } = { a: 3 });\n({ b } = { b: 7 });\nJSON.stringify({ z, b })",
  // A local of the same name is still the local.
  "const shadow = () => { const a = 42; return { a }; };\nJSON.stringify(shadow())",
];

let outputs: string[] = [];

before(() => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-shorthand-"));
  const notebook = path.join(dir, "shorthand.ipynb");
  fs.writeFileSync(notebook, JSON.stringify({
    cells: CELLS.map((source) => ({ cell_type: "code", execution_count: null, metadata: {}, outputs: [], source })),
    metadata: { kernelspec: { display_name: "TypeScript (digit-lab)", language: "typescript", name: "digit-lab" } },
    nbformat: 4,
    nbformat_minor: 5,
  }));
  try {
    const run = spawnSync(findJupyterPython(), ["-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--output-dir", dir, notebook],
      { env: jupyterEnv({}), encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const cells = JSON.parse(fs.readFileSync(notebook, "utf8")).cells as { outputs: { output_type: string; text?: string | string[]; evalue?: string }[] }[];
    outputs = cells.map((c) => c.outputs.map((o) => (o.output_type === "error" ? `error: ${o.evalue}` : [o.text ?? ""].flat().join(""))).join("").trim());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a shorthand property reads an earlier cell's variable", () => {
  assert.equal(outputs[1], '{"a":1,"b":2,"nested":{"a":1},"list":[{"b":2}]}');
  assert.equal(outputs[2], '{"b":5}', "the variable's current value, in a call's argument");
});

test("as an assignment target it assigns the earlier cell's variable; a local of the same name stays local", () => {
  assert.equal(outputs[3], '{"z":3,"b":7}');
  assert.equal(outputs[4], '{"a":42}');
});
