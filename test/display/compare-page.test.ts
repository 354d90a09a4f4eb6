/**
 * The compare page in a real browser at phone and desktop width: the comparison table's long
 * caption reads without scrolling, model names stay whole, and the bubble chart's tick labels
 * and bubble labels stay apart (review s11, finding 7).
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { architectureComparison, classMetricsBars } from "../../src/plots";
import { COMPARISON_GAP_NOTE, readableComparisonTable, writeReport } from "../../src/report";
import type { ClassificationReport, ComparisonRow } from "../../src/types";
import { openOffline, waitForCharts } from "./browser";
import { overlapping } from "../report/chart-geometry";

const OUT = path.resolve(__dirname, "..", "..", "test-output");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-compare-page-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The review's run: two close models, the less accurate one lowest.
const rows: ComparisonRow[] = [
  { model: "dense-128", params: 101_770, secondsPerEpoch: 0.115, bestEpoch: 2, testAccuracy: 0.8896, testLoss: 0.42, trainValGap: -0.01 },
  { model: "dense-128-64", params: 109_386, secondsPerEpoch: 0.108, bestEpoch: 2, testAccuracy: 0.8706, testLoss: 0.45, trainValGap: -0.02 },
];
const report: ClassificationReport = {
  classes: Array.from({ length: 10 }, (_, label) => ({ label, precision: label === 5 ? 0.643 : 0.95, recall: 0.9, f1: 0.9, support: 1000 })),
  accuracy: 0.89, macro: { precision: 0.9, recall: 0.9, f1: 0.9, support: 10000 }, weighted: { precision: 0.9, recall: 0.9, f1: 0.9, support: 10000 },
};
const file = writeReport(path.join(tmp, "compare.html"), {
  title: "digit-lab: compare",
  sections: [{
    heading: "Architecture comparison",
    figures: [architectureComparison(rows), classMetricsBars(report)],
    tables: [{ table: readableComparisonTable(rows), caption: `Test accuracy, size, speed and over-fitting gap per model. ${COMPARISON_GAP_NOTE}` }],
  }],
});

/** Rectangles [left, top, right, bottom] of the bubble chart's x tick labels and bubble labels. */
function bubbleLabels() {
  const chart = Array.from(document.querySelectorAll(".digit-lab-chart")).find((c) => /Test accuracy vs parameters/.test(c.querySelector(".gtitle")?.textContent ?? ""))!;
  // (no named helpers in here: the bundler's name-keeping wrapper does not exist in the page)
  return {
    ticks: Array.from(chart.querySelectorAll(".xtick text")).map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom]),
    tickText: Array.from(chart.querySelectorAll(".xtick text")).map((t) => t.textContent),
    points: Array.from(chart.querySelectorAll(".textpoint text")).map((e) => e.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom]),
  };
}

for (const width of [390, 1280]) {
  test(`compare page at ${width} px: the caption wraps in view, model names whole, counts grouped, chart labels apart`, async () => {
    const { browser, page, errors } = await openOffline(file, { width, height: 900 });
    try {
      assert.equal(await waitForCharts(page, 2), 2, "both charts drew");
      await page.waitForFunction(() => !document.querySelector("[data-digit-lab-resizing]")).catch(() => undefined);
      fs.mkdirSync(OUT, { recursive: true });
      await page.screenshot({ path: path.join(OUT, `compare-page-${width}.png`), fullPage: true });
      const table = await page.evaluate(() => {
        const box = document.querySelector(".digit-lab-table-box")!;
        const p = box.querySelector("p.digit-lab-table-caption")!;
        const boxRect = box.getBoundingClientRect();
        const before = p.getBoundingClientRect();
        // A whole line per model name: its text fits one line box.
        const lines = Array.from(box.querySelectorAll("tbody tr td:first-child")).map((td) => {
          const range = document.createRange();
          range.selectNodeContents(td);
          return range.getClientRects().length;
        });
        box.scrollLeft = box.scrollWidth; // the table scrolled to its right end (a phone)
        const scrolled = p.getBoundingClientRect();
        return {
          page: document.documentElement.scrollWidth,
          box: [boxRect.left, boxRect.right], caption: [before.left, before.right], scrolledLeft: scrolled.left,
          weight: getComputedStyle(p).fontWeight, lines, cells: Array.from(box.querySelectorAll("td")).map((td) => td.textContent),
        };
      });
      assert.ok(table.page <= width, `the page is ${table.page} px wide`);
      assert.ok(table.caption[0] >= table.box[0] - 0.5 && table.caption[1] <= table.box[1] + 0.5, `caption ${table.caption} inside the visible box ${table.box}`);
      assert.ok(Math.abs(table.scrolledLeft - table.box[0]) < 1, "the caption stays in view while the table scrolls sideways");
      assert.equal(table.weight, "400", "prose, not bold");
      assert.deepEqual(table.lines, [1, 1], "dense-128-64 not broken at its hyphens");
      assert.ok(table.cells.includes("101,770") && table.cells.includes("109,386"));

      const labels = await page.evaluate(bubbleLabels);
      assert.ok(labels.ticks.length >= 2, labels.tickText.join(" "));
      assert.ok(!overlapping(labels.ticks), `x tick labels run together: ${labels.tickText.join(" ")}`);
      const tickTop = Math.min(...labels.ticks.map((r) => r[1]));
      assert.ok(labels.points.every((r) => r[3] <= tickTop), `a bubble label reaches the tick labels (${JSON.stringify(labels.points)} vs top ${tickTop})`);
      assert.ok(!overlapping(labels.points), "the two bubble labels apart");
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}
