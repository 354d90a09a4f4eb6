/**
 * The PCA map in a wide notebook (1400 px window, JupyterLab's 1,200-odd px output box): drawn at
 * equal scale, its plot area must still fill the box. It used to shrink to under half the width,
 * a blank band on each side, because the equal scale was kept by shrinking the plot area.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chartHtml, loadPlotlyBundle, plotlyLoaderHtml } from "../../src/display";
import { embeddingScatter } from "../../src/plots";
import { openOffline, waitForCharts } from "./browser";

test("in a real browser at 1400 px, the PCA map fills its box at equal scale and shows every point", async () => {
  // A cloud shaped like MNIST's raw-pixel PCA: about 14 units wide and 11 tall, one cluster per digit.
  const count = 2000;
  const scores = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    const digit = i % 10;
    const angle = (digit / 10) * 2 * Math.PI;
    const jitter = ((i * 7919) % 1000) / 1000;
    scores[i * 2] = 1.5 + 5 * Math.cos(angle) + 2 * jitter;
    scores[i * 2 + 1] = 4 * Math.sin(angle) + 1.5 * (1 - jitter);
  }
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  const fig = embeddingScatter({ count, components: 2, scores, explainedVarianceRatio: [0.1, 0.075] }, labels, { title: "Test digits by PCA" });
  // As in JupyterLab: the output area starts after the prompt column and keeps a little padding.
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">${plotlyLoaderHtml(loadPlotlyBundle(), { quiet: true })}` +
    `<div style="margin:0 23px 0 99px;padding-right:20px">${chartHtml(fig, { id: "map" })}</div></body></html>`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-embedding-fill-"));
  fs.writeFileSync(path.join(dir, "map.html"), html);
  const { browser, page, errors } = await openOffline(path.join(dir, "map.html"), { width: 1400, height: 900 });
  try {
    assert.equal(await waitForCharts(page, 1), 1, "the map drew");
    const g = (await page.evaluate(`(() => {
      var el = document.getElementById("map"), plot = el.querySelector(".nsewdrag").getBoundingClientRect(), f = el._fullLayout;
      return { box: el.clientWidth, plot: [plot.width, plot.height], x: f.xaxis.range, y: f.yaxis.range };
    })()`)) as { box: number; plot: number[]; x: number[]; y: number[] };
    const detail = JSON.stringify(g);
    assert.ok(g.box > 1100, `a wide box: ${detail}`);
    // The legend takes about 120 px on the right; the plot area the rest, not under half.
    assert.ok(g.plot[0] > 0.75 * g.box, `plot area ${Math.round(g.plot[0])} px wide in a ${g.box} px box: ${detail}`);
    // Equal scale: a unit on x is as many pixels as a unit on y.
    const xScale = g.plot[0] / (g.x[1] - g.x[0]);
    const yScale = g.plot[1] / (g.y[1] - g.y[0]);
    assert.ok(Math.abs(xScale / yScale - 1) < 0.01, `${xScale.toFixed(2)} px per unit on x, ${yScale.toFixed(2)} on y`);
    // No point cut off by the widened or kept ranges.
    for (let i = 0; i < count; i++) {
      assert.ok(scores[i * 2] > g.x[0] && scores[i * 2] < g.x[1], `point ${i} inside the x range ${g.x}`);
      assert.ok(scores[i * 2 + 1] > g.y[0] && scores[i * 2 + 1] < g.y[1], `point ${i} inside the y range ${g.y}`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
