import { test } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  PLOTLY_MIME, chartHtml, figureMimeBundle, loadPlotlyBundle, plotlyLoaderHtml, show, showLive, showTable, tableMimeBundle,
} from "../../src/display";
import { confusionMatrix, misclassifiedGallery, trainingCurves, weightImages, type Figure } from "../../src/plots";
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
  assert.match(html, /^<div class="digit-lab-chart-box" style="overflow-x:auto;max-width:100%"><div id="chart-x" class="digit-lab-chart" style="width:500px;min-width:500px;height:321px"><\/div><\/div>/);
  assert.match(chartHtml({ data: [], layout: {} }, { id: "y" }), /<div id="y" class="digit-lab-chart" style="width:100%;height:450px">/);
  const [script, ...rest] = scripts(html);
  assert.equal(rest.length, 0);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1, "a label cannot close the script early");
  assert.ok(!/src=/.test(html), "loads nothing");
  assert.ok(html.length < 9000, "no plotly inside a chart, only the figure and the small drawing script");
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

test("chart script: a figure's narrow layout replaces its own in a box narrower than its threshold", () => {
  const narrowFig: Figure = {
    data: [{ type: "scatter", x: [1], y: [1] }],
    layout: { height: 400, xaxis: { domain: [0, 0.45] }, title: { text: "t" }, meta: { digitLabNarrow: { below: 600, layout: { xaxis: { domain: [0, 1] }, height: 700 } } } },
  };
  const drawAt = (clientWidth: number) => {
    const layouts: Record<string, any>[] = [];
    const el: Record<string, any> = { innerHTML: "", clientWidth, style: {} };
    const page: Record<string, unknown> = { setTimeout, document: { getElementById: () => el } };
    page.window = page;
    page.Plotly = { newPlot: (_el: unknown, _data: unknown, layout: Record<string, any>) => { layouts.push(layout); return Promise.resolve(); } };
    vm.runInNewContext(scripts(chartHtml(narrowFig, { id: "n" }))[0], page);
    return { layout: layouts[0], el };
  };
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
  const drawAt = (fig: Figure, clientWidth: number) => {
    const layouts: Record<string, any>[] = [];
    const el: Record<string, any> = { innerHTML: "", clientWidth, style: {} };
    const page: Record<string, unknown> = { setTimeout, document: { getElementById: () => el } };
    page.window = page;
    page.Plotly = { newPlot: (_el: unknown, _data: unknown, layout: Record<string, any>) => { layouts.push(layout); return Promise.resolve(); } };
    vm.runInNewContext(scripts(chartHtml(fig, { id: "m" }))[0], page);
    return layouts[0];
  };
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
  assert.equal((confusionMatrix(Array.from({ length: 10 }, () => new Array(10).fill(1))).layout.meta as { digitLabMinPlotWidth: number }).digitLabMinPlotWidth, 160);
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
  assert.match(String(b["text/plain"]), /^<Figure "Confusion matrix \(accuracy 87\.50% on 8 images\)": 1 trace\(s\) of heatmap>$/);
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
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="margin:0;padding:12px">${plotlyLoaderHtml(loadPlotlyBundle(), { quiet: true })}${figures.map((f, i) => chartHtml(f, { id: `c${i}` })).join("\n")}</body></html>`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-chart-html-"));
  const file = path.join(dir, "charts.html");
  fs.writeFileSync(file, html);
  const { browser, page, errors } = await openOffline(file, { width: 1280, height: 900 });
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
    assert.ok(matrix.labelPx! >= 9, `confusion counts at ${matrix.labelPx} px`);
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
