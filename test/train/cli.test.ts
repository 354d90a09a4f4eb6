/** The `models`, `train`, `seeds` and `evaluate` commands, run as a user would (real MNIST, small slice). */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-cli-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);
const cliIn = (cwd: string, ...args: string[]) => runCli(args, { cwd });

test("models --json lists the variants with layers and params", () => {
  const r = cli("models", "--json");
  assert.equal(r.code, 0, r.stderr);
  const models = JSON.parse(r.stdout) as { name: string; layers: number[]; params: number }[];
  const byName = Object.fromEntries(models.map((m) => [m.name, m]));
  assert.equal(byName["dense-128"].params, 101770);
  assert.equal(byName["dense-128-64"].params, 109386);
  assert.equal(byName["dense-256-128-32"].params, 238314);
  assert.equal(byName["dense-128x3"].params, 134794);
  assert.deepEqual(byName["dense-256-128-32"].layers, [256, 128, 32, 10]);
  const text = cli("models");
  assert.match(text.stdout, /dense-128-64\s+784\s+128-64-10\s+109,386/);
});

test("train --json → one JSON object on stdout, progress on stderr; --save then evaluate --json", () => {
  const dir = path.join(tmp, "m");
  const report = path.join(tmp, "report.html");
  const r = cli("train", "--recipe", "seed-001", "--epochs", "2", "--train-limit", "3000", "--seed", "7", "--save", dir, "--report", report, "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.model, "dense-128-64");
  assert.equal(out.params, 109386);
  assert.equal(typeof out.backend, "string");
  assert.equal(out.epochs, 2);
  assert.equal(out.history.length, 2);
  assert.deepEqual(Object.keys(out.history[0]).sort(), ["accuracy", "epoch", "learningRate", "loss", "seconds", "valAccuracy", "valLoss"]);
  assert.equal(out.trainCount, 2400);
  assert.equal(out.recipe, "seed-001");
  assert.equal(out.defaultSettings, false);
  assert.equal(out.restoredBestWeights, false);
  assert.ok(out.secondsPerEpoch > 0);
  assert.ok(out.testAccuracy > 0.8 && out.testAccuracy <= 1, String(out.testAccuracy));
  assert.ok(out.testLoss > 0);
  assert.match(r.stderr, /epoch 2\/2 {2}loss [\d.]+ {2}acc [\d.]+ {2}val_loss [\d.]+ {2}val_acc [\d.]+ {2}[\d.]+s/);

  // --report: one offline page with the curves, the evaluation figures and tables.
  assert.equal(out.reportFile, report);
  const html = fs.readFileSync(report, "utf8");
  assert.match(html, /dense-128-64 trained with seed-001/);
  for (const heading of ["Training", "Confusion matrix", "What the first layer learned", "How the network sees the test digits"]) assert.match(html, new RegExp(heading));
  assert.match(html, /What dense_\d+ looks for: the weights of 32 of its 128 units/);
  assert.match(html, /Test images in the last hidden layer \(dense_\d+\), by PCA/);
  assert.ok((html.match(/class="digit-lab-chart"/g) ?? []).length >= 6, "curves, confusion matrix, per-class bars, mistakes, weight images and the hidden-layer map");
  assert.doesNotMatch(html, /<script[^>]+src=["']https?:/, "no script from the network");

  const evalReport = path.join(tmp, "evaluate.html");
  const e = cli("evaluate", "--model-dir", dir, "--json", "--report", evalReport);
  assert.equal(e.code, 0, e.stderr);
  const ev = JSON.parse(e.stdout);
  assert.equal(ev.accuracy, out.testAccuracy);
  // evaluate --report: the saved model's own history, its evaluation and its first-layer weights.
  assert.equal(ev.reportFile, evalReport);
  const evalHtml = fs.readFileSync(evalReport, "utf8");
  for (const heading of ["Training", "Evaluation", "What the first layer learned", "How the network sees the test digits"]) assert.match(evalHtml, new RegExp(`<h2>${heading}</h2>`));
  assert.match(evalHtml, /dense-128-64: 2 epochs in/);
  assert.equal(ev.count, 10000);
  assert.equal(ev.confusionMatrix.length, 10);
  assert.equal(ev.report.classes.length, 10);

  const text = cli("evaluate", "--model-dir", dir);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /precision\s+recall\s+f1-score\s+support/);
  assert.match(text.stdout, /weighted avg/);
  assert.doesNotMatch(text.stderr, /warning/);

  // The same model on another dataset's test set: evaluated, with a warning that the figure means nothing.
  const fashion = cli("evaluate", "--model-dir", dir, "--dataset", "fashion-mnist", "--json");
  assert.equal(fashion.code, 0, fashion.stderr);
  assert.equal(JSON.parse(fashion.stdout).dataset, "fashion-mnist");
  assert.match(fashion.stderr, /warning: this model was trained on mnist \(.*metadata\.json\), so its accuracy on the fashion-mnist test set measures nothing useful/);
});

test("when early stopping puts back an earlier epoch's weights, --json and metadata.json say which epoch was tested", () => {
  // At this learning rate the 4th epoch's validation loss is worse than the 3rd's.
  const dir = path.join(tmp, "restored");
  const page = path.join(tmp, "restored.html");
  const r = cli("train", "--recipe", "project-dense-128-64", "--epochs", "4", "--train-limit", "1000", "--learning-rate", "0.02", "--save", dir, "--report", page, "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.restoredBestWeights, true);
  assert.equal(out.bestEpoch, 3);
  assert.equal(out.epochs, 4);
  assert.match(r.stderr, /restored the weights of epoch 3/);
  const metadata = JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8"));
  assert.equal(metadata.restoredEpoch, 3);
  assert.equal(metadata.test.accuracy, out.testAccuracy);
  // The pages of train and of evaluate (from metadata.json) name the epoch the test figures belong to.
  assert.match(fs.readFileSync(page, "utf8"), /Early stopping put back the weights of epoch 3 \(validation accuracy [\d.]+%\)/);
  const evalPage = path.join(tmp, "restored-eval.html");
  assert.equal(cli("evaluate", "--model-dir", dir, "--report", evalPage).code, 0);
  assert.match(fs.readFileSync(evalPage, "utf8"), /Early stopping put back the weights of epoch 3/);
});

test("seeds --json trains once per seed, as train --seed would, and reports mean, std, min and max", () => {
  const common = ["--model", "dense-128", "--epochs", "1", "--train-limit", "2000"];
  const r = cli("seeds", ...common, "--seeds", "3,4", "--json");
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.seeds, [3, 4]);
  assert.equal(out.params, 101770);
  assert.equal(out.defaultSettings, true);
  assert.equal(out.trainLimit, 2000, "a shortened spread is told from a full one");
  assert.deepEqual(out.runs.map((x: { seed: number }) => x.seed), [3, 4]);
  const [a, b] = out.runs.map((x: { testAccuracy: number }) => x.testAccuracy);
  assert.notEqual(a, b, "different seeds gave the same accuracy");
  assert.ok(Math.abs(out.testAccuracy.mean - (a + b) / 2) < 1e-12);
  assert.ok(Math.abs(out.testAccuracy.std - Math.abs(a - b) / Math.SQRT2) < 1e-12, "sample standard deviation");
  assert.deepEqual([out.testAccuracy.min, out.testAccuracy.max], [Math.min(a, b), Math.max(a, b)]);
  assert.match(r.stderr, /dense-128, seed 4 \(2 of 2\)/);
  // The same run as `train --seed 3`.
  const single = JSON.parse(cli("train", ...common, "--seed", "3", "--json").stdout);
  assert.equal(single.testAccuracy, a);
  // Each run's validation accuracy (of the tested weights), and its spread: recipes compared without the test set.
  assert.equal(out.runs[0].valAccuracy, single.history.at(-1).valAccuracy);
  const [va, vb] = out.runs.map((x: { valAccuracy: number }) => x.valAccuracy);
  assert.ok(Math.abs(out.valAccuracy.mean - (va + vb) / 2) < 1e-12);
  const text = cli("seeds", ...common, "--seeds", "3,4");
  assert.match(text.stdout, /mean \d+\.\d\d% ± \d+\.\d\d \(standard deviation over 2 seeds\), range/);
  // --report: the spread as a page; a seed recipe's page also marks the accuracy its experiment reported.
  const page = path.join(tmp, "seeds.html");
  const withReport = cli("seeds", "--recipe", "seed-001", "--epochs", "1", "--train-limit", "2000", "--seeds", "3,4", "--report", page, "--json");
  assert.equal(withReport.code, 0, withReport.stderr);
  assert.equal(JSON.parse(withReport.stdout).reportFile, page);
  const html = fs.readFileSync(page, "utf8");
  assert.match(html, /seed-001 \(dense-128-64\) over 2 seeds/);
  assert.match(html, /seed experiment, full recipe 97\.65%/, "a shortened run's page says the line is the full recipe's");
  assert.match(html, /seed-001, seed 4: \d+\.\d\d%/);
  // A project recipe's page marks the accuracy it was designed to reach instead.
  const projectPage = path.join(tmp, "seeds-project.html");
  const project = cli("seeds", "--recipe", "project-dense-128-64", "--epochs", "1", "--train-limit", "1000", "--seeds", "3", "--report", projectPage);
  assert.equal(project.code, 0, project.stderr);
  assert.match(fs.readFileSync(projectPage, "utf8"), /target, full recipe 98\.20%/);
  assert.match(project.stdout, /mean \d+\.\d\d% std n\/a \(1 seed\), range/, "one seed has no standard deviation");
  for (const bad of ["3,x", "3,3"]) {
    const e = cli("seeds", ...common, "--seeds", bad);
    assert.equal(e.code, 2, e.stderr);
    assert.match(e.stderr, /--seeds/);
  }
});

test("usage errors: unknown recipe and missing model dir are reported, not thrown", () => {
  const r = cli("train", "--recipe", "nope");
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown recipe "nope".*seed-001/);
  // A wrong model name is caught before any data is read (no download attempt with no data).
  for (const args of [["train", "--model", "nope"], ["compare", "--models", "dense-128,nope"]]) {
    const m = cli(...args, "--data-dir", path.join(tmp, "no-data-here"));
    assert.equal(m.code, 2, m.stderr);
    assert.match(m.stderr, /unknown model "nope": choose one of dense-128, .*dense:512-256/);
    assert.doesNotMatch(m.stderr, /download/);
  }
  const v = cli("train", "--recipe", "seed-001", "--validation-from", "middle", "--data-dir", path.join(tmp, "no-data-here"));
  assert.equal(v.code, 2, v.stderr);
  assert.match(v.stderr, /--validation-from must be random or end, got "middle"/);
  const e = cli("evaluate", "--model-dir", path.join(tmp, "missing"));
  assert.equal(e.code, 1);
  assert.match(e.stderr, /missing: no such model directory/);
});

/** Every file and folder under `dir`, files with their bytes (base64), so "left in place" can be checked exactly. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const full = path.join(dir, rel);
    out[rel] = fs.statSync(full).isDirectory() ? "<dir>" : fs.readFileSync(full).toString("base64");
  }
  return out;
}

/** A refused output path: exit 2, one line naming `name`, no stack trace, nothing trained, nothing on stdout. */
function assertRefusedBeforeWork(r: { code: number | null; stdout: string; stderr: string }, name: string, what: RegExp): void {
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, "");
  assert.ok(r.stderr.includes(name), `stderr names ${name}: ${r.stderr}`);
  assert.match(r.stderr, what);
  assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
  assert.doesNotMatch(r.stderr, /epoch \d+\/\d+|^training |, seed \d+ \(\d+ of|test accuracy|TensorFlow\.js/m, "nothing was trained or loaded");
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line: ${r.stderr}`);
}

test("--save never deletes what is not a saved model; saving over a saved model replaces it", () => {
  const quick = ["--model", "dense-128", "--epochs", "1", "--train-limit", "2000"];
  // A folder with other contents (a sub-folder and a file): refused, every byte left in place.
  const models = path.join(tmp, "save-models");
  fs.mkdirSync(path.join(models, "cnn"), { recursive: true });
  fs.mkdirSync(path.join(models, "keep"));
  fs.writeFileSync(path.join(models, "cnn", "weights.bin"), Uint8Array.from([0, 1, 2, 255]));
  fs.writeFileSync(path.join(models, "notes.txt"), "my notes\n");
  const before = snapshot(models);
  const crowded = cli("train", ...quick, "--save", models, "--json");
  assertRefusedBeforeWork(crowded, models, /exists and is not a saved model \(it holds cnn\/, keep\/, notes\.txt\); choose a new folder, e\.g\. .*dense-128/);
  assert.deepEqual(snapshot(models), before);

  // A regular file: refused and unchanged; so is a path under it.
  const file = path.join(tmp, "save-file.txt");
  fs.writeFileSync(file, "not a model\n");
  assertRefusedBeforeWork(cli("train", ...quick, "--save", file), file, /exists and is a file, not a folder/);
  assertRefusedBeforeWork(cli("train", ...quick, "--save", path.join(file, "sub"), "--json"), file, /is a file, not a folder/);
  assert.equal(fs.readFileSync(file, "utf8"), "not a model\n");

  // The current directory (and its parent) can never be replaced.
  const here = path.join(tmp, "save-cwd");
  fs.mkdirSync(path.join(here, "inner"), { recursive: true });
  fs.writeFileSync(path.join(here, "inner", "keep.txt"), "x");
  assertRefusedBeforeWork(cliIn(path.join(here, "inner"), "train", ...quick, "--save", "."), ".", /is the current directory/);
  assertRefusedBeforeWork(cliIn(path.join(here, "inner"), "train", ...quick, "--save", ".."), "..", /is a parent of the current directory/);
  assert.equal(fs.readFileSync(path.join(here, "inner", "keep.txt"), "utf8"), "x");

  // A new folder, then saving over that saved model: replaced by the new one, nothing else left.
  const dir = path.join(models, "dense-128");
  const first = cli("train", ...quick, "--seed", "3", "--save", dir, "--json");
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).savedTo, dir);
  assert.equal(JSON.parse(first.stdout).defaultSettings, true, "--model without --recipe: default settings, not a recipe's");
  const firstFiles = snapshot(dir);
  assert.deepEqual(Object.keys(firstFiles), ["metadata.json", "model.json", "weights.bin"]);
  const second = cli("train", ...quick, "--seed", "4", "--save", dir, "--json");
  assert.equal(second.code, 0, second.stderr);
  const secondFiles = snapshot(dir);
  assert.deepEqual(Object.keys(secondFiles), ["metadata.json", "model.json", "weights.bin"]);
  assert.notEqual(secondFiles["weights.bin"], firstFiles["weights.bin"], "the second model replaced the first");
  assert.equal(JSON.parse(fs.readFileSync(path.join(dir, "metadata.json"), "utf8")).seed, 4);
  assert.deepEqual(fs.readdirSync(models).sort(), ["cnn", "dense-128", "keep", "notes.txt"], "no temporary or old folders left");
  for (const [rel, bytes] of Object.entries(before)) assert.equal(snapshot(models)[rel], bytes, rel);

  // --report paths are checked before anything is trained or loaded, by every command that writes one.
  const reportUnderFile = path.join(file, "r.html");
  const reportDir = path.join(tmp, "report-is-a-folder");
  fs.mkdirSync(reportDir);
  fs.writeFileSync(path.join(reportDir, "old.html"), "old");
  const reportDirBefore = snapshot(reportDir);
  const runs: [string, string[]][] = [
    ["train", [...quick, "--json"]],
    ["train", [...quick, "--save", path.join(tmp, "save-ok"), "--json"]],
    ["seeds", [...quick, "--seeds", "1,2", "--json"]],
    ["compare", ["--models", "dense-128", "--epochs", "1", "--train-limit", "2000", "--retrain", "--json"]],
    ["evaluate", ["--model-dir", dir, "--json"]],
  ];
  for (const [name, args] of runs) {
    assertRefusedBeforeWork(cli(name, ...args, "--report", reportUnderFile), reportUnderFile, new RegExp(`${name}: --report .*: cannot be written: .*save-file\\.txt is a file, not a folder`));
    assertRefusedBeforeWork(cli(name, ...args, "--report", reportDir), reportDir, /is a folder; give a file name/);
    // A slip of the tab key onto a saved model's weights must not destroy them.
    assertRefusedBeforeWork(cli(name, ...args, "--report", path.join(dir, "weights.bin")), path.join(dir, "weights.bin"), /exists and is not a digit-lab report page, so it is left as it is/);
  }
  assert.deepEqual(snapshot(dir), secondFiles, "the saved model is untouched");
  assert.equal(fs.existsSync(path.join(tmp, "save-ok")), false, "--save with a bad --report saved nothing");
  assert.deepEqual(snapshot(reportDir), reportDirBefore);
  assert.equal(fs.readFileSync(file, "utf8"), "not a model\n");
  const bench = cli("bench", "--models", "dense-128", "--epochs", "1", "--warmup", "0", "--train-limit", "2000", "--markdown", path.join(file, "bench.md"));
  assertRefusedBeforeWork(bench, file, /--markdown .*: cannot be written/);
});
