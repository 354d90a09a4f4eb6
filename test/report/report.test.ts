import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadMnist, type MnistData } from "../../src/data";
import {
  architectureComparison, classProbabilities, digitGrid, labelDistribution, meanImages, pixelHistogram, type Figure,
} from "../../src/plots";
import { pixelStatsTable } from "../../src/tables";
import { renderReport, trainingReport, writeReport, type ReportSpec } from "../../src/report";
import type { ClassificationReport, ComparisonRow, ConfusionMatrix, EpochLog, Misclassified } from "../../src/types";
import { REAL_DATA_DIR } from "../helpers/paths";
import { openOffline, waitForCharts } from "../display/browser";

const OUT = path.resolve(__dirname, "..", "..", "test-output");
let data: MnistData;
let tmp: string;
/** The page with every figure builder, written by the first test. */
let fullReport: string;

before(async () => {
  data = await loadMnist({ dataDir: REAL_DATA_DIR });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-report-"));
});
after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

/** A stand-in "model": predicts each test label, wrong on every 7th example. */
function fakeEvaluation(n: number) {
  const labels = data.test.labels;
  const predictions = Uint8Array.from({ length: n }, (_, i) => (i % 7 === 3 ? (labels[i] + 1) % 10 : labels[i]));
  const confusion: ConfusionMatrix = Array.from({ length: 10 }, () => new Array(10).fill(0));
  for (let i = 0; i < n; i++) confusion[labels[i]][predictions[i]]++;
  const classes = confusion.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((a, r) => a + r[c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    return { label: c, precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const total = classes.reduce((a, c) => a + c.support, 0);
  const avg = (k: "precision" | "recall" | "f1", weighted: boolean) =>
    classes.reduce((a, c) => a + c[k] * (weighted ? c.support / total : 0.1), 0);
  const report: ClassificationReport = {
    classes,
    accuracy: classes.reduce((a, c) => a + confusion[c.label][c.label], 0) / total,
    macro: { precision: avg("precision", false), recall: avg("recall", false), f1: avg("f1", false), support: total },
    weighted: { precision: avg("precision", true), recall: avg("recall", true), f1: avg("f1", true), support: total },
  };
  const misclassified: Misclassified[] = [];
  for (let i = 0; i < n; i++) {
    if (predictions[i] !== labels[i]) {
      misclassified.push({ index: i, trueLabel: labels[i], predicted: predictions[i], confidence: 0.5 + (i % 50) / 100, pixels: data.test.images.slice(i * 784, (i + 1) * 784) });
    }
  }
  return { report, confusion, misclassified, predictions };
}

const history = (scale: number): EpochLog[] => [1, 2, 3, 4].map((epoch) => ({
  epoch, loss: 0.6 * scale / epoch, accuracy: 1 - 0.12 * scale / epoch, valLoss: 0.65 * scale / epoch + 0.02,
  valAccuracy: 1 - 0.13 * scale / epoch - 0.005, seconds: 10 * scale,
}));
const comparison: ComparisonRow[] = [
  { model: "dense", params: 101_770, secondsPerEpoch: 5.1, bestEpoch: 4, testAccuracy: 0.978, testLoss: 0.072, trainValGap: 0.012 },
  { model: "cnn", params: 225_034, secondsPerEpoch: 21.4, bestEpoch: 4, testAccuracy: 0.991, testLoss: 0.028, trainValGap: 0.004 },
  { model: "lenet", params: 61_706, secondsPerEpoch: 12.9, bestEpoch: 3, testAccuracy: 0.987, trainValGap: 0.006 },
];

/** The figures' own trace data as it appears in the page (escaped JSON). */
const figureJson = (fig: Figure) => JSON.stringify(fig.data).replace(/</g, "\\u003c");

test("trainingReport + writeReport: one offline page with every section, figure and table", async () => {
  const ev = fakeEvaluation(2000);
  const spec = trainingReport({
    runs: [{ name: "dense", history: history(1) }, { name: "cnn", history: history(0.5) }],
    evaluation: ev,
    comparison,
    firstLayer: { layer: "dense_1", className: "Dense", shape: [784, 40], values: Float32Array.from({ length: 784 * 40 }, (_, i) => Math.sin(i) / 10) },
    notes: "Quick run on the first 2,000 test images.",
  });
  assert.deepEqual(spec.sections.map((s) => s.heading), ["Summary", "Training", "Evaluation", "What the first layer learned", "Architecture comparison"]);
  assert.equal(spec.sections[3].figures![0].data.length, 32, "a report draws 32 of the 40 units");
  assert.match(spec.sections[0].text!, /dense: 4 epochs in 40\.0 s; last epoch's training accuracy 97\.00%, validation accuracy 96\.25%\.\n/);
  // When early stopping put back an earlier epoch, the summary names it next to the test accuracy.
  const restored = trainingReport({ runs: { name: "dense", history: history(1), restoredEpoch: 2 }, evaluation: ev });
  assert.match(restored.sections[0].text!,
    /validation accuracy 96\.25%\. Early stopping put back the weights of epoch 2 \(validation accuracy 93\.00%\); the model holds them, and the test figures are theirs\./);
  assert.equal(spec.sections[2].figures!.length, 3); // confusion, per-class bars, mistakes
  // The gallery draws 32 but counts every mistake it was given.
  const gallery = spec.sections[2].figures![2];
  assert.equal(gallery.data.length, 32);
  assert.equal((gallery.layout.title as { text: string }).text, `32 most confident of ${ev.misclassified.length.toLocaleString("en-US")} mistakes`);
  assert.ok(ev.misclassified.length > 32);
  const few = trainingReport({ evaluation: { misclassified: ev.misclassified.slice(0, 5) } });
  assert.equal((few.sections[0].figures![0].layout.title as { text: string }).text, "All 5 mistakes");
  // Add the data-exploration figures too, so the page shows every builder.
  const n = 3000;
  spec.sections.push({
    heading: "Data",
    text: "The MNIST training set.",
    figures: [
      digitGrid(data.test.images, data.test.labels, { indices: Array.from({ length: 30 }, (_, i) => i), predictions: ev.predictions }),
      labelDistribution({ train: data.train.labels, test: data.test.labels }),
      meanImages(data.train.images.subarray(0, n * 784), data.train.labels.subarray(0, n)),
      pixelHistogram([{ name: "train", images: data.train.images }, { name: "test", images: data.test.images }]),
      classProbabilities([0.01, 0.02, 0.05, 0.02, 0.6, 0.03, 0.02, 0.05, 0.05, 0.15], { image: data.test.images.subarray(4 * 784, 5 * 784), trueLabel: data.test.labels[4] }),
    ],
    tables: [{ caption: "Pixel statistics", table: pixelStatsTable({ train: data.train.images, test: data.test.images }) }],
  });
  const file = path.join(tmp, "nested", "report.html");
  fullReport = file;
  const written = writeReport(file, spec);
  assert.equal(written, file);
  const html = fs.readFileSync(file, "utf8");
  assert.equal(fs.readdirSync(path.dirname(file)).length, 1, "no temporary file left behind");
  assert.ok(html.length < 3_000_000, `report is ${(html.length / 1e6).toFixed(2)} MB`);
  assert.equal(html.split("window.Plotly = Plotly").length - 1, 1, "plotly inlined once");
  assert.doesNotMatch(html, /<script[^>]+src=["']?https?:/i, "no remote scripts");
  assert.doesNotMatch(html, /<link[^>]+href=["']?https?:/i, "no remote styles");
  const figures = spec.sections.flatMap((s) => s.figures ?? []);
  assert.equal(figures.length, 1 + 3 + 1 + 1 + 5);
  for (const fig of figures) assert.ok(html.includes(figureJson(fig)), `the page holds the data of "${(fig.layout.title as { text: string }).text}"`);
  assert.match(html, /<caption[^>]*>Classification report \(test set\)<\/caption>/);
  // A long caption is a paragraph before its table (it wraps at the visible width on a phone), not a <caption>.
  assert.match(html, /<p class="digit-lab-table-caption"[^>]*>Models, best test accuracy first\. train − validation accuracy: the last epoch[^<]*<\/p><table/);
  // Words for headers on the page (the DataFrame and --json keep their field names).
  for (const header of ["parameters", "seconds per epoch", "best epoch", "test accuracy", "train − validation accuracy"]) {
    assert.match(html, new RegExp(`<th[^>]*>${header}</th>`));
  }
  assert.doesNotMatch(html, /<th[^>]*>(seconds_per_epoch|train_val_gap)<\/th>/);
  assert.match(html, /<h2>Architecture comparison<\/h2>/);

  const { browser, page, errors, requests } = await openOffline(file, { width: 1200, height: 1000 });
  try {
    const drawn = await waitForCharts(page, figures.length);
    await page.screenshot({ path: path.join(OUT, "report.png"), fullPage: true });
    assert.equal(drawn, figures.length, "every figure drew");
    assert.equal(await page.locator("table.digit-lab-table").count(), 2 + 1 + 1 + 1);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
  } finally {
    await browser.close();
  }
});

test("at phone width (390 px) the page never scrolls sideways: grids and the confusion matrix fit, only what cannot fit scrolls in its own box", async () => {
  assert.ok(fullReport, "the first test wrote the page");
  const html = fs.readFileSync(fullReport, "utf8");
  assert.equal((html.match(/<div class="digit-lab-table-box">(<p class="digit-lab-table-caption"[^>]*>[^<]*<\/p>)?<table/g) ?? []).length, 5, "every table in a scrolling box");
  const { browser, page, errors } = await openOffline(fullReport, { width: 390, height: 844 });
  try {
    const charts = await page.locator(".digit-lab-chart").count();
    assert.equal(await waitForCharts(page, charts), charts, "every figure drew");
    await page.screenshot({ path: path.join(OUT, "report-phone.png"), fullPage: true });
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      // Wider than the screen: only what cannot fit (wide tables), inside their boxes.
      scrolling: Array.from(document.querySelectorAll(".digit-lab-chart-box, .digit-lab-table-box")).filter((b) => b.scrollWidth > b.clientWidth)
        .map((b) => b.querySelector(".gtitle")?.textContent ?? b.querySelector("caption")?.textContent ?? "a table"),
      curvesHeight: document.querySelector(".digit-lab-chart")!.getBoundingClientRect().height,
    }));
    assert.ok(widths.page <= 390, `the page is ${widths.page} px wide`);
    // The confusion matrix, every image grid (wrapped to fewer columns) and the digit with its class probabilities (stacked) fit the phone.
    assert.deepEqual(widths.scrolling.filter((t) => /Confusion|mistakes|looks for|Digits|Predictions|Mean image|Class probabilities/.test(t)), [], `scrolling: ${widths.scrolling.join("; ")}`);
    assert.ok(widths.curvesHeight > 700, `the training curves are stacked (${widths.curvesHeight} px tall)`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test("renderReport escapes text and writes paragraphs; writeReport replaces a report atomically", () => {
  const spec: ReportSpec = {
    title: "A <test> & more",
    sections: [{ heading: "Notes", text: "first <b>line</b>\nsame paragraph\n\nsecond paragraph", figures: [architectureComparison(comparison)] }],
  };
  const html = renderReport(spec);
  assert.match(html, /<title>A &lt;test&gt; &amp; more<\/title>/);
  assert.match(html, /<p>first &lt;b&gt;line&lt;\/b&gt;<br>same paragraph<\/p>\n<p>second paragraph<\/p>/);
  const file = path.join(tmp, "replace.html");
  fs.writeFileSync(file, "old");
  writeReport(file, spec);
  assert.match(fs.readFileSync(file, "utf8"), /^<!DOCTYPE html>/);
});
