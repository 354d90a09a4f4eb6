/**
 * Ctrl-C (SIGINT) during a long command: one line saying what was kept, exit 130, no half-written
 * output. `train --save/--report` keeps the finished epochs: the first Ctrl-C after an epoch
 * stops training and still tests and writes that epoch's model; a second one quits at once.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli, startCli } from "../helpers/cli";
import { loadModel } from "../../src/models";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-interrupt-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * Starts `digit-lab args…` and sends SIGINT each time stderr matches the next of `signals`
 * (counted from where the previous one matched), and with `thenAgainAfterMs` a second one that
 * many ms later; resolves with the exit, stdout and stderr.
 */
function interruptAt(args: string[], signals: RegExp[], thenAgainAfterMs?: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = startCli(args);
    let stdout = "";
    let stderr = "";
    let from = 0;
    let next = 0;
    const guard = setTimeout(() => child.kill("SIGKILL"), 150_000); // a hung command fails here, not the suite
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => void (stdout += chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      while (next < signals.length) {
        const m = signals[next].exec(stderr.slice(from));
        if (!m) break;
        from += m.index + m[0].length;
        next++;
        child.kill("SIGINT");
        if (thenAgainAfterMs !== undefined) setTimeout(() => child.kill("SIGINT"), thenAgainAfterMs);
      }
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, stdout, stderr });
    });
  });
}

// Epochs of 6,000 small batches (about 1.5 s here): a Ctrl-C sent as an epoch's line appears lands
// inside the next epoch (training yields to signals every 250 ms), so its batches must be undone.
const SHORT_RUN = ["--model", "dense-128", "--epochs", "200", "--batch-size", "8", "--seed", "7"];

test("train --save: Ctrl-C after an epoch tests and saves the model of the last finished epoch, exit 130", async () => {
  const save = path.join(tmp, "kept");
  const report = path.join(tmp, "kept.html");
  const r = await interruptAt(["train", ...SHORT_RUN, "--save", save, "--report", report, "--json"], [/^epoch 2\/200 .*\n/m]);
  assert.equal(r.code, 130, r.stderr);
  const stopping = /\nstopping after epoch (\d+) of 200: testing and saving the model of epoch \1 and writing its report \(Ctrl-C again to quit without saving\)\n/.exec(r.stderr);
  assert.ok(stopping, r.stderr);
  const k = Number(stopping[1]);
  assert.ok(k >= 2, r.stderr);
  assert.ok(r.stderr.endsWith(`digit-lab train: interrupted (Ctrl-C) after ${k} of 200 epochs; the model of epoch ${k} was saved to ${save} and its report written to ${report}\n`), r.stderr);
  assert.doesNotMatch(r.stderr, new RegExp(`^epoch ${k + 1}/200 `, "m"), "no epoch after the one named");

  // --json: still exactly one JSON value on stdout, the usual summary.
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.stopReason, "interrupted");
  assert.equal(summary.epochs, k);
  assert.equal(summary.epochsRequested, 200);
  assert.equal(summary.savedTo, save);

  const { model, metadata } = await loadModel(save);
  model.dispose();
  assert.equal(metadata.stopReason, "interrupted");
  assert.equal(metadata.epochsRequested, 200);
  assert.equal(metadata.history?.length, k);
  assert.equal(metadata.test?.accuracy, summary.testAccuracy);
  assert.match(fs.readFileSync(report, "utf8"), new RegExp(`interrupted \\(Ctrl-C\\) after ${k} of 200 epochs`));

  // Bit for bit the weights of an uninterrupted k-epoch run with the same seed.
  const reference = path.join(tmp, "reference");
  const full = runCli(["train", ...SHORT_RUN.slice(0, 3), String(k), ...SHORT_RUN.slice(4), "--save", reference]);
  assert.equal(full.code, 0, full.stderr);
  assert.ok(fs.readFileSync(path.join(save, "weights.bin")).equals(fs.readFileSync(path.join(reference, "weights.bin"))), "the saved weights are those of epoch k");

  // evaluate says so too.
  const evaluated = runCli(["evaluate", "--model-dir", save]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, new RegExp(`its training was interrupted \\(Ctrl-C\\) after ${k} of 200 epochs: this is the model of epoch ${k}`));
  for (const d of [save, reference, report]) fs.rmSync(d, { recursive: true });
});

test("train --save with early stopping: Ctrl-C keeps the best epoch so far, and says which epoch that was", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "best-"));
  const save = path.join(dir, "model");
  // project-dense-128-64 restores the best epoch (lowest validation loss) when it stops early.
  // At this learning rate the validation loss rises after epoch 3, so the best epoch is not the last one.
  const r = await interruptAt(["train", "--recipe", "project-dense-128-64", "--epochs", "200", "--batch-size", "8", "--train-limit", "12000", "--learning-rate", "0.02", "--seed", "7", "--save", save, "--json"], [/^epoch 4\/200 .*\n/m]);
  assert.equal(r.code, 130, r.stderr);
  const stopping = /\nstopping after epoch (\d+) of 200: testing and saving the model of the best epoch so far \(Ctrl-C again to quit without saving\)\n/.exec(r.stderr);
  assert.ok(stopping, r.stderr);
  const summary = JSON.parse(r.stdout);
  const k = Number(stopping[1]);
  assert.equal(summary.epochs, k);
  assert.equal(summary.stopReason, "interrupted");
  // The kept epoch is the one with the lowest validation loss among the finished ones.
  const losses: number[] = summary.history.map((h: { valLoss: number }) => h.valLoss);
  const best = losses.indexOf(Math.min(...losses)) + 1;
  assert.equal(summary.bestEpoch, best);
  assert.ok(best < k, `best epoch ${best} of ${k}: ${losses}`);
  assert.equal(summary.restoredBestWeights, true);
  assert.ok(r.stderr.endsWith(`digit-lab train: interrupted (Ctrl-C) after ${k} of 200 epochs; the model of epoch ${best} was saved to ${save}\n`), r.stderr);
  const { model, metadata } = await loadModel(save);
  model.dispose();
  assert.equal(metadata.stopReason, "interrupted");
  assert.equal(metadata.history?.length, k);
  assert.equal(metadata.restoredEpoch, best);
  // Bit for bit the weights of a run that ends at the best epoch (validation loss rose after it here).
  const reference = path.join(dir, "reference");
  const args = ["train", "--recipe", "project-dense-128-64", "--batch-size", "8", "--train-limit", "12000", "--learning-rate", "0.02", "--seed", "7"];
  const ended = runCli([...args, "--epochs", String(best), "--save", reference]);
  assert.equal(ended.code, 0, ended.stderr);
  assert.ok(fs.readFileSync(path.join(save, "weights.bin")).equals(fs.readFileSync(path.join(reference, "weights.bin"))), `the saved weights are those of epoch ${best}`);
  fs.rmSync(dir, { recursive: true });
});

test("train --save: a second Ctrl-C while testing and saving quits at once, and nothing is written", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "twice-"));
  const save = path.join(dir, "model");
  const report = path.join(dir, "report.html");
  const r = await interruptAt(["train", ...SHORT_RUN, "--save", save, "--report", report], [/^epoch 1\/200 .*\n/m, /^stopping after epoch \d+ of 200: .*\n/m]);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /\ndigit-lab train: interrupted \(Ctrl-C\) after \d+ of 200 epochs; nothing was written\n$/);
  assert.doesNotMatch(r.stderr, /saved to|report written/);
  assert.deepEqual(fs.readdirSync(dir), [], "no model, no report, no temporary files");
});

// Ctrl-C twice, 30 ms apart (not at once: the kernel merges a signal sent while the same one is
// still pending). Both mostly arrive while one stretch of batches runs, and Node delivers them in
// one turn of its event loop. A handler that removed itself and added another for the second
// Ctrl-C lost it there (the signal's watcher closes with its last listener) and saved anyway.
test("train --save: two Ctrl-Cs in quick succession quit without writing, and an existing model stays", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "burst-"));
  const save = path.join(dir, "model");
  const first = runCli(["train", "--model", "dense-128", "--epochs", "1", "--train-limit", "300", "--save", save]);
  assert.equal(first.code, 0, first.stderr);
  const before = Object.fromEntries(fs.readdirSync(save).map((f) => [f, fs.readFileSync(path.join(save, f)).toString("base64")]));
  const r = await interruptAt(["train", ...SHORT_RUN, "--save", save], [/^epoch 1\/200 .*\n/m], 30);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /\ndigit-lab train: interrupted \(Ctrl-C\) after \d+ of 200 epochs; nothing was written\n$/);
  assert.doesNotMatch(r.stderr, /saved to/);
  const now = Object.fromEntries(fs.readdirSync(save).map((f) => [f, fs.readFileSync(path.join(save, f)).toString("base64")]));
  assert.deepEqual(now, before, "the model saved before is untouched");
  assert.deepEqual(fs.readdirSync(dir), ["model"], "no temporary folder left");
});

test("train --save: Ctrl-C before the first epoch ends quits at once, nothing written", async () => {
  const dir = fs.mkdtempSync(path.join(tmp, "early-"));
  const save = path.join(dir, "model");
  // The full training set: the first epoch takes seconds, and the SIGINT comes as it starts.
  const r = await interruptAt(["train", "--model", "dense-128", "--epochs", "3", "--save", save], [/^training dense-128 .*\n/m]);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /\ndigit-lab train: interrupted \(Ctrl-C\) during the first epoch; nothing was written\n$/);
  assert.doesNotMatch(r.stderr, /stopping after/);
  assert.deepEqual(fs.readdirSync(dir), [], "no model, no temporary folder");
});

test("train without --save or --report: Ctrl-C after an epoch quits at once, as before", async () => {
  const r = await interruptAt(["train", ...SHORT_RUN], [/^epoch 1\/200 /m]);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /\ndigit-lab train: interrupted \(Ctrl-C\) after \d+ of 200 epochs; nothing was written\n$/);
  assert.doesNotMatch(r.stderr, /stopping after|test accuracy/);
});

test("seeds: Ctrl-C names the runs that finished, since seeds keeps no cache", async () => {
  const r = await interruptAt(
    ["seeds", "--model", "dense-128", "--epochs", "100", "--train-limit", "2000", "--seeds", "5,6,7"],
    [/seed 6 \(2 of 3\)/],
  );
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /digit-lab seeds: interrupted \(Ctrl-C\) during seed 6 \(2 of 3\); nothing was written; finished: seed 5 \d+\.\d\d%\n$/);
});
