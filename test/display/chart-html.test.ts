import { test } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PLOTLY_MIME, chartHtml, figureMimeBundle, loadPlotlyBundle, plotlyLoaderHtml, show, showLive, showTable, tableMimeBundle,
} from "../../src/display";
import {
  architectureComparison, classMetricsBars, classProbabilities, confusionMatrix, digitGrid, embeddingScatter, featureMapsFigure, labelDistribution, meanImages,
  misclassifiedGallery, pixelHistogram, saliencyFigure, trainingCurves, weightImages, type Figure,
} from "../../src/plots";
import { openOffline, waitForCharts } from "./browser";
import { afterResize, chartGeometry, overlapping } from "../report/chart-geometry";
import { MIN_FITTED_PLOT_WIDTH } from "../../src/display/chart-html";

const OUT = path.resolve(__dirname, "..", "..", "test-output");
import { historyTable } from "../../src/tables";

const fig: Figure = {
  data: [{ type: "bar", x: ["a"], y: [1], name: "</script><script>alert(1)</script>" }],
  layout: { title: { text: "A <b>bold</b> title" }, height: 321, width: 500 },
};

/** The inline scripts of an HTML snippet. */
function scripts(html: string): string[] {
  return [...html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]);
}

test("chartHtml: one div and one script holding only this figure's JSON", () => {
  const html = chartHtml(fig, { id: "chart-x" });
  // A fixed-width figure keeps its width inside a box that scrolls sideways, so it never widens the page.
  assert.match(html, /^<div class="digit-lab-chart-box" style="overflow-x:auto;max-width:100%"><div id="chart-x" class="digit-lab-chart" style="width:500px;min-width:500px;height:321px"><div class="digit-lab-not-run"[^>]*>Chart not drawn: [^<]*not trusted[^<]*<\/div><\/div><\/div>/);
  assert.match(chartHtml({ data: [], layout: {} }, { id: "y" }), /<div id="y" class="digit-lab-chart" style="width:100%;height:450px">/);
  const [script, ...rest] = scripts(html);
  assert.equal(rest.length, 0);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1, "a label cannot close the script early");
  assert.ok(!/src=/.test(html), "loads nothing");
  assert.ok(html.length < 12_000, `no plotly inside a chart, only the figure, the small drawing script and the untrusted-notebook note: ${html.length} characters`);
  // The figure survives the escaping.
  const payload = /fig = (\{.*\}), waited/.exec(script)![1];
  const parsed = JSON.parse(payload);
  assert.deepEqual(parsed.data, fig.data);
  assert.equal(parsed.config.displaylogo, false);
  assert.notEqual(chartHtml(fig), chartHtml(fig), "fresh ids: showing a figure twice never clashes");
});

test("chart script draws with window.Plotly once its div is attached, and asks for the setup cell otherwise", async () => {
  const html = chartHtml(fig, { id: "c1" });
  const script = scripts(html)[0];
  // A fake page: the div appears after a while (as when Jupyter attaches an output), Plotly is present.
  const drawn: unknown[] = [];
  const el: Record<string, unknown> = { innerHTML: "" };
  let attached = false;
  const page: Record<string, unknown> = {
    setTimeout,
    document: { getElementById: (id: string) => (attached && id === "c1" ? el : null) },
  };
  page.window = page;
  page.Plotly = { newPlot: (...args: unknown[]) => { drawn.push(args); return Promise.resolve(); } };
  vm.runInNewContext(script, page);
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(drawn.length, 0);
  attached = true;
  await new Promise((r) => setTimeout(r, 120));
  assert.equal(drawn.length, 1);
  assert.equal((drawn[0] as unknown[])[0], el);

  // No Plotly: after the wait, a message and a pending draw for when the loader runs.
  const el2: Record<string, unknown> = { innerHTML: "" };
  const page2: Record<string, unknown> = { setTimeout, document: { getElementById: () => el2 }, console };
  page2.window = page2;
  vm.runInNewContext(script, page2);
  await new Promise((r) => setTimeout(r, 3300));
  assert.match(String(el2.innerHTML), /Run the setup cell/);
  assert.equal((page2.digitLabPending as unknown[]).length, 1);
  // The loader (with a stand-in bundle) draws the waiting chart.
  const drawn2: unknown[] = [];
  const loader = scripts(plotlyLoaderHtml({ source: "window.Plotly = { version: 'fake', newPlot: function () { drawnLater.push(arguments); return Promise.resolve(); } };", version: "fake" }));
  page2.drawnLater = drawn2;
  for (const s of loader) vm.runInNewContext(s, page2);
  assert.equal(drawn2.length, 1);
  assert.equal(el2.innerHTML, "");
  assert.equal((page2.digitLabPending as unknown[]).length, 0);
});

/** A page like a notebook export, opened offline in Chromium: plotly's loader once, then `body` (the charts). Remove `dir` when done. */
async function openChartPage(body: string, bodyStyle: string, viewport: { width: number; height: number }) {
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="${bodyStyle}">${plotlyLoaderHtml(loadPlotlyBundle(), { quiet: true })}${body}</body></html>`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-chart-page-"));
  const file = path.join(dir, "charts.html");
  fs.writeFileSync(file, html);
  return { dir, ...(await openOffline(file, viewport)) };
}

/** Runs a chart's script against a stand-in page whose chart box is `clientWidth` px wide: the layout Plotly gets, and the chart element. */
function drawnInBox(fig: Figure, clientWidth: number): { layout: Record<string, any>; el: Record<string, any> } {
  const layouts: Record<string, any>[] = [];
  const el: Record<string, any> = { innerHTML: "", clientWidth, style: {} };
  const page: Record<string, unknown> = { setTimeout, document: { getElementById: () => el } };
  page.window = page;
  page.Plotly = { newPlot: (_el: unknown, _data: unknown, layout: Record<string, any>) => { layouts.push(layout); return Promise.resolve(); } };
  vm.runInNewContext(scripts(chartHtml(fig, { id: "box" }))[0], page);
  return { layout: layouts[0], el };
}

test("chart script: a figure's narrow layout replaces its own in a box narrower than its threshold", () => {
  const narrowFig: Figure = {
    data: [{ type: "scatter", x: [1], y: [1] }],
    layout: { height: 400, xaxis: { domain: [0, 0.45] }, title: { text: "t" }, meta: { digitLabNarrow: { below: 600, layout: { xaxis: { domain: [0, 1] }, height: 700 } } } },
  };
  const drawAt = (clientWidth: number) => drawnInBox(narrowFig, clientWidth);
  const phone = drawAt(366);
  assert.equal(JSON.stringify(phone.layout.xaxis.domain), "[0,1]"); // arrays from the vm realm
  assert.equal(phone.layout.height, 700);
  assert.equal(phone.layout.title.text, "t", "the rest of the layout is kept");
  assert.equal(phone.el.style.height, "700px", "the box grows with the taller layout");
  const desk = drawAt(1100);
  assert.equal(JSON.stringify(desk.layout.xaxis.domain), "[0,0.45]");
  assert.equal(desk.el.style.height, "400px");
});

test("chart script: a figure that names a smaller readable plot width is fitted to a phone's box; long title lines wrap", () => {
  const drawAt = (fig: Figure, clientWidth: number) => drawnInBox(fig, clientWidth).layout;
  const title = "Confusion matrix<br>(accuracy 96.71% on 10,945 images)";
  const fixed = (meta: Record<string, unknown>): Figure => ({
    data: [{ type: "heatmap", z: [[1]] }],
    layout: { title: { text: title }, width: 600, height: 560, margin: { l: 56, r: 12, t: 76, b: 130 }, meta },
  });
  // 291 px: the box of a 390 px phone beside nbconvert's prompt column; 223 px of plot area.
  const plain = drawAt(fixed({}), 291);
  assert.equal(plain.width, 600, `below ${MIN_FITTED_PLOT_WIDTH} px of plot area a figure keeps its width (its box scrolls)`);
  const matrix = drawAt(fixed({ digitLabMinPlotWidth: 160 }), 291);
  assert.equal(matrix.width, 291, "a figure readable at 160 px is fitted to the box");
  assert.equal(matrix.title.text, "Confusion matrix<br>(accuracy 96.71%<br>on 10,945 images)", "the too-long second line breaks at its middle space");
  assert.equal(matrix.margin.t, 76 + 22, "one more title line, 22 px more room");
  const wide = drawAt(fixed({ digitLabMinPlotWidth: 160 }), 1100);
  assert.equal(wide.title.text, title, "lines that fit are left alone");
  assert.equal(wide.margin.t, 76);
  assert.equal((confusionMatrix(Array.from({ length: 10 }, () => new Array(10).fill(1))).layout.meta as { digitLabMinPlotWidth: number }).digitLabMinPlotWidth, 140);
});

test("plotly loader: the bundle inlined once, safe in HTML, defines Plotly despite AMD/CommonJS globals", () => {
  const bundle = loadPlotlyBundle();
  assert.match(bundle.file, /plotly-cartesian\.min\.js$/);
  assert.equal(bundle.version, "3.7.0");
  assert.ok(bundle.source.length < 2_000_000, "the small bundle keeps notebooks light");
  const html = plotlyLoaderHtml(bundle);
  assert.equal((html.match(/<\/script>/gi) ?? []).length, 1);
  assert.match(html, /charts ready/);
  // Run the real bundle under a page-like global with require.js-style `define` and a CommonJS `module`.
  const page: Record<string, unknown> = { define: Object.assign(() => undefined, { amd: {} }), module: { exports: {} } };
  page.window = page;
  page.self = page;
  const wrapped = /if \(!\(window\.Plotly[^\n]*\n([\s\S]*?)\n\}\n\(function \(\) \{/.exec(scripts(html)[0])![1];
  assert.ok(wrapped.startsWith("(function (module, exports, define) {"));
  // Evaluating plotly needs a DOM, so only check the wrapper hides the module globals from it.
  const probe = wrapped.replace(bundle.source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--"), "window.seen = [typeof module, typeof exports, typeof define];");
  vm.runInNewContext(probe, page);
  assert.deepEqual(Array.from(page.seen as string[]), ["undefined", "undefined", "undefined"]);
});

test("figureMimeBundle: HTML + plotly JSON + text, for classic Jupyter, JupyterLab/VS Code and terminals", () => {
  const f = confusionMatrix([[3, 1], [0, 4]]);
  const b = figureMimeBundle(f);
  assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort());
  const plotly = b[PLOTLY_MIME] as { data: unknown; layout: unknown };
  assert.deepEqual(plotly.data, f.data);
  assert.deepEqual(plotly.layout, f.layout);
  assert.match(String(b["text/plain"]), /^<Figure "Confusion matrix \(accuracy 87\.50% on 8 images\)": 2 trace\(s\) of heatmap>$/);
  assert.equal(Object.keys(figureMimeBundle(f, { plotlyMime: false })).includes(PLOTLY_MIME), false);
  // "auto" leaves the copy out for big figures (a large image grid) to keep notebooks small.
  const big: Figure = { data: [{ type: "heatmap", z: Array.from({ length: 400 }, () => new Array(300).fill(1)) }], layout: {} };
  assert.equal(PLOTLY_MIME in figureMimeBundle(big), false);
  assert.equal(PLOTLY_MIME in figureMimeBundle(big, { plotlyMime: true }), true);
});

test("show() outside a notebook says where it works instead of tslab's bare 'Not ready'", () => {
  assert.throws(() => show(fig), { name: "UsageError", message: /display in a tslab notebook only; outside one use writeReport\(\)/ });
});

test("show() and showTable() with the wrong argument say which function takes what, before any display", () => {
  const df = historyTable([{ epoch: 1, loss: 0.5, accuracy: 0.85, seconds: 3 }]);
  const figureExpected = /^show\(\) takes a figure from src\/plots, such as show\(trainingCurves\(\.\.\.\)\); got /;
  assert.throws(() => show(df as unknown as Figure), { name: "UsageError", message: "show() draws figures; to show a table (DataFrame) use showTable(df)" });
  assert.throws(() => show(undefined as unknown as Figure), { name: "UsageError", message: /got undefined$/ });
  assert.throws(() => show("hello" as unknown as Figure), { name: "UsageError", message: /got the string "hello"$/ });
  assert.throws(() => show({} as Figure), { name: "UsageError", message: /got an empty object$/ });
  assert.throws(() => show(Promise.resolve(fig) as unknown as Figure), { name: "UsageError", message: /got a Promise \(add `await`\)$/ });
  for (const bad of [undefined, "hello", {}, df]) {
    assert.throws(() => show(bad as unknown as Figure), (e: Error) => e.name === "UsageError" && (figureExpected.test(e.message) || /use showTable\(df\)/.test(e.message)));
  }
  assert.throws(() => showLive().update([] as unknown as Figure), { name: "UsageError", message: /^showLive\(\) takes a figure .*; got an array$/ });

  const tableExpected = /^showTable\(\) takes a DataFrame from src\/tables, such as showTable\(historyTable\(result\.history\)\), or an array of records; got /;
  assert.throws(() => showTable({ a: [1, 2] } as never), { name: "UsageError", message: new RegExp(tableExpected.source + "an object with a$") });
  assert.throws(() => showTable(undefined as never), { name: "UsageError", message: new RegExp(tableExpected.source + "undefined$") });
  assert.throws(() => showTable([1, 2] as never), { name: "UsageError", message: new RegExp(tableExpected.source + "an array$") });
  assert.throws(() => showTable(fig as never), { name: "UsageError", message: "showTable() shows tables; to draw a figure use show(fig)" });
  // Right arguments get as far as the display, which outside a notebook says where it works.
  assert.throws(() => showTable(df), { name: "UsageError", message: /display in a tslab notebook only/ });
  assert.throws(() => showTable([{ a: 1 }]), { name: "UsageError", message: /display in a tslab notebook only/ });
});

test("showTable takes an array of records as well as a DataFrame", () => {
  const bundle = tableMimeBundle([{ model: "dense-128", accuracy: 0.9774, params: 101770 }, { model: "cnn", accuracy: 0.991, params: 225034 }]);
  assert.equal(bundle["text/plain"], ["model      accuracy   params", "---------  --------  -------", "dense-128    0.9774  101,770", "cnn          0.9910  225,034"].join("\n"));
  assert.match(String(bundle["text/html"]), /<table class="digit-lab-table"[\s\S]*<td[^>]*>cnn<\/td>/);
  assert.equal((tableMimeBundle(historyTable([{ epoch: 1, loss: 0.5, accuracy: 0.85, seconds: 3 }]))["text/plain"] as string).split("\n")[0],
    "epoch    loss  accuracy  val_loss  val_accuracy  seconds");
});

test("in a real browser, charts follow their box: training curves re-stack on resize, wide heatmaps and grids fit a phone", async () => {
  const run = (name: string, scale: number) => ({
    name, history: [1, 2, 3].map((epoch) => ({ epoch, loss: scale / epoch, accuracy: 1 - scale / (4 * epoch), valLoss: scale / epoch + 0.1, valAccuracy: 0.9 - scale / (5 * epoch), seconds: 1 })),
  });
  const pixels = (k: number) => Uint8Array.from({ length: 784 }, (_, p) => ((p % 28) - 14) ** 2 + (Math.floor(p / 28) - 14) ** 2 < 40 + k * 3 ? 255 : 0);
  const mistakes = Array.from({ length: 24 }, (_, k) => ({ index: k, trueLabel: k % 10, predicted: (k + 3) % 10, confidence: 0.995 - k / 100, pixels: pixels(k) }));
  const counts = Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 1135 - t : (t * 7 + p * 3) % 60)));
  const figures = [
    trainingCurves([run("dense", 1), run("cnn", 0.5)]),
    confusionMatrix(counts),
    misclassifiedGallery(mistakes, { title: "Mistakes" }),
    weightImages({ layer: "dense_1", className: "Dense", shape: [784, 20], values: Float32Array.from({ length: 784 * 20 }, (_, i) => Math.sin(i) / 10) }),
  ];
  // An output page like a notebook export: the loader once, then the charts in a padded column.
  const { dir, browser, page, errors } = await openChartPage(figures.map((f, i) => chartHtml(f, { id: `c${i}` })).join("\n"), "margin:0;padding:12px", { width: 1280, height: 900 });
  try {
    assert.equal(await waitForCharts(page, figures.length), figures.length, "every chart drew");
    const sideBySide = async () => (await chartGeometry(page))[0].x2?.[0] ?? 0;
    assert.ok((await sideBySide()) > 0.5, "desktop: accuracy right of loss");
    // Narrow the window: the curves re-stack (after the debounce) without a reload, and back.
    await page.setViewportSize({ width: 390, height: 844 });
    await afterResize(page, () => (document.getElementById("c0") as unknown as { _fullLayout: { xaxis2: { domain: number[] } } })._fullLayout.xaxis2.domain[0] === 0);
    const phone = await chartGeometry(page);
    await page.screenshot({ path: path.join(OUT, "chart-html-resized-390.png"), fullPage: true });
    assert.deepEqual(phone[0].x2, [0, 1], "phone: accuracy under loss, full width");
    assert.ok(phone[0].x![0] === 0 && phone[0].x![1] === 1);
    for (const c of phone.slice(1)) {
      assert.ok(c.scrollWidth <= c.clientWidth, `"${c.title}" fits its ${c.clientWidth} px box (content ${c.scrollWidth} px)`);
    }
    const [, matrix, gallery, weights] = phone;
    assert.ok(matrix.labelPx! >= 8, `confusion counts at ${matrix.labelPx} px (the diagonal's 4 digits at 8, mistakes at 9)`);
    assert.ok(matrix.cellPx / 10 >= matrix.labelWidest!, `"1135" (${matrix.labelWidest} px) fits a ${matrix.cellPx / 10} px cell`);
    assert.ok(gallery.cellPx >= 56 && weights.cellPx >= 40, `grid images ${gallery.cellPx} and ${weights.cellPx} px wide`);
    assert.ok(!overlapping(gallery.captions) && !overlapping(weights.captions), "captions do not run into each other");
    await page.setViewportSize({ width: 1280, height: 900 });
    await afterResize(page, () => (document.getElementById("c0") as unknown as { _fullLayout: { xaxis2: { domain: number[] } } })._fullLayout.xaxis2.domain[0] > 0.5);
    const desk = await chartGeometry(page);
    assert.ok((await sideBySide()) > 0.5, "desktop again: side by side");
    assert.deepEqual(desk[2].x, (figures[2].layout.xaxis as { domain: number[] }).domain, "desktop: the gallery's own 8 columns again");
    assert.ok(desk[1].labelPx! >= 12, "desktop counts at full size again");
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * An output as nbconvert's HTML export lays it out: a 76 px prompt column and an output cell with 20 px
 * of right padding, both in a table that grows with a fixed-width chart inside a block 23 px from each side.
 */
function nbconvertCell(name: string, chart: string): string {
  return `<div style="margin:0 23px;overflow:auto"><div style="display:table;width:100%">` +
    `<div style="display:table-cell;width:76px;min-width:76px"></div><div class="out" data-name="${name}" style="display:table-cell;padding-right:20px;overflow-x:auto">${chart}</div></div></div>`;
}

/**
 * Where each part of every chart on the page was drawn (rectangles [left, top, right, bottom]),
 * and the right edge of what its output cell shows. Evaluated as a string: tsx would name the
 * helpers with a function the page does not have.
 */
const PHONE_GEOMETRY = `(() => {
  var r = function (e) { if (!e) return null; var b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
  var all = function (root, sel) { return Array.from(root.querySelectorAll(sel)).map(r).filter(function (b) { return b[2] > b[0]; }); };
  return Array.from(document.querySelectorAll(".out")).map(function (cell) {
    var box = cell.querySelector(".digit-lab-chart-box"), el = box.querySelector(".digit-lab-chart"), style = getComputedStyle(cell);
    // The table grows with a chart too wide for it; what shows ends at the block round it, less the cell's padding.
    var shown = cell.parentNode.parentNode.getBoundingClientRect().right - parseFloat(style.paddingRight);
    return {
      name: cell.dataset.name, shown: shown, chart: r(el), scroll: box.scrollWidth, client: box.clientWidth,
      title: r(el.querySelector(".gtitle")), xtitle: r(el.querySelector(".xtitle")), legend: r(el.querySelector(".legend")),
      cbtitle: r(el.querySelector(".cbtitle")), colorbar: r(el.querySelector(".colorbar")),
      plots: all(el, ".nsewdrag"), captions: all(el, ".annotation"), points: all(el, ".textpoint text"),
      ringPx: Math.max(0, ...Array.from(el.querySelectorAll(".scatterlayer .trace:last-child .point")).map(function (p) { return p.getBBox().width; })),
      bubblePx: Array.from(el.querySelectorAll(".scatterlayer .point")).map(function (p) { return Math.round(p.getBBox().width * 10) / 10; }),
    };
  });
})()`;

test("in a real browser, a 390 px phone's nbconvert export: every chart inside its output cell, titles, legends and colour bars clear of each other", async () => {
  // nbconvert's page at 390 px: a 76 px prompt column and an output cell with 20 px of right padding, both in a
  // table that grows with a fixed-width chart inside a 344 px block; what shows of the cell is 248 px wide.
  const pixels = (k: number) => Uint8Array.from({ length: 784 }, (_, p) => ((p % 28) - 14) ** 2 + (Math.floor(p / 28) - 14) ** 2 < 40 + k * 3 ? 255 : 0);
  const images = new Uint8Array(60 * 784);
  for (let k = 0; k < 60; k++) images.set(pixels(k % 20), k * 784);
  const labels = Uint8Array.from({ length: 60 }, (_, k) => k % 10);
  const scores = Float32Array.from({ length: 600 * 2 }, (_, i) => Math.sin(i * 12.9898) * 5 + (i % 2 ? 0 : 1.5));
  const probabilities = new Float32Array(600 * 10);
  for (let i = 0; i < 600; i++) probabilities[i * 10 + (i % 13 === 0 ? (i + 3) % 10 : i % 10)] = 0.9;
  const metric = (label: number) => ({ label, precision: 0.96 + label * 0.003, recall: 0.95 + (label % 3) * 0.01, f1: 0.955 + label * 0.002, support: 1000 });
  const row = (model: string, params: number, testAccuracy: number, secondsPerEpoch: number) => ({ model, params, secondsPerEpoch, bestEpoch: 5, testAccuracy, trainValGap: 0.01 });
  const maps = (size: number, channels: number, layer: string, className: string) =>
    ({ layer, className, count: 1, height: size, width: size, channels, values: Float32Array.from({ length: size * size * channels }, (_, i) => Math.max(0, Math.sin(i / 13))) });
  const gradient = (f: number) => Float32Array.from({ length: 784 }, (_, p) => Math.sin(p / f) / 10);
  const figures: [string, Figure][] = [
    ["digit grid", digitGrid(images, labels, { limit: 40, columns: 10, title: "The first 40 training digits" })],
    ["label distribution", labelDistribution({ train: labels, test: labels.subarray(0, 30) }, { normalize: true })],
    ["mean images", meanImages(images, labels)],
    ["pixel histogram", pixelHistogram([{ name: "train", images }, { name: "test", images: images.subarray(0, 784 * 10) }])],
    ["PCA map", embeddingScatter({ count: 600, components: 2, scores }, Uint8Array.from({ length: 600 }, (_, i) => i % 10), { probabilities, title: "Test digits in the last hidden layer (dense_2, 128 units), by PCA" })],
    ["class metrics", classMetricsBars({ classes: Array.from({ length: 10 }, (_, c) => metric(c)), accuracy: 0.9767, macro: metric(0), weighted: metric(0) })],
    ["gallery", misclassifiedGallery(Array.from({ length: 24 }, (_, k) => ({ index: k, trueLabel: k % 10, predicted: (k + 3) % 10, confidence: 0.99 - k / 100, pixels: pixels(k) })), { limit: 24 })],
    ["weights", weightImages({ layer: "dense_1", className: "Dense", shape: [784, 128], values: Float32Array.from({ length: 784 * 128 }, (_, i) => Math.sin(i) / 10) }, { limit: 16 })],
    // Seconds per epoch of a full run: the CNN 45–95× slower than the dense networks, which differ 2× among themselves.
    ["bubbles", architectureComparison([row("dense-128", 101_770, 0.9767, 2.1), row("dense-128-64", 109_386, 0.9755, 2.0), row("dense-256-128-32", 238_314, 0.9772, 4.3), row("dense-128x3", 134_794, 0.9741, 4.4), row("cnn", 197_482, 0.9905, 190)])],
    ["saliency", saliencyFigure([0, 1].map((k) => ({ pixels: Float32Array.from(pixels(k), (v) => v / 255), probabilities: Array.from({ length: 10 }, (_, c) => (c === k ? 0.9 : 0.011)), maps: [{ label: k, gradient: gradient(7) }, { label: k + 1, gradient: gradient(9) }] })), { names: ["a.png", "b.png"] })],
    ["feature maps", featureMapsFigure(maps(26, 32, "conv2d_1", "Conv2D"), { name: "test digit #0 (a 7)" })],
    ["pooled maps", featureMapsFigure(maps(5, 64, "max_pooling2d_2", "MaxPooling2D"), { name: "test digit #0 (a 7)" })],
  ];
  const { dir, browser, page, errors } = await openChartPage(figures.map(([name, f], i) => nbconvertCell(name, chartHtml(f, { id: `p${i}` }))).join("\n"), "margin:0", { width: 390, height: 844 });
  try {
    assert.equal(await waitForCharts(page, figures.length), figures.length, "every chart drew");
    await page.screenshot({ path: path.join(OUT, "chart-html-nbconvert-390.png"), fullPage: true });
    type Rect = number[];
    const charts = (await page.evaluate(PHONE_GEOMETRY)) as {
      name: string; shown: number; chart: Rect; scroll: number; client: number; title: Rect | null; xtitle: Rect | null; legend: Rect | null;
      cbtitle: Rect | null; colorbar: Rect | null; plots: Rect[]; captions: Rect[]; points: Rect[]; ringPx: number; bubblePx: number[];
    }[];
    const inside = (r: Rect | null, left: number, right: number) => !r || (r[0] >= left - 1 && r[2] <= right + 1);
    const meet = (a: Rect | null, b: Rect | null) => !!a && !!b && a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5;
    const byName = Object.fromEntries(charts.map((c) => [c.name, c]));
    // Every problem of every chart, so one run names them all.
    const problems: string[] = [];
    const check = (ok: boolean, problem: string) => { if (!ok) problems.push(problem); };
    const px = (r: Rect | null) => JSON.stringify(r && r.map(Math.round));
    for (const c of charts) {
      const left = c.chart[0];
      check(c.shown - left <= 250, `${c.name}: the cell shows ${c.shown - left} px, not a phone's 248`);
      check(c.scroll <= c.client, `${c.name}: sideways scroll in its box (${c.scroll} > ${c.client} px)`);
      check(c.plots.every((p) => inside(p, left, c.shown)), `${c.name}: subplots (grid columns) end at ${JSON.stringify(c.plots.map((p) => Math.round(p[2])))}, past the ${Math.round(c.shown)} px shown`);
      for (const part of ["title", "xtitle", "legend", "cbtitle", "colorbar"] as const) {
        check(inside(c[part], left, c.shown), `${c.name}: its ${part} ${px(c[part])} outside ${Math.round(left)}–${Math.round(c.shown)}`);
      }
      check(!meet(c.legend, c.xtitle), `${c.name}: the legend ${px(c.legend)} on the x axis' title ${px(c.xtitle)}`);
      check(!c.captions.some((a) => meet(a, c.title)), `${c.name}: the title ${px(c.title)} on the captions`);
      check(!meet(c.title, c.cbtitle) && !meet(c.title, c.colorbar), `${c.name}: the colour bar ${px(c.colorbar)} on the title ${px(c.title)}`);
      check(!overlapping(c.points), `${c.name}: point labels overlap: ${JSON.stringify(c.points.map((p) => p.map(Math.round)))}`);
      check(!c.points.some((p) => meet(p, c.title)), `${c.name}: a point label on the title`);
    }
    // The map: rings just round their dots, and the legend right under the axis title (no empty band between).
    const map = byName["PCA map"];
    check(map.ringPx > 0 && map.ringPx <= 9, `PCA map: rings ${map.ringPx} px across`);
    check(map.legend![1] - map.xtitle![3] < 30, `PCA map: the legend ${Math.round(map.legend![1] - map.xtitle![3])} px under the axis title`);
    // The bubbles: the four dense networks' sizes still tell 2× the seconds apart.
    const dense = byName.bubbles.bubblePx.slice(0, 4);
    check(dense[2] - dense[0] >= 2 && dense[3] - dense[1] >= 2, `bubbles: dense networks ${dense} px across`);
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Per chart (by its cell's name): the drawing's size, its plot areas, what it drew, and whether it fits what its cell shows. */
const DRAWN_GEOMETRY = `(() => Array.from(document.querySelectorAll(".out")).map(function (cell) {
  var box = cell.querySelector(".digit-lab-chart-box"), el = box.querySelector(".digit-lab-chart"), svg = el.querySelector(".main-svg");
  var full = el._fullLayout || {}, s = svg ? svg.getBoundingClientRect() : null;
  var shown = cell.parentNode.parentNode.getBoundingClientRect().right - parseFloat(getComputedStyle(cell).paddingRight);
  return {
    name: cell.dataset.name,
    svg: s && [Math.round(s.width), Math.round(s.height)],
    layout: [full.width, full.height],
    element: [el.clientWidth, el.clientHeight],
    plots: Array.from(el.querySelectorAll(".nsewdrag")).map(function (d) { var b = d.getBoundingClientRect(); return [Math.round(b.width), Math.round(b.height)]; }),
    marks: el.querySelectorAll(".bars path, .hm image, .scatterlayer .point").length,
    fits: box.scrollWidth <= box.clientWidth && el.getBoundingClientRect().right <= shown + 1,
  };
}))()`;

test("in a real browser, a chart resized (window narrowed to a phone and back, a side panel opened) is drawn as when opened at that width", async () => {
  // The class-probability chart's phone layout drops its 760 px width: it used to be redrawn at 760 px inside
  // nbconvert's 248 px cell (blank), as the old drawing held the cell open while Plotly measured it. Charts without
  // a width of their own used to keep theirs when a side panel narrowed the page, and a PCA map came out smaller
  // from Plotly's own resize than from a fresh draw.
  const pixels = Uint8Array.from({ length: 784 }, (_, p) => ((p % 28) - 14) ** 2 + (Math.floor(p / 28) - 14) ** 2 < 60 ? 255 : 0);
  const probabilities = [0.001, 0.002, 0.001, 0.004, 0.001, 0.003, 0.001, 0.002, 0.982, 0.003];
  const history = [1, 2, 3].map((epoch) => ({ epoch, loss: 1 / epoch, accuracy: 1 - 1 / (4 * epoch), valLoss: 1 / epoch + 0.1, valAccuracy: 0.9 - 1 / (5 * epoch), seconds: 1 }));
  const mistakes = Array.from({ length: 12 }, (_, k) => ({ index: k, trueLabel: k % 10, predicted: (k + 3) % 10, confidence: 0.9, pixels }));
  const points = 200;
  const scores = Float32Array.from({ length: points * 2 }, (_, i) => Math.sin(i * 12.9898) * 5 + (i % 2 ? 0 : 1.5));
  const labels = Uint8Array.from({ length: points }, (_, i) => i % 10);
  const figures: [string, Figure][] = [
    ["probabilities with image", classProbabilities(probabilities, { image: pixels, trueLabel: 8, title: "my-8.png: predicted 8 (98.2%)" })],
    ["probabilities", classProbabilities(probabilities)],
    ["curves", trainingCurves([{ name: "dense", history }])],
    ["matrix", confusionMatrix(Array.from({ length: 10 }, (_, t) => Array.from({ length: 10 }, (_, p) => (t === p ? 980 : (t + p) % 7))))],
    ["gallery", misclassifiedGallery(mistakes)],
    ["PCA map", embeddingScatter({ count: points, components: 2, scores }, labels, { title: "Test digits by PCA" })],
  ];
  const body = figures.map(([name, f], i) => nbconvertCell(name, chartHtml(f, { id: `r${i}` }))).join("\n");
  const { dir, browser, page, errors } = await openChartPage(body, "margin:0", { width: 1280, height: 900 });
  // A side panel (JupyterLab's file browser) takes 400 px of a 1280 px window: no window resize.
  const panelMargin = "0 0 0 400px";
  fs.writeFileSync(path.join(dir, "panel.html"), fs.readFileSync(path.join(dir, "charts.html"), "utf8").replace('<body style="margin:0">', `<body style="margin:${panelMargin}">`));
  type Geometry = { name: string; svg: number[] | null; layout: number[]; element: number[]; plots: number[][]; marks: number; fits: boolean };
  const geometry = async (p: typeof page) => {
    assert.equal(await waitForCharts(p, figures.length), figures.length, "every chart drew");
    return (await p.evaluate(DRAWN_GEOMETRY)) as Geometry[];
  };
  const opened = async (file: string, width: number) => {
    const fresh = await browser.newPage({ viewport: { width, height: 900 } });
    fresh.on("pageerror", (e) => errors.push(`page error in ${file} at ${width} px: ${e.message}`));
    await fresh.goto(`file://${path.join(dir, file)}`);
    return geometry(fresh);
  };
  // A chart without a width of its own ("probabilities") drawn as wide as its element says the resize came through.
  const resized = async (change: () => Promise<unknown>) => {
    await change();
    await afterResize(page, () => {
      const el = document.getElementById("r1") as unknown as { clientWidth: number; _fullLayout: { width: number } };
      return Math.abs(el._fullLayout.width - el.clientWidth) <= 1;
    });
    return geometry(page);
  };
  try {
    const desk = await geometry(page);
    const steps: [string, Geometry[], Geometry[]][] = [
      ["narrowed from 1280 to 390 px", await resized(() => page.setViewportSize({ width: 390, height: 844 })), await opened("charts.html", 390)],
    ];
    await page.screenshot({ path: path.join(OUT, "chart-html-narrowed-390.png"), fullPage: true });
    steps.push(["widened back to 1280 px", await resized(() => page.setViewportSize({ width: 1280, height: 900 })), desk]);
    // Narrower without a switch to a phone layout: Plotly's own resize, unless the chart redraws itself.
    steps.push(["narrowed from 1280 to 800 px", await resized(() => page.setViewportSize({ width: 800, height: 900 })), await opened("charts.html", 800)]);
    steps.push(["widened back to 1280 px again", await resized(() => page.setViewportSize({ width: 1280, height: 900 })), desk]);
    steps.push(["with a 400 px side panel opened", await resized(() => page.evaluate(`document.body.style.margin = "${panelMargin}"`)), await opened("panel.html", 1280)]);
    const phone = steps[0][2];
    for (const [i, [name]] of figures.entries()) {
      const p = phone[i];
      assert.ok(p.svg && p.marks > 0 && p.fits && p.svg[0] <= 248, `${name} opened at 390 px: drawn, inside its 248 px cell (${JSON.stringify(p)})`);
    }
    // Every chart that differs at every step, so one run names them all.
    const problems = steps.flatMap(([step, got, fresh]) => got.flatMap((g, i) => {
      const keys = (Object.keys(g) as (keyof Geometry)[]).filter((k) => JSON.stringify(g[k]) !== JSON.stringify(fresh[i][k]));
      return keys.length ? [`${g.name} ${step}: ${keys.map((k) => `${k} ${JSON.stringify(g[k])}, opened so ${JSON.stringify(fresh[i][k])}`).join("; ")}`] : [];
    }));
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("in a real browser, a chart whose script does not run (an untrusted notebook) says why; a drawn chart does not", async () => {
  const fig = trainingCurves([{ name: "dense", history: [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.4, seconds: 1 }] }]);
  const { dir, browser, page, errors } = await openChartPage(chartHtml(fig, { id: "t" }), "margin:0", { width: 900, height: 700 });
  try {
    assert.equal(await waitForCharts(page, 1), 1);
    assert.equal(await page.locator(".digit-lab-not-run").count(), 0, "the note goes as soon as the script runs");
    // Jupyter shows an untrusted output's HTML without running its scripts: as a page without JavaScript.
    const untrusted = await browser.newPage({ javaScriptEnabled: false, viewport: { width: 900, height: 700 } });
    await untrusted.goto(`file://${path.join(dir, "charts.html")}`);
    const note = untrusted.locator("#t .digit-lab-not-run");
    assert.ok(await note.isVisible(), "the empty chart box says why it is empty");
    assert.match(await note.innerText(), /not trusted.*Run this cell again, or trust the notebook/s);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("in a real browser, class probabilities on a 390 px phone name all ten classes and keep the top bar's label readable", async () => {
  const pixels = Uint8Array.from({ length: 784 }, (_, p) => (p % 28 > 10 && p % 28 < 16 ? 255 : 0));
  const probabilities = [0.001, 0.997, 0, 0, 0.001, 0, 0, 0.001, 0, 0];
  const figures: [string, Figure][] = [
    ["with image", classProbabilities(probabilities, { image: pixels, trueLabel: 1 })],
    ["bars only", classProbabilities(probabilities)],
  ];
  const body = figures.map(([name, f], i) => nbconvertCell(name, chartHtml(f, { id: `q${i}` }))).join("\n");
  const { dir, browser, page, errors } = await openChartPage(body, "margin:0", { width: 390, height: 844 });
  try {
    assert.equal(await waitForCharts(page, figures.length), figures.length);
    await page.screenshot({ path: path.join(OUT, "chart-html-probabilities-390.png"), fullPage: true });
    const drawn = (await page.evaluate(`Array.from(document.querySelectorAll(".digit-lab-chart")).map(function (el) {
      // The class axis is x2 beside the image: every x axis' tick labels (the image's has none).
      var ticks = Array.from(el.querySelectorAll(".xaxislayer-above text")).map(function (t) { return t.textContent; });
      var label = el.querySelector(".bars text.bartext");
      return { ticks: ticks, label: label && label.textContent, labelPx: label ? parseFloat(getComputedStyle(label).fontSize) : 0 };
    })`)) as { ticks: string[]; label: string | null; labelPx: number }[];
    for (const [i, [name]] of figures.entries()) {
      const d = drawn[i];
      assert.deepEqual(d.ticks, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"], `${name}: ${JSON.stringify(d)}`);
      assert.equal(d.label, "99.7%", name);
      assert.ok(d.labelPx >= 10, `${name}: the top bar's label is ${d.labelPx} px high`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
