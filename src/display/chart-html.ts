/**
 * HTML for charts, shared by notebook display and HTML reports. A chart is a <div>
 * plus a small script holding only its figure JSON; plotly.js itself is loaded once
 * per page by `plotlyLoaderHtml` (the notebook's setup cell, or the report's head).
 *
 * A chart script waits briefly for `window.Plotly` (outputs may be attached to the
 * page after their scripts run, and the loader may still be running), then shows
 * "run the setup cell" and registers itself to be drawn when the loader runs later.
 * Nothing here touches the DOM from Node: the scripts are strings for the browser.
 */
import * as crypto from "node:crypto";
import type { Figure } from "../plots/figure";

/** Plotly config for every chart: no cloud links, no logo, resizes with its cell. */
export const PLOTLY_CONFIG = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"] };

/** MIME type JupyterLab (plotly extension) and VS Code render natively. */
export const PLOTLY_MIME = "application/vnd.plotly.v1+json";

/** JSON safe inside <script>: "<" escaped so a label can never close the script. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

export function newChartId(): string {
  return `digit-lab-chart-${crypto.randomBytes(6).toString("hex")}`;
}

const MISSING_PLOTLY_MESSAGE =
  '<div style="padding:12px;border:1px dashed #d62728;color:#a00;font-family:sans-serif">' +
  "Chart not drawn: plotly.js is not loaded on this page. Run the setup cell " +
  "(<code>setupNotebook()</code>) near the top of the notebook; this chart then draws by itself " +
  "(or run this cell again).</div>";

export function figureTitle(fig: Figure): string {
  const t = fig.layout.title as { text?: string } | string | undefined;
  const text = typeof t === "string" ? t : t?.text;
  return text ? text.replace(/<[^>]*>/g, "") : "untitled figure";
}

/**
 * A figure may carry a second layout for narrow screens (a phone): `layout.meta.digitLabNarrow`
 * = `{ below: px, layout: {...} }`. The chart script uses it, merged over the layout, when its
 * box is narrower than `below` pixels (e.g. training curves stacked instead of side by side).
 */
export interface NarrowLayout {
  below: number;
  layout: Record<string, unknown>;
}

/**
 * A chart that draws itself with the page's `window.Plotly`, inside a box that scrolls
 * sideways: a fixed-width figure (an image grid) wider than the screen scrolls in its box
 * instead of widening the whole page.
 */
export function chartHtml(fig: Figure, options: { id?: string } = {}): string {
  const id = options.id ?? newChartId();
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 450;
  const width = typeof fig.layout.width === "number" ? `width:${fig.layout.width}px;min-width:${fig.layout.width}px;` : "width:100%;";
  const payload = scriptJson({ data: fig.data, layout: fig.layout, config: PLOTLY_CONFIG });
  return `<div class="digit-lab-chart-box" style="overflow-x:auto;max-width:100%"><div id="${id}" class="digit-lab-chart" style="${width}height:${height}px"></div></div>
<script type="text/javascript">
(function () {
  var id = ${JSON.stringify(id)}, fig = ${payload}, waited = 0;
  function layoutFor(el) {
    var narrow = fig.layout.meta && fig.layout.meta.digitLabNarrow, layout = {}, k;
    if (!narrow || !(el.clientWidth > 0) || el.clientWidth >= narrow.below) return fig.layout;
    for (k in fig.layout) layout[k] = fig.layout[k];
    for (k in narrow.layout) layout[k] = narrow.layout[k];
    if (typeof narrow.layout.height === "number" && el.style) el.style.height = narrow.layout.height + "px";
    return layout;
  }
  function draw(el) {
    el.innerHTML = "";
    window.Plotly.newPlot(el, fig.data, layoutFor(el), fig.config)["catch"](function (err) {
      el.innerHTML = "<pre style=\\"color:#a00\\">Chart failed: " + String(err).replace(/</g, "&lt;") + "</pre>";
    });
  }
  function attempt() {
    var el = document.getElementById(id);
    if (el && window.Plotly && window.Plotly.newPlot) { draw(el); return; }
    if ((waited += 50) < 3000) { setTimeout(attempt, 50); return; }
    if (!el) return; // the output was cleared meanwhile
    el.innerHTML = ${JSON.stringify(MISSING_PLOTLY_MESSAGE)};
    (window.digitLabPending = window.digitLabPending || []).push(function () {
      var again = document.getElementById(id);
      if (again) draw(again);
    });
  }
  attempt();
})();
</script>`;
}

/**
 * Loads plotly.js into the page (once per page: a second run with the same version is
 * a no-op) and draws charts that were waiting for it. The bundle is wrapped so it sets
 * `window.Plotly` even when the page has AMD/CommonJS globals (require.js in Jupyter).
 */
export function plotlyLoaderHtml(bundle: { source: string; version: string }, options: { quiet?: boolean } = {}): string {
  const source = bundle.source.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
  const statusId = newChartId().replace("chart", "setup");
  const ready = `digit-lab charts ready: plotly.js ${bundle.version} loaded offline. Keep this output: the charts of this notebook draw with it.`;
  const status = options.quiet
    ? ""
    : `<div id="${statusId}" class="digit-lab-setup" style="font:12px sans-serif;color:#666">digit-lab: loading plotly.js ${bundle.version}…</div>\n`;
  return `${status}<script type="text/javascript">
if (!(window.Plotly && window.Plotly.version === ${JSON.stringify(bundle.version)})) {
(function (module, exports, define) {
${source}
}).call(window);
}
(function () {
  var pending = window.digitLabPending || [];
  window.digitLabPending = [];
  for (var i = 0; i < pending.length; i++) { try { pending[i](); } catch (e) { console.error(e); } }
  function say() { var s = document.getElementById(${JSON.stringify(statusId)}); if (s) s.textContent = ${JSON.stringify(ready)}; else if (--tries > 0) setTimeout(say, 50); }
  var tries = 100;
  say();
})();
</script>`;
}

/** Plain-text stand-in where no HTML can be shown. */
export function figureText(fig: Figure): string {
  const types = Array.from(new Set(fig.data.map((t) => t.type))).join(", ");
  return `<Figure "${figureTitle(fig)}": ${fig.data.length} trace(s) of ${types || "no type"}>`;
}

/**
 * A notebook output bundle: HTML (classic notebook, nbconvert, JupyterLab without the
 * plotly extension), the plotly MIME type (JupyterLab with it, VS Code), and text.
 */
export function figureMimeBundle(fig: Figure, options: { plotlyMime?: boolean | "auto"; id?: string } = {}): Record<string, unknown> {
  const bundle: Record<string, unknown> = { "text/html": chartHtml(fig, { id: options.id }), "text/plain": figureText(fig) };
  const mode = options.plotlyMime ?? "auto";
  const include = mode === "auto" ? JSON.stringify(fig).length <= PLOTLY_MIME_AUTO_LIMIT : mode;
  if (include) bundle[PLOTLY_MIME] = { data: fig.data, layout: fig.layout, config: PLOTLY_CONFIG };
  return bundle;
}

/**
 * "auto" sends the plotly MIME copy only for figures up to this many characters of
 * JSON: the copy doubles a figure's size in the saved notebook, and large figures
 * (a 100-image grid is ~250 kB) still draw from the HTML copy everywhere.
 */
export const PLOTLY_MIME_AUTO_LIMIT = 100_000;
