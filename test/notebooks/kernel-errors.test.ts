/**
 * How the patched tslab kernel reports errors: as Jupyter `error` outputs (ename, evalue,
 * traceback), so front ends show a red error box and `nbconvert --allow-errors` records them.
 * One real kernel run of test/fixtures/notebooks/kernel-errors.ipynb serves every test here.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT, REAL_DATA_DIR } from "../helpers/paths";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findJupyterPython, jupyterEnv } = require("../../scripts/jupyter.js");

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  traceback?: string[];
}
interface Cell {
  source: string | string[];
  execution_count: number | null;
  outputs: Output[];
}

const FIXTURE = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "kernel-errors.ipynb");
/** Kernel frames a user should never see in a traceback. */
const KERNEL_FRAME = /node_modules[\\/]tslab|\(node:|at node:|evalmachine/;

let cells: Cell[] = [];

before(() => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-kernel-errors-"));
  const run = spawnSync(
    findJupyterPython(),
    ["-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors", "--output-dir", outDir, FIXTURE],
    { env: jupyterEnv({ DIGIT_LAB_DATA_DIR: REAL_DATA_DIR }), encoding: "utf8" },
  );
  assert.equal(run.status, 0, run.stderr);
  cells = JSON.parse(fs.readFileSync(path.join(outDir, "kernel-errors.ipynb"), "utf8")).cells;
});

function cellWith(marker: string): Cell {
  const cell = cells.find((c) => [c.source].flat().join("").includes(marker));
  if (!cell) throw new Error(`no cell contains ${JSON.stringify(marker)}`);
  return cell;
}

/** The cell's one error output; it must not also print the error on stderr. */
function errorOf(marker: string): Output & { ename: string; evalue: string; traceback: string[]; raw: string[] } {
  const cell = cellWith(marker);
  const errors = cell.outputs.filter((o) => o.output_type === "error");
  assert.equal(errors.length, 1, `one error output expected in ${JSON.stringify(marker)}: ${JSON.stringify(cell.outputs)}`);
  const stderr = cell.outputs.filter((o) => o.output_type === "stream" && o.name === "stderr");
  assert.deepEqual(stderr, [], "the error is an error output, not (also) a stderr stream");
  // The name is red, as in IPython's tracebacks; the assertions below read the plain text.
  const error = errors[0] as Output & { ename: string; evalue: string; traceback: string[] };
  return { ...error, raw: error.traceback, traceback: error.traceback.map((l) => l.replace(ANSI, "")) };
}

const ANSI = /\x1b\[[0-9;]*m/g;

test("a digit-lab error is an error output with its class as ename and the one-line message", () => {
  const e = errorOf('buildModel("dense-12x")');
  assert.equal(e.ename, "UsageError");
  assert.match(e.evalue, /^unknown model "dense-12x": choose one of .*dense:512-256"$/);
  assert.deepEqual(e.traceback, [`UsageError: ${e.evalue}`]);
  assert.deepEqual(e.raw, [`\x1b[0;31mUsageError\x1b[0m: ${e.evalue}`], "the name in red");
});

test("a plain Error is ename Error, evalue its message, and its traceback has no kernel frames", () => {
  const e = errorOf('throw new Error("boom")');
  assert.equal(e.ename, "Error");
  assert.equal(e.evalue, "boom");
  assert.equal(e.traceback[0], "Error: boom");
  assert.deepEqual(e.traceback.filter((l) => KERNEL_FRAME.test(l)), []);
});

test("an error thrown inside the library keeps the library's frames, drops the kernel's", () => {
  const e = errorOf("prepareSet(tiny, [5])");
  assert.equal(e.ename, "RangeError");
  assert.equal(e.evalue, "index 5 is outside 0..0");
  const batches = path.join(PROJECT_ROOT, "src", "train", "batches.ts");
  const frame = e.traceback.find((l) => l.startsWith("    at prepareSet ("));
  assert.ok(frame, e.traceback.join("\n"));
  const where = /\((.*):(\d+):\d+\)$/.exec(frame);
  assert.equal(where?.[1], batches, "the TypeScript source, not the JavaScript tslab compiled from it");
  const thrown = fs.readFileSync(batches, "utf8").split("\n")[Number(where?.[2]) - 1];
  assert.match(thrown, /throw new RangeError/, "the line of the throw");
  assert.deepEqual(e.traceback.filter((l) => KERNEL_FRAME.test(l)), []);
});

/** "<file>:<line>:<column>" of the marked line's `token` in a fixture file. */
function siteOf(file: string, marker: string, token: string): string {
  const lines = fs.readFileSync(file, "utf8").split("\n");
  const line = lines.findIndex((l) => l.includes(marker));
  assert.ok(line >= 0 && lines[line].includes(token), `${marker} / ${token} in ${file}`);
  return `${file}:${line + 1}:${lines[line].indexOf(token) + 1}`;
}

const FAILING_MODULE = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks", "failing-module.ts");

test("frames in a TypeScript module and in cells name the .ts file or cell, with line and column", () => {
  const e = errorOf("totalPixels(rows);");
  assert.equal(e.ename, "TypeError");
  assert.equal(e.evalue, "Cannot read properties of undefined (reading 'length')");
  const defining = cellWith("function totalPixels").execution_count;
  const calling = cellWith("totalPixels(rows);").execution_count;
  assert.deepEqual(e.traceback, [
    `TypeError: ${e.evalue}`,
    `    at pixelCount (${siteOf(FAILING_MODULE, "throw site: TypeError", "length")})`,
    "    at Array.map (<anonymous>)",
    // The function a previous cell defined: its own cell's line, where it calls pixelCount.
    `    at totalPixels (Cell In[${defining}]:4:15)`,
    `    at Cell In[${calling}]:2:1`,
  ]);
});

test("a plain Error thrown in a TypeScript module names the line and column of its throw", () => {
  const e = errorOf("checkedLabel({ label: digit })");
  assert.equal(e.ename, "Error");
  assert.equal(e.evalue, `label 12 of ${path.join("rows", "0")} is not a digit`);
  assert.equal(e.traceback[1], `    at checkedLabel (${siteOf(FAILING_MODULE, "throw site: Error", "new Error")})`);
  assert.deepEqual(e.traceback.filter((l) => /\.js:\d+/.test(l)), [], "no frame names compiled JavaScript");
});

test("a cell's own frames name the cell and its lines", () => {
  const e = errorOf('throw new Error("boom")');
  const cell = cellWith('throw new Error("boom")').execution_count;
  assert.deepEqual(e.traceback.slice(1), [`    at failDeep (Cell In[${cell}]:2:9)`, `    at Cell In[${cell}]:4:1`]);
});

/** The text a cell printed on one stream ("stdout" or "stderr"). */
function streamOf(marker: string, name: "stdout" | "stderr"): string {
  const outputs = cellWith(marker).outputs.filter((o) => o.output_type === "stream" && o.name === name);
  return outputs.map((o) => [o.text ?? ""].flat().join("")).join("");
}

test("a stack a cell reads itself (e.stack) names the .ts file and the cell, as the error output does", () => {
  const cell = cellWith("console.log((e as Error).stack)").execution_count;
  assert.equal(
    streamOf("console.log((e as Error).stack)", "stdout"),
    [
      `Error: label 11 of ${path.join("rows", "0")} is not a digit`,
      `    at checkedLabel (${siteOf(FAILING_MODULE, "throw site: Error", "new Error")})`,
      // Then the cell's line 2, and none of the kernel's frames that ran the cell.
      `    at Cell In[${cell}]:2:3`,
      "",
    ].join("\n"),
  );
});

test("an error a cell logs (console.error, i.e. util.inspect) shows the same mapped frames", () => {
  const defining = cellWith("function totalPixels").execution_count;
  const cell = cellWith("console.error(e);").execution_count;
  assert.equal(
    streamOf("console.error(e);", "stderr"),
    [
      "TypeError: Cannot read properties of undefined (reading 'length')",
      `    at pixelCount (${siteOf(FAILING_MODULE, "throw site: TypeError", "length")})`,
      "    at Array.map (<anonymous>)",
      `    at totalPixels (Cell In[${defining}]:4:15)`,
      `    at Cell In[${cell}]:2:3`,
      "",
    ].join("\n"),
  );
});

test("a rejected top-level await is an error output too", () => {
  const e = errorOf("async boom");
  assert.equal(e.ename, "RangeError");
  assert.equal(e.evalue, "async boom");
  assert.deepEqual(e.traceback.filter((l) => KERNEL_FRAME.test(l)), []);
});

test("a thrown non-Error value is reported with its value", () => {
  const e = errorOf('throw "plain string"');
  assert.equal(e.ename, "Error");
  assert.equal(e.evalue, "plain string");
  assert.deepEqual(e.traceback, ["Uncaught 'plain string'"]);
});

test("a TypeScript error shows position, the full message naming the property, and the line with a caret", () => {
  const e = errorOf('{ epochs: "5" }');
  assert.equal(e.ename, "TSError");
  assert.equal(e.evalue, "Type 'string' is not assignable to type 'number'.");
  const shown = e.traceback.join("\n");
  // Line 2 of the cell, column of `epochs` (relative to the cell, not to tslab's wrapper).
  const line = 'const wrong: Partial<TrainSettings> = { epochs: "5" };';
  const column = line.indexOf("epochs");
  assert.match(e.traceback[0], new RegExp(`^2:${column + 1} - Type 'string' is not assignable to type 'number'\\.$`));
  assert.match(shown, /property 'epochs' .*TrainSettings.*src[\\/]train[\\/]loop\.ts:\d+:\d+/);
  const echoed = e.traceback.findIndex((l) => l === `2 | ${line}`);
  assert.ok(echoed > 0, `the offending line is echoed:\n${shown}`);
  assert.equal(e.traceback[echoed + 1], `  | ${" ".repeat(column)}^^^^^^`);
  assert.equal(e.raw[echoed + 1], `  | ${" ".repeat(column)}\x1b[0;31m^^^^^^\x1b[0m`, "the caret in red");
});

test("a TypeScript error keeps its whole message chain, which names the property, in one error", () => {
  const e = errorOf("const typed: TrainSettings = loose;");
  assert.equal(e.ename, "TSError");
  assert.equal(e.evalue, "Type '{ epochs: string; }' is not assignable to type 'TrainSettings'.");
  assert.deepEqual(e.traceback.slice(0, 3), [
    "2:7 - Type '{ epochs: string; }' is not assignable to type 'TrainSettings'.",
    "      Types of property 'epochs' are incompatible.",
    "        Type 'string' is not assignable to type 'number'.",
  ]);
  assert.deepEqual(e.traceback.slice(3), ["2 | const typed: TrainSettings = loose;", "  |       ^^^^^"]);
});

test("with --allow-errors every cell after an error still runs, numbered in order", () => {
  assert.deepEqual(cells.map((c) => c.execution_count), cells.map((_, i) => i + 1));
  const last = cellWith("still running after the errors");
  assert.match([last.outputs[0]?.text ?? ""].flat().join(""), /still running after the errors/);
});
