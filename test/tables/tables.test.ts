import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as util from "node:util";
import {
  classificationTable, comparisonTable, formatTable, historyTable, pixelStatsTable, recordsTable, tableHtml,
} from "../../src/tables";
import type { ClassificationReport, ComparisonRow, EpochLog } from "../../src/types";
import { pixelStats } from "../../src/data/stats";

const history: EpochLog[] = [
  { epoch: 1, loss: 0.5, accuracy: 0.85, seconds: 3.25 },
  { epoch: 2, loss: 0.25, accuracy: 0.925, valLoss: 0.3, valAccuracy: 0.91, seconds: 3, learningRate: 0.001 },
  { epoch: 3, loss: 0.2, accuracy: 0.94, valLoss: 0.28, valAccuracy: 0.92, seconds: 2.96, learningRate: 0.00085 },
];

test("historyTable: Keras column names, one row per epoch, missing values as NaN", () => {
  const df = historyTable(history);
  assert.deepEqual(df.columns, ["epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds", "learning_rate"]);
  assert.deepEqual(df.shape, [3, 7]);
  const values = df.values as number[][];
  assert.deepEqual(values[1], [2, 0.25, 0.925, 0.3, 0.91, 3, 0.001]);
  assert.ok(Number.isNaN(values[0][3]));
  // A learning rate that never changed is the recipe's, not a column.
  assert.deepEqual(historyTable(history.slice(0, 2)).columns.includes("learning_rate"), false);
  assert.deepEqual(historyTable(history.slice(1).map((e) => ({ ...e, learningRate: 0.001 }))).columns.includes("learning_rate"), false);
});

test("formatTable aligns columns: numbers right, same decimals per column, blanks for missing", () => {
  const text = formatTable(historyTable(history));
  const lines = text.split("\n");
  assert.equal(lines.length, 5);
  assert.equal(lines[0], "epoch    loss  accuracy  val_loss  val_accuracy  seconds  learning_rate");
  assert.equal(lines[1], "-----  ------  --------  --------  ------------  -------  -------------");
  // Seconds to a tenth; learning rates in two significant digits (0.00085 is not 0.0008).
  assert.equal(lines[2], "    1  0.5000    0.8500                              3.3");
  assert.equal(lines[3], "    2  0.2500    0.9250    0.3000        0.9100      3.0         1.0e-3");
  assert.equal(lines[4], "    3  0.2000    0.9400    0.2800        0.9200      3.0         8.5e-4");
  // Every column ends at the same position in every row.
  const ends = (l: string) => [...l.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
  assert.deepEqual(ends(lines[3]), ends(lines[0]));
  assert.match(formatTable(historyTable(history), { digits: 2, caption: "History" }), /^History\n.*\n.*\n    1  0\.50/);
});

const report: ClassificationReport = {
  classes: Array.from({ length: 10 }, (_, label) => ({ label, precision: 0.9, recall: 0.8, f1: 0.85, support: 10 + label })),
  accuracy: 0.83,
  macro: { precision: 0.91, recall: 0.81, f1: 0.86, support: 145 },
  weighted: { precision: 0.92, recall: 0.82, f1: 0.87, support: 145 },
};

test("classificationTable: classes, accuracy, macro and weighted rows like scikit-learn", () => {
  const df = classificationTable(report);
  assert.deepEqual(df.columns, ["precision", "recall", "f1-score", "support"]);
  assert.deepEqual(df.index, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "accuracy", "macro avg", "weighted avg"]);
  const v = df.values as number[][];
  assert.deepEqual(v[9], [0.9, 0.8, 0.85, 19]);
  assert.ok(Number.isNaN(v[10][0]) && Number.isNaN(v[10][1]));
  assert.equal(v[10][2], 0.83);
  assert.equal(v[10][3], 145);
  assert.deepEqual(v[11], [0.91, 0.81, 0.86, 145]);
  const text = formatTable(df);
  const lines = text.split("\n");
  assert.equal(lines[0], "              precision  recall  f1-score  support");
  assert.equal(lines[12], "accuracy" + " ".repeat(27) + "0.8300      145");
  assert.equal(lines[14], "weighted avg     0.9200  0.8200    0.8700      145");
  const named = classificationTable(report, { classNames: ["zero", "one"] });
  assert.equal(named.index[1], "one");
  assert.equal(named.index[2], "2");
});

test("comparisonTable: one row per model, optionally best first", () => {
  const rows: ComparisonRow[] = [
    { model: "dense", params: 101770, secondsPerEpoch: 4.2, bestEpoch: 5, testAccuracy: 0.978, testLoss: 0.07, trainValGap: 0.01 },
    { model: "cnn", params: 225034, secondsPerEpoch: 16.5, bestEpoch: 8, testAccuracy: 0.991, trainValGap: 0.003 },
  ];
  const df = comparisonTable(rows);
  assert.deepEqual(df.columns, ["model", "params", "seconds_per_epoch", "best_epoch", "test_accuracy", "test_loss", "train_val_gap"]);
  assert.equal((df.values as unknown[][])[0][0], "dense");
  const best = comparisonTable(rows, { sortBy: "testAccuracy" });
  assert.deepEqual((best.values as unknown[][]).map((r) => r[0]), ["cnn", "dense"]);
  const text = formatTable(best).split("\n");
  assert.equal(text[0], "model   params  seconds_per_epoch  best_epoch  test_accuracy  test_loss  train_val_gap");
  assert.equal(text[2], "cnn    225,034              16.50           8         0.9910                    0.0030", "counts with thousands separators, seconds to a hundredth");
});

test("pixelStatsTable: statistics per named set, checked by hand", () => {
  const a = new Uint8Array([0, 0, 255, 5]); // two 2-pixel images
  // Statistics on the [0, 1] scale the models see (bytes / 255).
  const s = pixelStats(a, 2);
  const r = (x: number) => Math.round(x * 1e4) / 1e4;
  assert.deepEqual({ ...s, mean: r(s.mean), std: r(s.std) }, {
    images: 2, mean: r(65 / 255), std: r(109.716 / 255), min: 0, max: 1, zeroShare: 0.5, inkPixelsPerImage: 1,
  });
  const df = pixelStatsTable({ a, b: new Uint8Array([10, 10]) }, { pixelsPerImage: 2 });
  assert.deepEqual(df.index, ["a", "b"]);
  assert.deepEqual(df.columns, ["images", "mean", "std", "min", "max", "zero_share", "ink_pixels_per_image"]);
  assert.deepEqual((df.values as number[][])[1], [1, 10 / 255, 0, 10 / 255, 10 / 255, 0, 2]);
  assert.match(formatTable(df), /^b {7}1/m);
  assert.deepEqual(recordsTable([{ x: 1, y: "a" }, { x: 2 }]).values, [[1, "a"], [2, NaN]]);
});

test("tableHtml: a real table, escaped text, numbers right-aligned", () => {
  const html = tableHtml(recordsTable([{ model: "<cnn>", accuracy: 0.99 }]), { caption: "A & B" });
  assert.match(html, /^<table class="digit-lab-table"/);
  assert.match(html, /<caption[^>]*>A &amp; B<\/caption>/);
  assert.match(html, /<th style="text-align:left[^>]*>model<\/th><th style="text-align:right[^>]*>accuracy<\/th>/);
  assert.match(html, /<td[^>]*>&lt;cnn&gt;<\/td><td style="text-align:right[^>]*>0\.9900<\/td>/);
});

test("importing the tables module loads danfo lazily, prints nothing and keeps the tfjs backend", () => {
  const script = `
    const { tf, initBackend } = require("./src/backend");
    const t = require("./src/tables");
    if (require.cache[require.resolve("danfojs-node")]) throw new Error("danfo loaded eagerly");
    initBackend({ log: null }).then(() => {
      const before = tf.getBackend();
      t.historyTable([{ epoch: 1, loss: 1, accuracy: 0.5, seconds: 1 }]);
      if (!require.cache[require.resolve("danfojs-node")]) throw new Error("danfo not loaded");
      process.stdout.write(before + " " + tf.getBackend());
    });`;
  const root = path.resolve(__dirname, "..", "..");
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: root, encoding: "utf8", env: { ...process.env, DIGIT_LAB_BACKEND: "cpu" } });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "cpu cpu", "no banner on stdout, backend unchanged");
  assert.doesNotMatch(r.stderr, /Hi there|tfjs-node|backend/i);
});

test("a DataFrame or Series printed by Node (a tslab cell's last value, console.log) is a table, not danfo's internals", () => {
  const df = historyTable(history.slice(0, 2));
  assert.equal(util.inspect(df), formatTable(df));
  // Derived frames and columns are danfojs-base classes: they print as tables too.
  assert.equal(util.inspect(df.loc({ columns: ["epoch", "loss"] })), ["epoch    loss", "-----  ------", "    1  0.5000", "    2  0.2500"].join("\n"));
  assert.match(util.inspect(df.sortValues("loss")), /^ {3}epoch {4}loss/);
  assert.equal(util.inspect(df["loss"]), ["  loss", "------", "0.5000", "0.2500"].join("\n"));
  assert.doesNotMatch(util.inspect({ nested: df }), /\$data|\$config/);

  // Long frames show the first and last 20 rows with their labels, like pandas.
  const long = util.inspect(recordsTable(Array.from({ length: 100 }, (_, i) => ({ i, square: i * i })))).split("\n");
  assert.equal(long.length, 2 + 20 + 1 + 20 + 2);
  assert.equal(long[2 + 19], "19  19     361");
  assert.equal(long[2 + 20], "…");
  assert.equal(long[2 + 21], "80  80   6,400");
  assert.equal(long[long.length - 1], "[100 rows × 2 columns]");
});

test("integer columns of counts get thousands separators in text and HTML; identifiers (seed) and decimals do not", () => {
  const df = { columns: ["seed", "images", "accuracy", "epochs"], values: [[4294967295, 60000, 0.9812, 12], [42, 1234567, 0.9, 3]], index: [0, 1] };
  const lines = formatTable(df).split("\n");
  assert.equal(lines[0], "      seed     images  accuracy  epochs");
  assert.equal(lines[2], "4294967295     60,000    0.9812      12");
  assert.equal(lines[3], "        42  1,234,567    0.9000       3");
  assert.match(tableHtml(df), /<td[^>]*>1,234,567<\/td>/);
  assert.match(tableHtml(df), /<td[^>]*>4294967295<\/td>/);
  assert.match(formatTable(df, { thousands: false }), /^ +42 +1234567 /m, "thousands: false keeps plain digits");
});

test("numbers written as text (percentages, with \"-\" for missing) are right-aligned like numbers", () => {
  const df = { columns: ["seed", "validation accuracy", "note"], values: [[1, "83.50%", "ok"], [2, "-", "short run"]], index: [0, 1] };
  const lines = formatTable(df).split("\n");
  assert.equal(lines[2], "   1               83.50%  ok");
  assert.equal(lines[3], "   2                    -  short run");
  assert.match(tableHtml(df), /<th style="text-align:right[^>]*>validation accuracy<\/th><th style="text-align:left[^>]*>note<\/th>/);
});

test("tableHtml: the first column stays on one line; a long caption is a plain paragraph before the table, a short one its bold caption", () => {
  const df = recordsTable([{ model: "dense-128-64", params: 109386 }]);
  const short = tableHtml(df, { caption: "History of dense-128" });
  assert.match(short, /^<table[^>]*><caption style="[^"]*font-weight:bold[^"]*">History of dense-128<\/caption>/);
  assert.match(short, /<td style="[^"]*white-space:nowrap">dense-128-64<\/td><td style="text-align:right;padding:2px 10px">109,386<\/td>/);
  const prose = "Test accuracy, size, speed and over-fitting gap per model. A negative gap (validation scoring higher) is usual.";
  const long = tableHtml(df, { caption: prose });
  assert.doesNotMatch(long, /<caption/);
  assert.ok(long.startsWith(`<p class="digit-lab-table-caption" style="margin:4px 0 0;max-width:48em;position:sticky;left:0">${prose}</p><table`), long.slice(0, 200));
  assert.doesNotMatch(long.split("<table")[0], /bold/);
});
