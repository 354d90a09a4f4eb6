import { test } from "node:test";
import assert from "node:assert/strict";
import * as vm from "node:vm";
import {
  PLOTLY_MIME, chartHtml, figureMimeBundle, loadPlotlyBundle, plotlyLoaderHtml, show,
} from "../../src/display";
import { confusionMatrix, type Figure } from "../../src/plots";

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
  assert.match(html, /^<div id="chart-x" class="digit-lab-chart" style="width:100%;max-width:500px;height:321px"><\/div>/);
  const [script, ...rest] = scripts(html);
  assert.equal(rest.length, 0);
  assert.equal((html.match(/<\/script>/g) ?? []).length, 1, "a label cannot close the script early");
  assert.ok(!/src=/.test(html), "loads nothing");
  assert.ok(html.length < 4000, "no plotly inside a chart");
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
