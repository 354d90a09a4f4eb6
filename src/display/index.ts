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
import { figureMimeBundle, figureText, plotlyLoaderHtml } from "./chart-html";
import { notebookOutput, type MimeBundle, type NotebookOutput } from "../util/notebook";
import { loadPlotlyBundle } from "./plotly-bundle";

export { chartHtml, figureMimeBundle, plotlyLoaderHtml, figureText, PLOTLY_MIME, PLOTLY_CONFIG, PLOTLY_MIME_AUTO_LIMIT } from "./chart-html";
export { loadPlotlyBundle, findPlotlyBundle } from "./plotly-bundle";

/**
 * Sends one display_data message with several MIME types (the tslab patch's
 * `display.bundle`) as a new output of the current cell, or to `output`.
 */
export function displayBundle(bundle: MimeBundle, output?: NotebookOutput): void {
  try {
    (output ?? notebookOutput()).send(bundle);
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
  let output: NotebookOutput | undefined;
  const live: LiveFigure = {
    update(next: Figure) {
      output = output ?? notebookOutput({ updatable: true });
      displayBundle(figureMimeBundle(next, { plotlyMime: options.plotlyMime }), output);
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
