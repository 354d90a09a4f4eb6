/** What people see while training: the one-line epoch summary and the terminal progress bar. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { defaultReporter, formatEpochLine, lineReporter, notebookReporter, silentReporter, ttyReporter } from "../../src/train/progress";
import { getRecipe, recipeNames } from "../../src/recipes";
import { UsageError } from "../../src/errors";

const log = { epoch: 3, loss: 0.08123, accuracy: 0.97512, valLoss: 0.09031, valAccuracy: 0.973, seconds: 4.123, learningRate: 0.001 };

test("one concise line per epoch", () => {
  assert.equal(formatEpochLine(log, 10), "epoch 3/10  loss 0.0812  acc 0.9751  val_loss 0.0903  val_acc 0.9730  4.1s");
  assert.equal(formatEpochLine({ epoch: 1, loss: 1, accuracy: 0.5, seconds: 2 }, 1), "epoch 1/1  loss 1.0000  acc 0.5000  2.0s");
  const lines: string[] = [];
  const r = lineReporter((l) => lines.push(l));
  r.onBatchEnd?.({ epoch: 3, epochs: 10, batch: 5, batches: 10, seconds: 1, loss: 0.1, accuracy: 0.9 });
  r.onEpochEnd?.(log, 10);
  r.onTrainEnd?.([log], "early stopping after epoch 3");
  assert.deepEqual(lines, [formatEpochLine(log, 10), "early stopping after epoch 3"]);
  assert.equal(defaultReporter(0), silentReporter);
});

test("terminal: a bar with ETA redrawn in place, replaced by the epoch line", () => {
  let out = "";
  const r = ttyReporter({ write: (s: string) => ((out += s), true), columns: 100 });
  r.onBatchEnd?.({ epoch: 1, epochs: 2, batch: 50, batches: 100, seconds: 5, loss: 0.3, accuracy: 0.9 });
  assert.match(out, /^\r\x1b\[2Kepoch 1\/2 \[=+>\.+\]  50\/100  ETA 5s  loss 0\.3000  acc 0\.9000$/);
  r.onEpochEnd?.({ ...log, epoch: 1 }, 2);
  assert.ok(out.endsWith("\r\x1b[2K" + formatEpochLine({ ...log, epoch: 1 }, 2) + "\n"));
});

test("recipes: the seed experiments and the project's, by name", () => {
  const seed1 = getRecipe("seed-001");
  assert.deepEqual(
    [seed1.model, seed1.epochs, seed1.batchSize, seed1.validationSplit, seed1.learningRate],
    ["dense-128-64", 30, 32, 0.2, 0.001],
  );
  assert.equal(getRecipe("seed-003").model, "dense-128x3");
  assert.equal(getRecipe("seed-003").epochs, 5);
  assert.equal(getRecipe("seed-004").epochs, 50);
  for (const name of ["project-dense-128-64", "project-dense-256-128-32", "cnn"]) {
    const r = getRecipe(name);
    assert.equal(r.earlyStopping?.restoreBestWeights, true, name);
    assert.ok(r.lrSchedule, name);
    assert.ok(r.targetAccuracy! >= 0.982, name);
  }
  // A copy: changing it does not change the registry.
  getRecipe("seed-000").epochs = 999;
  assert.notEqual(getRecipe("seed-000").epochs, 999);
  assert.ok(recipeNames().includes("seed-000"));
  assert.throws(() => getRecipe("seed-999"), (e: Error) => e instanceof UsageError && /seed-001/.test(e.message));
});

test("notebookReporter redraws one progress display in place and writes epoch lines", () => {
  const shown: { html: string; text: string }[] = [];
  const lines: string[] = [];
  const reporter = notebookReporter({ send: (b) => shown.push({ html: String(b["text/html"]), text: String(b["text/plain"]) }) }, (l) => lines.push(l));
  reporter.onBatchEnd!({ epoch: 1, epochs: 2, batch: 50, batches: 100, seconds: 5, loss: 0.5, accuracy: 0.8 });
  assert.equal(shown.length, 1);
  assert.match(shown[0].html, /<progress value="50" max="100"/);
  assert.equal(shown[0].text, "epoch 1/2  50/100  ETA 5s  loss 0.5000  acc 0.8000");
  reporter.onEpochEnd!({ epoch: 1, loss: 0.4, accuracy: 0.85, valLoss: 0.3, valAccuracy: 0.9, seconds: 10 }, 2);
  assert.deepEqual(lines, ["epoch 1/2  loss 0.4000  acc 0.8500  val_loss 0.3000  val_acc 0.9000  10.0s"]);
  assert.equal(shown[1].text, "epoch 1/2  100/100  done in 10.0s", "the finished bar counts the epoch's batches");
  assert.match(shown[1].html, /<progress value="100" max="100"/);
  reporter.onTrainEnd!([], "stopped early");
  assert.equal(lines[1], "stopped early");
});

test("every reporter says when a run goes on from an earlier run's weights, and only then", () => {
  const begin = { epochs: 2, batchesPerEpoch: 10, trainCount: 320, validationCount: 80, batchSize: 32 };
  const note = "continuing from the weights of 1 epoch of earlier training (history below starts again at epoch 1); build the model again to start over";
  let terminal = "";
  const tty = ttyReporter({ write: (s: string) => ((terminal += s), true), columns: 100 });
  const notebookLines: string[] = [];
  const notebook = notebookReporter({ send: () => {} }, (l) => notebookLines.push(l));
  const plainLines: string[] = [];
  const plain = lineReporter((l) => plainLines.push(l));
  for (const r of [tty, notebook, plain]) r.onTrainBegin!(begin);
  assert.deepEqual([terminal, notebookLines, plainLines], ["", [], []]);
  for (const r of [tty, notebook, plain]) r.onTrainBegin!({ ...begin, earlierEpochs: 1 });
  assert.deepEqual([terminal, notebookLines, plainLines], [note + "\n", [note], [note]]);
});
