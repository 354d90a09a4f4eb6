/**
 * Draws application/vnd.plotly.v1+json payloads in Chromium the way the front ends that prefer
 * that MIME type draw them, with the plotly.js they bundle, and says what came out:
 *
 * - "vscode": Microsoft's Jupyter Notebook Renderers (vscode-notebook-renderers): src/client/
 *   transforms.tsx hands the payload to @nteract/transform-plotly 7, which build/postInstall.js
 *   patches to call `Plotly.newPlot(div, { data, layout, config, frames })` (frames `{}` when
 *   absent) on a bare <div> whose only style is `height: layout.height` unless `layout.autosize`;
 *   no resize handling of its own (config.responsive is the payload's). plotly.js-dist 2.35.2
 *   until mid-2025 (renderers PR #215), 3.x since (PR #230).
 * - "jupyterlab": plotly.py's jupyterlab-plotly mime renderer (packages/javascript/jupyterlab-plotly/
 *   src/plotly-renderer.ts in 5.x, plotly.js 2.x; js/src/mimeExtension.ts in 6.x, plotly.js 3.x,
 *   which also sets `layout.height = 360` when missing): `Plotly.react(node, data, layout, config)`
 *   on the output's widget node, then `Plotly.redraw` + `Plots.resize` on every widget resize.
 *
 * The HTML copy of the same output (`chartHtml`) is drawn by `drawHtmlCharts` with the plotly.js
 * the notebook's setup cell loads, for comparison.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { PNG } from "pngjs";
import { loadPlotlyBundle, plotlyLoaderHtml } from "../../src/display";
import { PROJECT_ROOT } from "./paths";

export type MimeRenderer = "vscode" | "jupyterlab";

export interface PlotlyPayload {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
  config?: Record<string, unknown>;
  frames?: unknown[];
}

/** What one drawing shows, read back from the page. */
export interface Drawing {
  /** Thrown by newPlot/react, or a page error while drawing. */
  error?: string;
  /** plotly.js warnings and console errors/warnings while drawing. */
  warnings: string[];
  /** Traces in the payload that are not `visible: false`, and how many plotly.js drew (trace, heatmap and image groups). */
  traces: number;
  tracesDrawn: number;
  /** Annotations and shapes asked for and drawn; colour bars drawn (compared with the HTML copy's). */
  annotations: number;
  annotationsDrawn: number;
  shapes: number;
  shapesDrawn: number;
  colorbarsDrawn: number;
  /** The title text plotly.js drew ("" when none). */
  title: string;
  /** Width of the drawing (its widest svg) and of the output area it sits in, px. */
  width: number;
  boxWidth: number;
  height: number;
}

/** plotly.js-dist-min 2.35.2: the devDependency alias `plotly-js-2`. */
export function plotly2Source(): { source: string; version: string } {
  const file = path.join(PROJECT_ROOT, "node_modules", "plotly-js-2", "plotly.min.js");
  const source = fs.readFileSync(file, "utf8");
  const version = /plotly\.js v(\d+\.\d+\.\d+)/.exec(source.slice(0, 200))?.[1] ?? "unknown";
  return { source, version };
}

/** The page's own plotly.js (3.x, the one the setup cell loads). */
export function plotly3Source(): { source: string; version: string } {
  const bundle = loadPlotlyBundle();
  return { source: bundle.source, version: bundle.version };
}

// tsx compiles the functions handed to page.evaluate with esbuild's keepNames, which calls __name.
const KEEP_NAMES = "window.__name = function (f) { return f; };";

/**
 * Page script: `readDrawing(node, output, figure)` counts what plotly.js drew in `node` (a graph
 * div) against what `figure` asks for. Plain ES5 in a string, so the same code reads both paths.
 */
const READ_DRAWING = `window.readDrawing = function (node, output, figure) {
  function count(selector) { return node ? node.querySelectorAll(selector).length : 0; }
  function shown(list) { return (list || []).filter(function (x) { return x.visible !== false; }); }
  var layout = figure.layout || {}, svgs = node ? Array.prototype.slice.call(node.querySelectorAll("svg.main-svg")) : [];
  return {
    warnings: [],
    traces: shown(figure.data).length,
    // scatter/bar/histogram traces are g.trace; heatmaps g.hm; image traces g.im.
    tracesDrawn: count(".cartesianlayer g.trace, .cartesianlayer g.hm, .cartesianlayer g.im"),
    annotations: shown(layout.annotations).length,
    annotationsDrawn: count(".annotation"),
    shapes: shown(layout.shapes).length,
    shapesDrawn: count(".shapelayer path"),
    colorbarsDrawn: count("g.colorbar"),
    title: node ? Array.prototype.map.call(node.querySelectorAll(".g-gtitle text"), function (t) { return t.textContent; }).join(" ") : "",
    width: Math.max.apply(null, [0].concat(svgs.map(function (s) { return s.getBoundingClientRect().width; }))),
    boxWidth: output.getBoundingClientRect().width,
    height: Math.max.apply(null, [0].concat(svgs.map(function (s) { return s.getBoundingClientRect().height; }))),
  };
};`;

/**
 * Page script: runs a plotly.js bundle as a CommonJS module (as webpack bundles it into the
 * renderer) and keeps it in window[name], leaving window.Plotly alone.
 */
export function plotlyAsModule(source: string, name: string): string {
  return `(function () { var module = { exports: {} }, exports = module.exports, define; ${source}\n; window[${JSON.stringify(name)}] = module.exports; })();`;
}

/** Page script that counts what plotly drew (window.readDrawing), for pages set up by a test. */
export const DRAWING_READER = () => KEEP_NAMES + READ_DRAWING;

/** A blank page `width` px wide with the given plotly.js loaded; `messages` collects console errors, warnings and plotly's WARN logs. */
export async function plotlyPage(browser: Browser, plotly: { source: string }, width: number): Promise<{ page: Page; messages: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const messages: string[] = [];
  page.on("pageerror", (e) => messages.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    const type = m.type();
    // plotly.js logs its warnings with console.trace/log, prefixed "WARN:".
    if (type === "error" || type === "warning" || /^WARN/.test(m.text())) messages.push(`${type}: ${m.text()}`);
  });
  await page.route("**/*", (route) => (route.request().url().startsWith("data:") || route.request().url() === "about:blank" ? route.continue() : route.abort()));
  await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0;font-family:sans-serif"><div id="outputs" style="width:${width - 20}px;padding:0 10px"></div></body></html>`);
  await page.addScriptTag({ content: plotly.source });
  await page.addScriptTag({ content: KEEP_NAMES + READ_DRAWING });
  return { page, messages };
}

export interface DrawOptions {
  renderer: MimeRenderer;
  /** The output element's `data-output` (for screenshots). */
  id: string;
  /**
   * How VS Code hands the output item to the renderer: as text, which transform-plotly parses
   * whole, or parsed (output metadata __isJson), which the patched getFigure takes apart,
   * defaulting a missing `frames` to {}. Ignored by "jupyterlab".
   */
  delivery?: "text" | "json";
  /** The window property holding the plotly.js to draw with. */
  plotlyGlobal?: string;
}

/**
 * Draws `payload` as `renderer` does, in a new output element appended to the page, and reads
 * back what was drawn.
 */
export async function drawPayload(page: Page, messages: string[], payload: PlotlyPayload, how: DrawOptions): Promise<Drawing> {
  const before = messages.length;
  const { renderer, id, delivery = "json", plotlyGlobal = "Plotly" } = how;
  const drawing = await page.evaluate(
    async ({ payload, renderer, id, delivery, plotlyGlobal }) => {
      const Plotly = (window as any)[plotlyGlobal];
      const output = document.createElement("div");
      output.setAttribute("data-output", id);
      output.style.marginBottom = "12px";
      document.getElementById("outputs")!.appendChild(output);
      let node: any = null;
      let error: string | undefined;
      try {
        if (renderer === "vscode") {
          // @nteract/transform-plotly 7.0.1's getFigure as vscode-notebook-renderers' postinstall patches it;
          // VS Code hands the output item over as text (JSON.parse'd whole) or, flagged __isJson, parsed.
          const delivered: any = delivery === "text" ? JSON.stringify(payload) : JSON.parse(JSON.stringify(payload));
          let figure: any;
          if (typeof delivered === "string") figure = JSON.parse(delivered);
          else {
            const { data = {}, layout = {}, frames = {}, config = {} } = delivered;
            figure = { data, layout, config, frames };
          }
          node = document.createElement("div");
          if (figure.layout && figure.layout.height && !figure.layout.autosize) node.style.height = figure.layout.height + "px";
          output.appendChild(document.createElement("div")).appendChild(node);
          await Plotly.newPlot(node, figure);
        } else {
          // jupyterlab-plotly's RenderedPlotly widget (its node carries class jp-RenderedPlotly).
          const { data, layout, config } = payload as any;
          node = document.createElement("div");
          node.className = "jp-RenderedPlotly";
          output.appendChild(node);
          await Plotly.react(node, data, layout, config);
          await Plotly.redraw(node);
          await Plotly.Plots.resize(node);
        }
      } catch (err) {
        error = String(err && (err as Error).stack ? (err as Error).message : err);
      }
      return { error, ...(window as any).readDrawing(node, output, payload) };
    },
    { payload, renderer, id, delivery, plotlyGlobal },
  );
  drawing.warnings = messages.slice(before);
  return drawing;
}

/** A page holding the setup cell's loader and `chartHtml` outputs, as a notebook page does; resolves once every chart drew. */
export async function drawHtmlCharts(browser: Browser, htmls: string[], width: number): Promise<{ page: Page; messages: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  const messages: string[] = [];
  page.on("pageerror", (e) => messages.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error" || m.type() === "warning") messages.push(`${m.type()}: ${m.text()}`); });
  const body = htmls.map((h, i) => `<div data-output="${i}" style="margin-bottom:12px">${h}</div>`).join("\n");
  await page.setContent(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0;font-family:sans-serif"><div style="width:${width - 20}px;padding:0 10px">${plotlyLoaderHtml(loadPlotlyBundle(), { quiet: true })}${body}</div></body></html>`);
  await page.addScriptTag({ content: KEEP_NAMES + READ_DRAWING });
  await page.waitForFunction((n) => document.querySelectorAll(".digit-lab-chart .main-svg").length > 0 &&
    Array.from(document.querySelectorAll(".digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).length >= n, htmls.length, { timeout: 60_000 });
  return { page, messages };
}

/** What each chart of a `drawHtmlCharts` page drew (`figures` in the same order as its HTML outputs). */
export function readHtmlDrawings(page: Page, figures: PlotlyPayload[]): Promise<Drawing[]> {
  return page.evaluate((figures) => figures.map((figure, i) => {
    const output = document.querySelector(`[data-output="${i}"]`)!;
    return (window as any).readDrawing(output.querySelector(".digit-lab-chart"), output, figure);
  }), figures);
}

/** Two PNGs side by side (left, right) on white, as one PNG. */
export function sideBySide(left: Buffer, right: Buffer): Buffer {
  const a = PNG.sync.read(left), b = PNG.sync.read(right);
  const gap = 16, out = new PNG({ width: a.width + gap + b.width, height: Math.max(a.height, b.height) });
  out.data.fill(255);
  PNG.bitblt(a, out, 0, 0, a.width, a.height, 0, 0);
  PNG.bitblt(b, out, 0, 0, b.width, b.height, a.width + gap, 0);
  return PNG.sync.write(out);
}

/** What is wrong with a drawing (empty when nothing is), also measured against the HTML copy's drawing `html` if given. */
export function drawingProblems(d: Drawing, html?: Drawing): string[] {
  const problems: string[] = [];
  if (d.error) problems.push(`did not draw: ${d.error}`);
  if (d.warnings.length) problems.push(`console: ${d.warnings.join(" / ")}`);
  if (d.tracesDrawn < d.traces) problems.push(`${d.tracesDrawn} of ${d.traces} traces drawn`);
  if (d.annotationsDrawn < d.annotations) problems.push(`${d.annotationsDrawn} of ${d.annotations} annotations drawn`);
  if (d.shapesDrawn < d.shapes) problems.push(`${d.shapesDrawn} of ${d.shapes} shapes drawn`);
  if (d.width > d.boxWidth + 1) problems.push(`${Math.round(d.width)} px wide in a ${Math.round(d.boxWidth)} px output`);
  if (html) {
    // What the HTML copy drew with the setup cell's plotly.js: the same traces, captions, shapes, colour bars and title.
    if (d.tracesDrawn !== html.tracesDrawn) problems.push(`${d.tracesDrawn} traces drawn, the HTML copy ${html.tracesDrawn}`);
    if (d.annotationsDrawn !== html.annotationsDrawn) problems.push(`${d.annotationsDrawn} annotations drawn, the HTML copy ${html.annotationsDrawn}`);
    if (d.shapesDrawn !== html.shapesDrawn) problems.push(`${d.shapesDrawn} shapes drawn, the HTML copy ${html.shapesDrawn}`);
    if (d.colorbarsDrawn !== html.colorbarsDrawn) problems.push(`${d.colorbarsDrawn} colour bars drawn, the HTML copy ${html.colorbarsDrawn}`);
    // The HTML copy may break a long title into lines: compare the words.
    if (d.title.replace(/\s+/g, "") !== html.title.replace(/\s+/g, "")) problems.push(`title ${JSON.stringify(d.title)}, the HTML copy ${JSON.stringify(html.title)}`);
  }
  return problems;
}
