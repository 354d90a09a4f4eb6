import * as os from "node:os";
import * as fs from "node:fs";
import * as path from "node:path";
import { cellText, executeNotebook, type ExecutedNotebook } from "../../scripts/notebooks";
import { REAL_DATA_DIR } from "./paths";

export { cellText };

/** Executes a notebook in quick mode against the real data, into a temporary folder. */
export function runNotebookQuick(notebook: string, env: Record<string, string> = {}): ExecutedNotebook {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-nb-"));
  return executeNotebook(notebook, {
    outDir,
    timeoutSeconds: 900,
    env: { DIGIT_LAB_QUICK: "1", DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, ...env },
  });
}

/** The outputs of the first code cell whose source contains `marker`. */
export function outputOf(executed: ExecutedNotebook, marker: string): string {
  const cell = executed.notebook.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  if (!cell) throw new Error(`no code cell contains ${JSON.stringify(marker)}`);
  return cellText(cell);
}

type PlotlyFigure = { data: { type?: string; name?: string }[]; layout: { title?: { text?: string } | string } };

/**
 * The Plotly figures a cell displayed: from their application/vnd.plotly.v1+json outputs, or,
 * for figures over 100 kB (e.g. a 5,000-point map), which are sent as HTML only, from the
 * figure the HTML output's script draws.
 */
export function figuresOf(executed: ExecutedNotebook, marker: string): PlotlyFigure[] {
  const cell = executed.notebook.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes(marker));
  if (!cell) throw new Error(`no code cell contains ${JSON.stringify(marker)}`);
  return (cell.outputs ?? []).flatMap((o) => {
    const figure = o.data?.["application/vnd.plotly.v1+json"] as unknown as PlotlyFigure | undefined;
    if (figure) return [figure];
    const html = [o.data?.["text/html"] ?? ""].flat().join("");
    const drawn = /, fig = (\{.*\}), waited = 0,/.exec(html);
    return drawn ? [JSON.parse(drawn[1]) as PlotlyFigure] : [];
  });
}

/**
 * The live training curves of the cell that calls `liveTrainingCurves(`: checks they are the
 * cell's first output (above the progress bar), updated in place to one chart, and returns it.
 */
export function liveCurvesOf(executed: ExecutedNotebook): PlotlyFigure {
  const cell = executed.notebook.cells.find((c) => c.cell_type === "code" && [c.source].flat().join("").includes("liveTrainingCurves("));
  if (!cell) throw new Error("no code cell calls liveTrainingCurves(");
  const outputs = cell.outputs ?? [];
  const charts = figuresOf(executed, "liveTrainingCurves(");
  if (charts.length !== 1) throw new Error(`expected one live chart, updated in place; found ${charts.length}`);
  const first = [outputs[0]?.data?.["text/html"] ?? ""].flat().join("");
  if (!/class="digit-lab-chart"/.test(first)) throw new Error(`the live chart is not the cell's first output: ${first.slice(0, 200)}`);
  return charts[0];
}
