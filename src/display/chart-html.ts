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

/**
 * In the chart's element until its script runs. Jupyter runs no script of a saved notebook it
 * does not trust (executed elsewhere, or edited outside Jupyter): the chart stays empty, and
 * this says why instead of a blank box.
 */
const NOT_RUN_MESSAGE =
  '<div class="digit-lab-not-run" style="padding:12px;color:var(--jp-ui-font-color2,#777);font:13px sans-serif">' +
  "Chart not drawn: this output's script has not run, so the notebook is probably not trusted. " +
  "Run this cell again, or trust the notebook (File → Trust Notebook; in JupyterLab, " +
  "“Trust Notebook” in the command palette).</div>";

const MISSING_PLOTLY_MESSAGE =
  '<div style="padding:12px;border:1px dashed #d62728;color:#a00;font-family:sans-serif">' +
  "Chart not drawn: plotly.js is not loaded on this page. Run the setup cell " +
  "(<code>setupNotebook()</code>) near the top of the notebook; this chart then draws by itself " +
  "(or run this cell again).</div>";

export function figureTitle(fig: Figure): string {
  const t = fig.layout.title as { text?: string } | string | undefined;
  const text = typeof t === "string" ? t : t?.text;
  // A line break becomes " — ": "8×8" and "11 silent" must not read "8×811 silent".
  return text ? text.replace(/<br\s*\/?>/gi, " — ").replace(/<[^>]*>/g, "") : "untitled figure";
}

/**
 * A figure may carry a second layout for narrow screens (a phone): `layout.meta.digitLabNarrow`
 * = `{ below: px, layout: {...}, data?: [{...}, …] }`. The chart script uses it, merged over the
 * layout (and `data[i]` over trace i; a null value removes the key, e.g. a fixed `width`), while its
 * box is narrower than `below` pixels (e.g. training curves stacked instead of side by side, a
 * confusion matrix with its colour bar underneath).
 */
export interface NarrowLayout {
  below: number;
  layout: Record<string, unknown>;
  /** Per-trace overrides, by trace index (trace attributes such as a heatmap's text size). */
  data?: (Record<string, unknown> | null)[];
}

/**
 * An image grid (src/plots/images) describes itself in `layout.meta.digitLabGrid` so the chart
 * script can wrap it to fewer columns in a narrow box: cell k sits on axes k+1, `extra` px of
 * margins around the cells, each row `cellSize + captionHeight` px tall plus `titleHeight`;
 * `minCell` is the smallest cell that keeps its caption readable.
 */
export interface GridFit {
  count: number;
  columns: number;
  cellSize: number;
  minCell: number;
  captionHeight: number;
  titleHeight: number;
  extra: number;
  gapX: number;
  /** Vertical gaps of the whole grid, as a fraction of its height (split between the rows). */
  gapY: number;
}

/**
 * Narrowest plot area (px) a fixed-width figure is shrunk to; narrower boxes scroll sideways instead.
 * A figure that stays readable smaller says so in `layout.meta.digitLabMinPlotWidth` (a confusion
 * matrix: a few pixels per class).
 */
export const MIN_FITTED_PLOT_WIDTH = 240;

/**
 * A chart that draws itself with the page's `window.Plotly` and follows its box's width: it
 * switches to the figure's narrow layout below its threshold and back, and a fixed-width
 * figure (confusion matrix, image grid) wider than its box is fitted to it (grids wrap to fewer
 * columns) while it stays readable. Only what cannot fit scrolls sideways in the box, so a
 * figure never widens the whole page. Resizes are debounced; the figure is redrawn when its
 * layout or, without a width of its own, its box's width changes, so a chart resized to a width
 * is drawn as one opened at that width:
 * - each redraw starts from an empty element (Plotly.purge): Plotly sizes a layout without a width
 *   (a phone layout dropping the desktop's 760 px) to its element, and nbconvert's table cell stays
 *   as wide as the old drawing inside it, so the chart was drawn 760 px wide in a 248 px box;
 * - Plotly's own `responsive` resize (in between) follows only the window, not a box narrowed by a
 *   side panel, and resizing in place it lays some figures out unlike a fresh draw (a PCA map's
 *   equal-scale axes came out smaller).
 * The script ships with every chart: its comments stay short.
 */
export function chartHtml(fig: Figure, options: { id?: string } = {}): string {
  const id = options.id ?? newChartId();
  const height = typeof fig.layout.height === "number" ? fig.layout.height : 450;
  const width = typeof fig.layout.width === "number" ? `width:${fig.layout.width}px;min-width:${fig.layout.width}px;` : "width:100%;";
  const payload = scriptJson({ data: fig.data, layout: fig.layout, config: PLOTLY_CONFIG });
  return `<div class="digit-lab-chart-box" style="overflow-x:auto;max-width:100%"><div id="${id}" class="digit-lab-chart" style="${width}height:${height}px">${NOT_RUN_MESSAGE}</div></div>
<script type="text/javascript">
(function () {
  var id = ${JSON.stringify(id)}, fig = ${payload}, waited = 0, drawnShape = null;
  // Plotly keeps (and on resize edits) the layout it is given: hand it copies, keep the figure's own.
  var layoutJson = JSON.stringify(fig.layout);
  // over's values replace base's; a null removes the key (a narrow layout dropping a fixed width).
  function merged(base, over) {
    var out = {}, k;
    for (k in base) out[k] = base[k];
    for (k in over) {
      if (over[k] === null) delete out[k];
      else out[k] = over[k];
    }
    return out;
  }
  function num(v, fallback) { return typeof v === "number" ? v : fallback; }
  function boxWidth(el) {
    var box = el.parentNode;
    var width = box && box.clientWidth > 0 ? box.clientWidth : el.clientWidth;
    // nbconvert's HTML puts outputs in table cells, which grow with a fixed-width chart: there
    // the box would never be narrower than the chart. The page's width right of the box bounds it,
    // and so does the first block round those cells, less the cells' own right padding.
    var page = document.documentElement ? document.documentElement.clientWidth : 0;
    if (!box || !box.getBoundingClientRect || !(page > 0)) return width;
    var rect = box.getBoundingClientRect(), right = page - (window.scrollX || 0);
    right = Math.min(right, blockRight(box.parentNode));
    return Math.max(0, Math.min(width, Math.floor(right - rect.left)));
  }
  // The right edge of the content of the nearest ancestor whose width does not follow its
  // content (not a table part, not inline), minus the padding of the table parts in between.
  function blockRight(node) {
    var inner = 0, style;
    for (; node && node.nodeType === 1 && window.getComputedStyle; node = node.parentNode) {
      style = window.getComputedStyle(node);
      var pad = (parseFloat(style.paddingRight) || 0) + (parseFloat(style.borderRightWidth) || 0);
      if (/^(table|inline)/.test(style.display)) { inner += pad; continue; }
      return node.getBoundingClientRect().right - pad - inner;
    }
    return Infinity;
  }
  // An image grid wrapped to the columns that fit (cell k on axes k+1), each cell at most its own size.
  function regrid(layout, g, width) {
    var columns = Math.min(g.columns, Math.max(1, Math.floor((width - g.extra) / g.minCell)));
    var cell = Math.min(g.cellSize, Math.floor((width - g.extra) / columns));
    if (cell < g.minCell) return layout; // not even one readable column: the box scrolls
    var rows = Math.ceil(g.count / columns), gapY = g.gapY / rows;
    var w = (1 - g.gapX * (columns - 1)) / columns, h = (1 - gapY * (rows - 1)) / rows;
    var out = merged(layout, { width: width, height: rows * (cell + g.captionHeight) + g.titleHeight }), k;
    for (k = 0; k < g.count; k++) {
      var s = k ? String(k + 1) : "", x0 = (k % columns) * (w + g.gapX), y1 = 1 - Math.floor(k / columns) * (h + gapY);
      out["xaxis" + s] = merged(layout["xaxis" + s], { domain: [x0, Math.min(1, x0 + w)] });
      out["yaxis" + s] = merged(layout["yaxis" + s], { domain: [Math.max(0, y1 - h), y1] });
    }
    return out;
  }
  // Any other fixed-width figure: the plot area scaled to the box, margins kept, shape kept.
  function shrink(layout, width) {
    var m = layout.margin || {}, side = num(m.l, 80) + num(m.r, 80), tb = num(m.t, 100) + num(m.b, 80);
    if (width - side < num((layout.meta || {}).digitLabMinPlotWidth, ${MIN_FITTED_PLOT_WIDTH})) return layout;
    var ratio = (width - side) / (layout.width - side);
    return merged(layout, { width: width, height: typeof layout.height === "number" ? Math.round(tb + (layout.height - tb) * ratio) : layout.height });
  }
  // A title line wider than the figure (17 px text, ~9 px a character; less in a smaller font)
  // breaks at its middle space, and each half again while it is still too wide.
  function wrapTitle(layout, width) {
    var t = layout.title, text = t && (typeof t === "string" ? t : t.text), added = 0;
    if (!text) return layout;
    var charPx = 9 * num(t.font && t.font.size, 17) / 17;
    function wrap(line) {
      var cut = -1, depth = 0, i;
      if (line.replace(/<[^>]*>/g, "").length * charPx <= width - 20) return line;
      for (i = 0; i < line.length; i++) {
        if (line[i] === "<") depth++;
        else if (line[i] === ">") depth--;
        else if (line[i] === " " && depth === 0 && (cut < 0 || Math.abs(i - line.length / 2) < Math.abs(cut - line.length / 2))) cut = i;
      }
      if (cut < 0) return line;
      added++;
      return wrap(line.slice(0, cut)) + "<br>" + wrap(line.slice(cut + 1));
    }
    var lines = text.split(/<br[^>]*>/i).map(wrap);
    if (!added) return layout;
    var m = layout.margin || {};
    return merged(layout, {
      title: merged(typeof t === "string" ? {} : t, { text: lines.join("<br>") }),
      margin: merged(m, { t: num(m.t, 100) + 22 * added }),
      height: typeof layout.height === "number" ? layout.height + 22 * added : layout.height,
    });
  }
  // The figure as drawn in a box this wide.
  function fitted(width) {
    var layout = JSON.parse(layoutJson), data = fig.data, meta = layout.meta || {}, narrow = meta.digitLabNarrow;
    var shape = [width < (narrow ? narrow.below : 0)];
    if (!(width > 0)) return { data: data, layout: layout, shape: "" };
    if (shape[0]) {
      layout = merged(layout, narrow.layout);
      if (narrow.data) data = data.map(function (t, i) { return narrow.data[i] ? merged(t, narrow.data[i]) : t; });
    }
    // Whether it fits is judged after the narrow layout, which may drop a fixed width.
    var fits = typeof layout.width !== "number" || layout.width <= width;
    if (!fits) layout = meta.digitLabGrid ? regrid(layout, meta.digitLabGrid, width) : shrink(layout, width);
    layout = wrapTitle(layout, typeof layout.width === "number" ? Math.min(layout.width, width) : width);
    // Without a width of its own the figure takes the box's: redrawn for a new one.
    shape.push(typeof layout.width === "number" ? layout.width : "box " + width, layout.height, layout.title && layout.title.text);
    return { data: data, layout: layout, shape: JSON.stringify(shape) };
  }
  function size(el, f) {
    if (!el.style) return;
    el.style.height = num(f.layout.height, 450) + "px";
    var w = typeof f.layout.width === "number" ? f.layout.width + "px" : "";
    el.style.width = w || "100%";
    el.style.minWidth = w;
  }
  // Draws f from an empty element, first or after a resize alike: an old drawing would hold
  // nbconvert's table cell open while Plotly measures. newPlot, not react: react keeps a square
  // heatmap's old constrained domains and squeezes it.
  function plot(el, f) {
    drawnShape = f.shape;
    size(el, f);
    if (el._fullLayout) window.Plotly.purge(el);
    el.innerHTML = "";
    return window.Plotly.newPlot(el, f.data, f.layout, fig.config)["catch"](function (err) {
      el.innerHTML = "<pre style=\\"color:#a00\\">Chart failed: " + String(err).replace(/</g, "&lt;") + "</pre>";
    });
  }
  function draw(el) {
    plot(el, fitted(boxWidth(el)));
    follow(el);
  }
  // Redraw (debounced) when the box's width changes the layout: window resize, phone rotation,
  // a notebook's side panel. Stops once the chart has left the page.
  function follow(el) {
    if (el.digitLabFollowing || !window.addEventListener) return;
    el.digitLabFollowing = true;
    var timer = null, observer = null, box = el.parentNode || el;
    function stop() {
      if (observer) observer.disconnect();
      window.removeEventListener("resize", changed);
    }
    // While a redraw is due the chart carries data-digit-lab-resizing (pages and tests can wait for it).
    function settled() { el.removeAttribute("data-digit-lab-resizing"); }
    function relayout() {
      if (!document.documentElement.contains(el)) { stop(); return; }
      var width = boxWidth(el);
      if (!(width > 0) || !el._fullLayout) { settled(); return; }
      var f = fitted(width);
      if (f.shape === drawnShape) { settled(); return; }
      plot(el, f).then(settled, settled);
    }
    function changed() {
      el.setAttribute("data-digit-lab-resizing", "");
      clearTimeout(timer);
      timer = setTimeout(relayout, 150);
    }
    if (window.ResizeObserver) { observer = new window.ResizeObserver(changed); observer.observe(box); }
    window.addEventListener("resize", changed);
  }
  function attempt() {
    var el = document.getElementById(id);
    if (el && !waited) el.innerHTML = ""; // the script runs: not the untrusted-notebook note
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
    : `<div id="${statusId}" class="digit-lab-setup" style="font:12px sans-serif;color:var(--jp-ui-font-color2,#666)">digit-lab: loading plotly.js ${bundle.version}… (if this line stays, this output's script did not run: run the cell again, or trust the notebook)</div>\n`;
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
  // frames: [] because VS Code's renderer (nteract's transform-plotly as vscode-notebook-renderers
  // patches it) defaults a missing `frames` to {}, which Plotly.newPlot rejects: nothing drawn.
  if (include) bundle[PLOTLY_MIME] = { data: fig.data, layout: fig.layout, config: PLOTLY_CONFIG, frames: [] };
  return bundle;
}

/**
 * "auto" sends the plotly MIME copy only for figures up to this many characters of
 * JSON: the copy doubles a figure's size in the saved notebook, and large figures
 * (a 100-image grid is ~250 kB) still draw from the HTML copy everywhere.
 */
export const PLOTLY_MIME_AUTO_LIMIT = 100_000;
