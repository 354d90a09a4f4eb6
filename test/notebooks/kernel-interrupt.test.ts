/**
 * Kernel → Interrupt (the stop button) in the real kernel: jupyter_client's interrupt_kernel()
 * sends the kernel SIGINT, as JupyterLab does. One kernel session serves every test here:
 *  - stopped during a synchronous computation (a CNN's test pass, before the cell's first await),
 *    TensorFlow.js is put back in order, and CNN training in the next cell works;
 *  - stopped during `train`, the rest of the cell (a saveModel) does not run, the model keeps its
 *    last finished epoch's weights, and `lastTrainResult(model)` has the history in the next cell;
 *  - the interrupted cell shows one "KeyboardInterrupt: …" line saying what was kept, no stack
 *    frames of the kernel, and nothing of the cell arrives after its reply.
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

interface Step {
  code: string;
  interrupt_after?: number;
  interrupt_on?: string;
}
interface StepResult {
  stdout: string;
  errors: { ename: string; evalue: string; traceback: string[] }[];
  status: string;
  late: string[];
}

const SAVE_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-interrupt-"));
const SAVED = path.join(SAVE_DIR, "saved-after-interrupt");
const CACHE_DIR = path.join(SAVE_DIR, "runs");
const ANSI = /\x1b\[[0-9;]*m/g;

const STEPS: Step[] = [
  {
    code: `import { tf } from "../src/backend";
import { initBackend } from "../src/backend";
import { loadMnist, head } from "../src/data";
import { evaluateDetailed } from "../src/eval";
import { buildModel, saveModel } from "../src/models";
import { train, lastTrainResult } from "../src/train";
import * as fs from "node:fs";
await initBackend({ log: null });
const mnist = await loadMnist();
const cnn = buildModel("cnn", { seed: 1 });
const model = buildModel("dense:256-128", { seed: 1 });
const reference = buildModel("dense:256-128", { seed: 1 });
const trainSet = head(mnist.train, 30000);
await train(reference, trainSet, { epochs: 1, seed: 1 }, { verbose: 0 });`,
  },
  // The whole test set in one batch: seconds of synchronous work on the CNN, before the cell's first await.
  { code: `const e = await evaluateDetailed(cnn, mnist.test, { batchSize: 10000 });\nconsole.log("evaluated");`, interrupt_after: 2 },
  {
    code: `const st = (tf.engine() as any).state;
console.log("engine", st.scopeStack.length, st.kernelDepth);
const r = await train(cnn, head(mnist.train, 300), { epochs: 1, batchSize: 64 }, { verbose: 0 });
console.log("cnn trained", r.history.length);`,
  },
  // Stopped during epoch 2: epoch 1's line has come.
  {
    code: `await train(model, trainSet, { epochs: 5, seed: 1 });
await saveModel(model, ${JSON.stringify(SAVED)});
console.log("after train");`,
    interrupt_on: "epoch 1/5",
  },
  {
    code: `await new Promise((r) => setTimeout(r, 2000));
const last = lastTrainResult(model)!;
const same = model.getWeights().every((w, i) => tf.equal(w, reference.getWeights()[i]).all().dataSync()[0] === 1);
console.log("saved", fs.existsSync(${JSON.stringify(SAVED)}), "history", last.history.length, last.stopReason, "weights of epoch 1", same);`,
  },
  // Stopped while the comparison's second run trains: the first stays cached, the second is not.
  {
    code: `import { compareArchitectures } from "../src/compare";
const seen = (p: { model: string; state: string; history?: unknown[] }) => {
  if (p.model === "dense:48" && p.state === "training") console.log("second run, epoch", p.history!.length);
};
await compareArchitectures({ variants: ["dense:32", "dense:48"], epochs: 4, trainLimit: 30000 },
  { data: mnist, cacheDir: ${JSON.stringify(CACHE_DIR)}, log: () => {}, trainOptions: { verbose: 0 }, onProgress: seen });
console.log("after compare");`,
    interrupt_on: "second run, epoch 1",
  },
  { code: `console.log("cached", fs.readdirSync(${JSON.stringify(CACHE_DIR)}).filter((f) => f.endsWith(".json")).map((f) => f.split("-")[0]).join(","));` },
];

let results: StepResult[] = [];

before(() => {
  const python = findJupyterPython(["jupyter_client"]);
  assert.ok(python, "a Python with jupyter_client");
  const run = spawnSync(python, [path.join(PROJECT_ROOT, "test", "helpers", "kernel_driver.py")], {
    input: JSON.stringify(STEPS),
    env: jupyterEnv({ DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, DIGIT_LAB_NOTEBOOK_DIR: path.join(PROJECT_ROOT, "notebooks") }),
    encoding: "utf8",
    timeout: 240_000,
  });
  assert.equal(run.status, 0, run.stderr);
  results = JSON.parse(run.stdout.trim().split("\n").pop()!) as StepResult[];
  assert.equal(results[0].status, "ok", JSON.stringify(results[0]));
});

/** The interrupted cell's one error, as plain text. */
function interruptError(step: number): { ename: string; evalue: string; traceback: string[] } {
  const r = results[step];
  assert.equal(r.status, "error", JSON.stringify(r));
  assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
  const e = r.errors[0];
  return { ...e, traceback: e.traceback.map((l) => l.replace(ANSI, "")) };
}

test("stopped inside a synchronous CNN pass: TensorFlow.js is reset, and CNN training works in the next cell", () => {
  assert.equal(results[2].status, "ok", JSON.stringify(results[2]));
  assert.match(results[2].stdout, /^engine 0 0\ncnn trained 1\n$/);
  const e = interruptError(1);
  assert.doesNotMatch(results[1].stdout, /evaluated/);
  assert.equal(e.ename, "KeyboardInterrupt");
  assert.match(e.evalue, /^the cell was interrupted; TensorFlow\.js was reset after the interrupted computation \(\d+ open scopes? closed/);
});

test("stopped during train: the rest of the cell does not run; the model keeps epoch 1's weights; lastTrainResult has the run", () => {
  assert.equal(results[4].status, "ok", JSON.stringify(results[4]));
  assert.equal(results[4].stdout, "saved false history 1 stopped weights of epoch 1 true\n");
  const e = interruptError(3);
  assert.doesNotMatch(results[3].stdout, /after train/);
  assert.equal(e.ename, "KeyboardInterrupt");
  assert.equal(e.evalue, "training stopped during epoch 2; the model keeps the weights of epoch 1 (lastTrainResult(model) has the history)");
});

test("stopped during compareArchitectures: the line names the run that ends it; finished runs stay cached", () => {
  const e = interruptError(5);
  assert.doesNotMatch(results[5].stdout, /after compare/);
  assert.equal(e.evalue, "dense:48 stopped; it is not cached, and the comparison ends here (finished runs stay cached)");
  assert.equal(results[6].stdout, "cached dense_32\n");
});

test("an interrupted cell shows one KeyboardInterrupt line, without stack frames, and nothing of it comes after its reply", () => {
  for (const step of [1, 3, 5]) {
    const e = interruptError(step);
    assert.deepEqual(e.traceback, [`KeyboardInterrupt: ${e.evalue}`]);
    assert.deepEqual(results[step].late, [], `step ${step}: output after the cell's reply`);
  }
});
