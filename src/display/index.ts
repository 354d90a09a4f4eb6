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
import { trainingCurves, type TrainingCurvesOptions } from "../plots/training";
import type { EpochLog, RunHistory } from "../types";
import { escapeHtml } from "../util/format";
import type { TableLike, FormatOptions } from "../tables/format";
import { formatTable, tableHtml } from "../tables/format";
import { recordsTable } from "../tables";
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
   * extension and VS Code prefer to the HTML and draw with their own plotly.js (2.35 or 3.x),
   * without the setup cell and without the HTML copy's fitting to narrow boxes (a fixed-width
   * figure keeps its width there). It doubles the figure's size in the saved notebook, so
   * "auto" (the default) sends it for figures under 100 kB only.
   */
  plotlyMime?: boolean | "auto";
}

/** Shows a figure from the builders in `src/plots` as the output of the current cell. */
export function show(fig: Figure, options: ShowOptions = {}): void {
  checkFigure(fig, "show");
  displayBundle(figureMimeBundle(fig, { plotlyMime: options.plotlyMime }));
}

function isFigure(value: unknown): value is Figure {
  const v = value as Figure | null | undefined;
  return typeof v === "object" && v !== null && Array.isArray(v.data) && typeof v.layout === "object" && v.layout !== null;
}

function isTable(value: unknown): value is TableLike {
  const v = value as TableLike | null | undefined;
  return typeof v === "object" && v !== null && Array.isArray(v.columns) && Array.isArray(v.values) && Array.isArray(v.index);
}

function isRecords(value: unknown): value is Record<string, unknown>[] {
  return Array.isArray(value) && value.every((r) => typeof r === "object" && r !== null && !Array.isArray(r));
}

/** A wrong argument as an error message names it. */
function describeArgument(value: unknown): string {
  if (value === undefined || value === null) return String(value);
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (typeof value !== "object") return `${typeof value} ${String(value).slice(0, 40)}`;
  if (typeof (value as { then?: unknown }).then === "function") return "a Promise (add `await`)";
  if (isTable(value)) return "a table";
  if (Array.isArray(value)) return "an array";
  const keys = Object.keys(value);
  return keys.length ? `an object with ${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}` : "an empty object";
}

/** Throws a UsageError naming `fn` unless `fig` is a figure ({ data: [...], layout: {...} }). */
function checkFigure(fig: unknown, fn: string): asserts fig is Figure {
  if (isFigure(fig)) return;
  if (isTable(fig)) throw new UsageError(`${fn}() draws figures; to show a table (DataFrame) use showTable(df)`);
  throw new UsageError(`${fn}() takes a figure from src/plots, such as show(trainingCurves(...)); got ${describeArgument(fig)}`);
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
      checkFigure(next, "showLive");
      output = output ?? notebookOutput({ updatable: true });
      displayBundle(figureMimeBundle(next, { plotlyMime: options.plotlyMime }), output);
    },
  };
  if (fig) live.update(fig);
  return live;
}

/** Training curves that grow while a model trains: see `liveTrainingCurves`. */
export interface LiveTrainingCurves {
  /** Pass as `train`'s `onEpochEnd` option: adds the epoch to the curves and redraws them. */
  readonly onEpochEnd: (log: EpochLog) => void;
  /** After training: redraws once more, with the epoch early stopping kept (`result.restoredEpoch`) marked. */
  finish(result?: { restoredEpoch?: number }): void;
  /** The epochs drawn so far (a copy). */
  readonly history: EpochLog[];
  /** The figure as drawn now. */
  figure(): Figure;
}

/**
 * Training curves redrawn after every epoch in one output, as Keras' livelossplot or
 * tfjs-vis' fitCallbacks do:
 *
 *   const curves = liveTrainingCurves("dense-128-64");
 *   const result = await train(model, mnist.train, recipe, { onEpochEnd: curves.onEpochEnd });
 *   curves.finish(result);   // marks the epoch early stopping kept, if it put one back
 *
 * The output is created at once, so the chart stays above the progress bar and the epoch
 * lines that `train` prints after it.
 */
export function liveTrainingCurves(name: string, options: { title?: string } = {}): LiveTrainingCurves {
  if (typeof name !== "string" || name === "") {
    throw new UsageError('liveTrainingCurves(name) takes the run\'s name, e.g. liveTrainingCurves("dense-128-64")');
  }
  const curves = liveCurves(`training curves of ${name}: drawn after the first epoch`, { title: options.title });
  const run: RunHistory = { name, history: [] };
  curves.runs.push(run);
  return {
    onEpochEnd(log: EpochLog) {
      // The same curves passed to a second train() call: its epoch 1 starts them again.
      if (run.history.length && log.epoch <= run.history[run.history.length - 1].epoch) run.history = [];
      run.history.push({ ...log });
      delete run.restoredEpoch;
      curves.draw();
    },
    finish(result = {}) {
      // Nothing to add unless early stopping put back an earlier epoch than the last drawn.
      if (result.restoredEpoch === undefined || !run.history.length) return;
      run.restoredEpoch = result.restoredEpoch;
      curves.draw();
    },
    get history() {
      return run.history.slice();
    },
    figure: curves.figure,
  };
}

/** Curves of several runs that grow while a comparison runs: see `liveComparisonCurves`. */
export interface LiveComparisonCurves {
  /**
   * Pass as `compareArchitectures`' `onProgress` option: puts the run's history so far in
   * place of what was drawn of it (a new run joins the chart) and redraws.
   */
  readonly onProgress: (run: { model: string; history: EpochLog[] }) => void;
  /** The runs drawn so far, in the order they came (copies). */
  readonly runs: RunHistory[];
  /** The figure as drawn now. */
  figure(): Figure;
}

/**
 * The training curves of a comparison, drawn while it runs, in one output: cached runs
 * appear at once with their whole history, the run in training grows after every epoch,
 * and finished runs stay, one colour each (solid: train, dashed: validation):
 *
 *   const curves = liveComparisonCurves();
 *   const comparison = await compareArchitectures(settings, { data: mnist, onProgress: curves.onProgress });
 *
 * The output is created at once, so the chart stays above the lines and progress bars the
 * comparison prints while it trains.
 */
export function liveComparisonCurves(options: { title?: string } = {}): LiveComparisonCurves {
  const curves = liveCurves("training curves of the comparison: drawn as each run comes from the cache or finishes an epoch", { ...options, byRun: true });
  return {
    onProgress(progress) {
      if (typeof progress !== "object" || progress === null || typeof progress.model !== "string" || !Array.isArray(progress.history)) {
        throw new UsageError("liveComparisonCurves().onProgress takes a run's { model, history }: pass it as compareArchitectures' onProgress option");
      }
      const history = progress.history.map((log) => ({ ...log }));
      const drawn = curves.runs.find((r) => r.name === progress.model);
      // A run's report when it finishes repeats its last epoch's: drawn already.
      if (drawn && JSON.stringify(drawn.history) === JSON.stringify(history)) return;
      if (drawn) drawn.history = history;
      else curves.runs.push({ name: progress.model, history });
      curves.draw();
    },
    get runs() {
      return curves.runs.map((r) => ({ ...r, history: r.history.slice() }));
    },
    figure: curves.figure,
  };
}

/**
 * What the live curves share: an updatable output, created now with `waiting` in it, that
 * `draw()` fills with `trainingCurves` of `runs` as they are then.
 */
function liveCurves(waiting: string, curvesOptions: TrainingCurvesOptions): { runs: RunHistory[]; figure(): Figure; draw(): void } {
  const output = notebookOutput({ updatable: true });
  const runs: RunHistory[] = [];
  const figure = () => trainingCurves(runs.map((r) => ({ ...r, history: r.history.slice() })), curvesOptions);
  displayBundle({ "text/html": `<div style="color:var(--jp-ui-font-color2,#666);font-style:italic">${escapeHtml(waiting)}</div>`, "text/plain": waiting }, output);
  return { runs, figure, draw: () => displayBundle(figureMimeBundle(figure()), output) };
}

/**
 * Shows a table as HTML, with aligned text as the plain-text form: a danfo DataFrame (from the
 * builders in `src/tables`), or an array of records such as `[{ model: "cnn", accuracy: 0.99 }]`
 * (see `recordsTable`).
 */
export function showTable(table: TableLike | Record<string, unknown>[], options: FormatOptions = {}): void {
  displayBundle(tableMimeBundle(table, options));
}

/** What `showTable` sends: the table as HTML and as aligned text. */
export function tableMimeBundle(table: TableLike | Record<string, unknown>[], options: FormatOptions = {}): MimeBundle {
  const df = toTable(table);
  return { "text/html": tableHtml(df, options), "text/plain": formatTable(df, options) };
}

function toTable(table: unknown): TableLike {
  if (isTable(table)) return table;
  if (isRecords(table)) return recordsTable(table);
  if (isFigure(table)) throw new UsageError("showTable() shows tables; to draw a figure use show(fig)");
  throw new UsageError(
    `showTable() takes a DataFrame from src/tables, such as showTable(historyTable(result.history)), or an array of records; got ${describeArgument(table)}`,
  );
}

export { figureText as describeFigure };
