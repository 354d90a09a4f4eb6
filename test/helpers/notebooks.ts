import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { cellText, executeNotebook, type ExecutedNotebook } from "../../scripts/notebooks";
import { PLOTLY_MIME } from "../../src/display/chart-html";
import { runsDrawn } from "./displays";
import { REAL_DATA_DIR } from "./paths";

export { cellText };

/**
 * Executes a notebook in quick mode against the real data, into a temporary folder, recording
 * what was sent to outputs updated in place (for `liveDrawings`).
 */
export function runNotebookQuick(notebook: string, env: Record<string, string> = {}): ExecutedNotebook {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-nb-"));
  return executeNotebook(notebook, {
    outDir,
    timeoutSeconds: 900,
    env: { DIGIT_LAB_QUICK: "1", DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, ...env },
    recordDisplays: true,
  });
}

function codeCellIndex(executed: ExecutedNotebook, marker: string): number {
  const index = executed.notebook.cells.findIndex((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  if (index < 0) throw new Error(`no code cell contains ${JSON.stringify(marker)}`);
  return index;
}

/** The outputs of the first code cell whose source contains `marker`. */
export function outputOf(executed: ExecutedNotebook, marker: string): string {
  return cellText(executed.notebook.cells[codeCellIndex(executed, marker)]);
}

type PlotlyFigure = { data: { type?: string; name?: string }[]; layout: { title?: { text?: string } | string } };

/**
 * The Plotly figures a cell displayed: from their application/vnd.plotly.v1+json outputs, or,
 * for figures over 100 kB (e.g. a 5,000-point map), which are sent as HTML only, from the
 * figure the HTML output's script draws.
 */
export function figuresOf(executed: ExecutedNotebook, marker: string): PlotlyFigure[] {
  const cell = executed.notebook.cells[codeCellIndex(executed, marker)];
  return (cell.outputs ?? []).flatMap((o) => {
    const figure = o.data?.["application/vnd.plotly.v1+json"] as unknown as PlotlyFigure | undefined;
    if (figure) return [figure];
    const html = [o.data?.["text/html"] ?? ""].flat().join("");
    const drawn = /, fig = (\{.*\}), waited = 0,/.exec(html);
    return drawn ? [JSON.parse(drawn[1]) as PlotlyFigure] : [];
  });
}

/**
 * The live curves of the cell whose source contains `marker` (by default the cell that calls
 * `liveTrainingCurves(`): checks they are the cell's first output (above the progress bar),
 * updated in place to one chart, and returns it as last drawn.
 */
export function liveCurvesOf(executed: ExecutedNotebook, marker = "liveTrainingCurves("): PlotlyFigure {
  const outputs = executed.notebook.cells[codeCellIndex(executed, marker)].outputs ?? [];
  const charts = figuresOf(executed, marker);
  if (charts.length !== 1) throw new Error(`expected one live chart, updated in place, in the cell with ${marker}; found ${charts.length}`);
  const first = [outputs[0]?.data?.["text/html"] ?? ""].flat().join("");
  if (!/class="digit-lab-chart"/.test(first)) throw new Error(`the live chart is not the cell's first output: ${first.slice(0, 200)}`);
  return charts[0];
}

/**
 * What the live chart of the cell containing `marker` showed at each drawing, in turn (from a
 * run of `runNotebookQuick`): its runs as `runsDrawn` names them, joined by " | ", e.g.
 * "dense-128 1,2 | cnn 1"; "(waiting)" for the line shown before the first epoch.
 */
export function liveDrawings(executed: ExecutedNotebook, marker: string): string[] {
  if (!executed.displays) throw new Error("the notebook was run without recording its displays (runNotebookQuick records them)");
  const cell = codeCellIndex(executed, marker);
  const own = executed.displays.filter((d) => d.cell === cell);
  const chart = own.find((d) => d.data[PLOTLY_MIME])?.display;
  return own.filter((d) => d.display === chart).map((d) => runsDrawn(d.data).join(" | "));
}
