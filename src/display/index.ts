/**
 * Showing figures and tables in a tslab notebook, offline:
 *
 *   import { setupNotebook, show, showTable } from "../src/display";
 *   setupNotebook();          // first cell: loads plotly.js (1.4 MB) into the page once
 *   show(trainingCurves(runs));
 *   showTable(historyTable(history));
 *
 * Each chart output carries only its figure JSON and draws with the page's plotly, so
 * a saved notebook holds plotly once, re-running any cell leaves the other charts alone,
 * and `jupyter nbconvert --to html` pages draw with no network.
 */
import { UsageError } from "../errors";
import type { Figure } from "../plots/figure";
import type { TableLike, FormatOptions } from "../tables/format";
import { formatTable, tableHtml } from "../tables/format";
import { figureMimeBundle, figureText, newChartId, plotlyLoaderHtml } from "./chart-html";
import { loadPlotlyBundle } from "./plotly-bundle";

export { chartHtml, figureMimeBundle, plotlyLoaderHtml, figureText, PLOTLY_MIME, PLOTLY_CONFIG, PLOTLY_MIME_AUTO_LIMIT } from "./chart-html";
export { loadPlotlyBundle, findPlotlyBundle } from "./plotly-bundle";

type MimeBundle = Record<string, unknown>;

/**
 * Sends one display_data message with several MIME types. tslab's public `display.raw`
 * sends one type per message, so this uses, in order: a `display.bundle` method (if the
 * tslab patch adds one), tslab's own message writer, or plain HTML.
 */
export function displayBundle(bundle: MimeBundle, target: DisplayTarget = {}): void {
  try {
    sendBundle(bundle, target);
  } catch (err) {
    // tslab says "Not ready" when no notebook cell is running (a script, the CLI).
    if (err instanceof Error && /Not ready/.test(err.message)) {
      throw new UsageError(
        "show()/showTable()/setupNotebook() display in a tslab notebook only; outside one use writeReport() for figures and formatTable() for tables",
      );
    }
    throw err;
  }
}

/** Where a display goes: a new output (default), or the output named `displayId`, replaced when `update`. */
export interface DisplayTarget {
  displayId?: string;
  update?: boolean;
}

interface TslabDisplay {
  html(s: string): void;
  text(s: string): void;
  bundle?: (b: MimeBundle, metadata?: object) => void;
}

function sendBundle(bundle: MimeBundle, target: DisplayTarget): void {
  // Required lazily: tslab pulls in a TypeScript compiler, and inside the kernel
  // `require("tslab")` is the running kernel's own instance.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require("tslab") as { display: TslabDisplay; newDisplay(): TslabDisplay };
  if (typeof tslab.display.bundle === "function" && !target.displayId) {
    tslab.display.bundle(bundle);
    return;
  }
  const writer = kernelWriter();
  if (writer) {
    writer({ data: bundle, metadata: {}, transient: target.displayId ? { display_id: target.displayId } : {} }, !!target.update);
    return;
  }
  // Public API only: one MIME type (HTML); tslab's newDisplay() handles the updating.
  let display = tslab.display;
  if (target.displayId) {
    display = fallbackDisplays.get(target.displayId) ?? tslab.newDisplay();
    fallbackDisplays.set(target.displayId, display);
  }
  if (typeof bundle["text/html"] === "string") display.html(bundle["text/html"]);
  else display.text(String(bundle["text/plain"] ?? ""));
}

const fallbackDisplays = new Map<string, TslabDisplay>();

type Writer = (message: { data: MimeBundle; metadata: object; transient: object }, update: boolean) => void;

function kernelWriter(): Writer | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData?: Writer | null };
    return typeof jupyter.lastWriteDisplayData === "function" ? jupyter.lastWriteDisplayData : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Loads plotly.js into the notebook page: call it once, in an early cell, and keep its
 * output (it is the only copy of plotly in the saved notebook). Running it again is harmless.
 */
export function setupNotebook(): void {
  const bundle = loadPlotlyBundle();
  displayBundle({
    "text/html": plotlyLoaderHtml(bundle),
    "text/plain": `digit-lab charts: plotly.js ${bundle.version} (run in Jupyter to load it)`,
  });
}

/** Another name for `setupNotebook`. */
export const enableCharts = setupNotebook;

export interface ShowOptions {
  /**
   * Also send the figure as application/vnd.plotly.v1+json, which JupyterLab's plotly
   * extension and VS Code draw without the setup cell. It doubles the figure's size in
   * the saved notebook, so "auto" (the default) sends it for figures under 100 kB only.
   */
  plotlyMime?: boolean | "auto";
}

/** Shows a figure from the builders in `src/plots` as the output of the current cell. */
export function show(fig: Figure, options: ShowOptions = {}): void {
  displayBundle(figureMimeBundle(fig, { plotlyMime: options.plotlyMime }));
}

/** A chart output that can be redrawn in place, e.g. training curves after every epoch. */
export interface LiveFigure {
  update(fig: Figure): void;
}

/**
 * Shows a figure that later `update(fig)` calls replace in the same output (Jupyter's
 * update_display_data), instead of adding a new chart each time:
 *
 *   const live = showLive();
 *   for (…each epoch…) live.update(trainingCurves(runs));
 */
export function showLive(fig?: Figure, options: ShowOptions = {}): LiveFigure {
  const displayId = newChartId().replace("digit-lab-chart-", "");
  let shown = false;
  const live: LiveFigure = {
    update(next: Figure) {
      displayBundle(figureMimeBundle(next, { plotlyMime: options.plotlyMime }), { displayId, update: shown });
      shown = true;
    },
  };
  if (fig) live.update(fig);
  return live;
}

/** Shows a table (a danfo DataFrame) as HTML, with aligned text as the plain-text form. */
export function showTable(df: TableLike, options: FormatOptions = {}): void {
  displayBundle({ "text/html": tableHtml(df, options), "text/plain": formatTable(df, options) });
}

export { figureText as describeFigure };
