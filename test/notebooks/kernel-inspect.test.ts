/**
 * Requests a front end sends and nbconvert does not, against the real patched tslab kernel
 * (through jupyter_client): Shift-Tab (inspect_request), the fields of an error execute_reply,
 * and several cells sent at once (Run All).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT, REAL_DATA_DIR } from "../helpers/paths";

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { findJupyterPython, jupyterEnv } = require("../../scripts/jupyter.js");

const FIXTURES = path.join(PROJECT_ROOT, "test", "fixtures", "notebooks");
const SETUP = 'import { train } from "../../../src/train";\nimport { buildModel } from "../../../src/models";';
const PROBES = ["train(model, trainSet, ", "buildModel(", "train", "const x = 1; "];

interface Probe {
  setup: string;
  inspect: { found: boolean; text: string | null }[];
  error_reply: { status: string; ename?: string; evalue?: string; traceback?: string[] };
  queued: [string, number][];
}
let probe: Probe;

before(() => {
  const run = spawnSync(findJupyterPython(), [path.join(FIXTURES, "kernel_probe.py"), FIXTURES, SETUP, JSON.stringify(PROBES)], {
    env: jupyterEnv({ DIGIT_LAB_DATA_DIR: REAL_DATA_DIR }),
    encoding: "utf8",
    timeout: 600_000,
  });
  assert.equal(run.status, 0, run.stderr);
  probe = JSON.parse(run.stdout.trim().split("\n").pop()!);
  assert.equal(probe.setup, "ok");
});

test("Shift-Tab inside a call's parentheses shows the enclosing call's signature and doc", () => {
  const [inArgs, openParen] = probe.inspect;
  assert.equal(inArgs.found, true);
  assert.match(inArgs.text ?? "", /^train\(model: .*LayersModel, data: ImageSet \| MnistData, settings: TrainSettings.*\): Promise<TrainResult>/);
  assert.match(inArgs.text ?? "", /Trains `model` on `data`/);
  assert.equal(openParen.found, true);
  assert.match(openParen.text ?? "", /^buildModel\(spec: string, options\?: BuildOptions\)/);
});

test("Shift-Tab on a name still shows that name's quick info; outside any call it finds nothing", () => {
  const [, , onName, outside] = probe.inspect;
  assert.equal(onName.found, true);
  assert.match(onName.text ?? "", /function train\(/);
  assert.deepEqual(outside, { found: false, text: null });
});

test("an error execute_reply carries ename, evalue and traceback", () => {
  assert.deepEqual(probe.error_reply, { status: "error", ename: "TypeError", evalue: "in the reply", traceback: ["\x1b[0;31mTypeError\x1b[0m: in the reply", "    at Cell In[5]:1:7"] },
    "the fifth cell run: the setup, three queued, this one");
});

test("cells sent at once (Run All): the kernel is busy while each runs, not idle once the first ends", () => {
  // tslab reads every request at once and queues the cells: a "busy" on arrival and an "idle" when
  // each ends showed the kernel idle (in JupyterLab's status bar, the classic notebook's dot)
  // from the end of the first cell on, while the others ran.
  assert.deepEqual(probe.queued, [["busy", 0], ["idle", 0], ["busy", 1], ["idle", 1], ["busy", 2], ["idle", 2]]);
});
