/**
 * The application/vnd.plotly.v1+json copy of every chart, drawn as VS Code (Microsoft's Jupyter
 * Notebook Renderers) and JupyterLab's plotly extension draw it, with the plotly.js 2.35.2 they
 * bundled (VS Code until mid-2025, jupyterlab-plotly in plotly.py 5.x) and with 3.x (both since):
 * from the outputs of the notebooks executed through the kernel, compared with what the HTML copy
 * of the same output draws with the setup cell's plotly.js. See test/helpers/plotly-mime.ts for
 * what each front end does with the payload.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { PLOTLY_MIME, PLOTLY_MIME_AUTO_LIMIT, loadPlotlyBundle, plotlyLoaderHtml } from "../../src/display";
import { NOTEBOOKS_DIR } from "../../scripts/notebooks";
import { launchChromium } from "../helpers/chromium";
import { runNotebookQuick } from "../helpers/notebooks";
import {
  DRAWING_READER, drawHtmlCharts, drawPayload, drawingProblems, plotly2Source, plotly3Source, plotlyAsModule, plotlyPage, readHtmlDrawings, sideBySide,
  type Drawing, type DrawOptions, type PlotlyPayload,
} from "../helpers/plotly-mime";

const OUT = path.resolve(__dirname, "..", "..", "test-output", "plotly-mime");
// Every figure kind the notebooks show: distributions, mean images, histograms, curves with the
// learning-rate line, confusion matrix, class metrics, galleries, weights, feature maps, saliency,
// the architecture bubble chart, class probabilities; and the HTML-only maps over 100 kB.
const NOTEBOOKS = ["01-explore-data", "02-train-dense-ann", "03-compare-architectures", "04-your-own-digits", "05-inside-a-cnn"];
// Wider than any fixed-width figure (≤ 810 px): what is compared is the drawing, not the fitting.
const WIDTH = 1000;

interface ChartOutput { where: string; payload?: PlotlyPayload; html: string }

let charts: ChartOutput[] = [];
let browser: Browser;

before(async () => {
  for (const name of NOTEBOOKS) {
    const executed = runNotebookQuick(path.join(NOTEBOOKS_DIR, `${name}.ipynb`));
    executed.notebook.cells.forEach((cell, index) => {
      for (const output of cell.outputs ?? []) {
        const html = [output.data?.["text/html"] ?? ""].flat().join("");
        if (!/class="digit-lab-chart"/.test(html)) continue;
        const payload = output.data?.[PLOTLY_MIME] as unknown as PlotlyPayload | undefined;
        charts.push({ where: `${name.slice(0, 2)}-cell${index}`, payload, html });
      }
    });
  }
  fs.mkdirSync(OUT, { recursive: true });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

const withMime = () => charts.filter((c) => c.payload) as (ChartOutput & { payload: PlotlyPayload })[];

test("the notebooks' charts carry a plotly MIME copy under 100 kB, the larger ones HTML only", () => {
  assert.ok(withMime().length >= 25, `charts with a MIME copy: ${withMime().length}`);
  const types = new Set(withMime().flatMap((c) => c.payload.data.map((t) => String(t.type))));
  for (const type of ["bar", "scatter", "heatmap"]) assert.ok(types.has(type), `a ${type} trace among ${[...types]}`);
  for (const c of withMime()) assert.ok(JSON.stringify(c.payload).length <= PLOTLY_MIME_AUTO_LIMIT + 100, `${c.where}: MIME copy of ${JSON.stringify(c.payload).length} characters`);
  assert.ok(charts.some((c) => !c.payload), "some charts are over 100 kB (maps of 5,000 points): HTML only");
});

/** Draws every MIME copy with `plotly` as `how` says, and lists what differs from the HTML copies' drawings. */
async function problemsDrawing(plotly: { source: string }, how: Omit<DrawOptions, "id">, html: Drawing[], screenshots?: Buffer[]): Promise<string[]> {
  const { page, messages } = await plotlyPage(browser, plotly, WIDTH);
  const problems: string[] = [];
  try {
    for (const [k, chart] of withMime().entries()) {
      const drawing = await drawPayload(page, messages, chart.payload, { ...how, id: String(k) });
      for (const p of drawingProblems(drawing, html[k])) problems.push(`${chart.where} "${html[k].title.slice(0, 40)}": ${p}`);
      if (screenshots) {
        const mime = await page.locator(`[data-output="${k}"]`).screenshot();
        fs.writeFileSync(path.join(OUT, `${chart.where}-${k}.png`), sideBySide(mime, screenshots[k]));
      }
    }
  } finally {
    await page.close();
  }
  return problems;
}

test("every MIME copy draws in VS Code's and jupyterlab-plotly's plotly.js as its HTML copy does", { timeout: 240_000 }, async () => {
  const charts = withMime();
  const htmlPage = await drawHtmlCharts(browser, charts.map((c) => c.html), WIDTH);
  const html = await readHtmlDrawings(htmlPage.page, charts.map((c) => c.payload));
  const htmlShots = await Promise.all(charts.map((_, k) => htmlPage.page.locator(`[data-output="${k}"]`).screenshot()));
  assert.deepEqual(htmlPage.messages, [], "the HTML copies draw without console errors");
  await htmlPage.page.close();
  for (const [k, d] of html.entries()) assert.ok(d.tracesDrawn >= d.traces && d.traces > 0, `${charts[k].where}: the HTML copy drew ${d.tracesDrawn} of ${d.traces} traces`);

  const plotly2 = plotly2Source(), plotly3 = plotly3Source();
  assert.equal(plotly2.version, "2.35.2");
  // Side by side in test-output/plotly-mime: VS Code with plotly.js 2.35.2 (left), the HTML copy (right).
  const problems = [
    ...(await problemsDrawing(plotly2, { renderer: "vscode", delivery: "json" }, html, htmlShots)).map((p) => `VS Code, plotly.js 2.35.2, parsed item: ${p}`),
    ...(await problemsDrawing(plotly2, { renderer: "vscode", delivery: "text" }, html)).map((p) => `VS Code, plotly.js 2.35.2, text item: ${p}`),
    ...(await problemsDrawing(plotly2, { renderer: "jupyterlab" }, html)).map((p) => `jupyterlab-plotly, plotly.js 2.35.2: ${p}`),
    ...(await problemsDrawing(plotly3, { renderer: "vscode", delivery: "json" }, html)).map((p) => `VS Code, plotly.js ${plotly3.version}: ${p}`),
  ];
  assert.deepEqual(problems, []);
});

test("VS Code's one webview: charts over 100 kB (HTML only) draw with the setup cell's plotly.js beside the renderer's MIME drawings", { timeout: 120_000 }, async () => {
  const large = charts.filter((c) => !c.payload);
  const small = withMime().slice(0, 3);
  const page = await browser.newPage({ viewport: { width: WIDTH, height: 900 } });
  const messages: string[] = [];
  page.on("pageerror", (e) => messages.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") messages.push(`${m.type()}: ${m.text()}`); });
  try {
    // The renderers extension preloads requirejs (an AMD define) into the webview; its plotly.js
    // is a webpack module, not window.Plotly. Outputs follow each other in one document.
    await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8">
<script>window.define = function () {}; window.define.amd = {}; window.require = function () {};</script></head>
<body style="margin:0;font-family:sans-serif"><div style="width:${WIDTH - 20}px;padding:0 10px">
<div id="renderer-plotly"></div>
${plotlyLoaderHtml(loadPlotlyBundle())}
${large.map((c, i) => `<div data-large="${i}">${c.html}</div>`).join("\n")}
<div id="outputs"></div></div></body></html>`);
    await page.addScriptTag({ content: plotlyAsModule(plotly2Source().source, "rendererPlotly") + DRAWING_READER() });
    await page.waitForFunction((n) => Array.from(document.querySelectorAll("[data-large] .digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).length >= n, large.length, { timeout: 60_000 });
    const versions = await page.evaluate(() => [(window as any).Plotly.version, (window as any).rendererPlotly.version]);
    assert.deepEqual(versions, [loadPlotlyBundle().version, "2.35.2"]);
    const drawn = await page.evaluate(() => Array.from(document.querySelectorAll("[data-large] .digit-lab-chart")).map((el) => el.querySelectorAll(".cartesianlayer g.trace, .cartesianlayer g.hm, .cartesianlayer g.im").length));
    assert.ok(drawn.every((n) => n > 0), `traces drawn in the HTML-only charts: ${drawn}`);
    for (const [k, chart] of small.entries()) {
      const d = await drawPayload(page, messages, chart.payload, { renderer: "vscode", id: String(k), plotlyGlobal: "rendererPlotly" });
      assert.deepEqual(drawingProblems(d), [], `${chart.where}: the MIME copy in the same webview`);
    }
    await page.screenshot({ path: path.join(OUT, "vscode-webview.png"), fullPage: true });
    assert.deepEqual(messages, []);
  } finally {
    await page.close();
  }
});
