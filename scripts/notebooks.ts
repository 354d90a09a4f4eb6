/**
 * Executing the notebooks headless through the real tslab kernel, as Jupyter would.
 * Used by the tests and by `npm run notebooks`, which writes executed copies and HTML
 * exports to reports/ (set DIGIT_LAB_QUICK=1 for the fast subset mode).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
// eslint-disable-next-line @typescript-eslint/no-var-requires
const { PROJECT_ROOT, findJupyterPython, installAdvice, jupyterEnv } = require("./jupyter.js");

export const NOTEBOOKS_DIR = path.join(PROJECT_ROOT, "notebooks");
export const REPORTS_DIR = path.join(PROJECT_ROOT, "reports");

export class NotebookError extends Error {}

export interface ExecutedNotebook {
  /** The executed .ipynb written to the output folder. */
  file: string;
  /** Its parsed JSON. */
  notebook: { cells: NotebookCell[]; metadata: Record<string, unknown> };
  seconds: number;
  /**
   * With `recordDisplays`: every message that filled or updated an output with a display id,
   * in the order sent (the notebook keeps only an updated output's last state), HTML left out.
   */
  displays?: DisplayMessage[];
}

/** One message to a display with an id: the cell it came from, the display's id, its data but HTML. */
export interface DisplayMessage {
  cell: number;
  display: string;
  data: Record<string, unknown>;
}

export interface NotebookCell {
  cell_type: string;
  source: string | string[];
  outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, string | string[]> }[];
}

function requirePython(): string {
  const python = findJupyterPython();
  if (!python) throw new NotebookError(installAdvice());
  return python;
}

/** Runs every cell of `notebook` in a fresh kernel; throws NotebookError with the failing cell's own error. */
export function executeNotebook(
  notebook: string,
  options: { outDir: string; timeoutSeconds?: number; env?: Record<string, string>; recordDisplays?: boolean },
): ExecutedNotebook {
  const python = requirePython();
  fs.mkdirSync(options.outDir, { recursive: true });
  const out = path.join(options.outDir, path.basename(notebook));
  const displaysFile = options.recordDisplays ? out.replace(/\.ipynb$/, "") + ".displays.json" : undefined;
  const started = Date.now();
  const run = spawnSync(
    python,
    [path.join(__dirname, "execute_notebook.py"), notebook, out, String(options.timeoutSeconds ?? 1800), ...(displaysFile ? [displaysFile] : [])],
    { env: jupyterEnv(options.env), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const seconds = (Date.now() - started) / 1000;
  const lastLine = (run.stdout ?? "").trim().split("\n").pop() ?? "";
  let result: { ok: boolean; cell?: number; source?: string; error?: string };
  try {
    result = JSON.parse(lastLine);
  } catch {
    throw new NotebookError(`${notebook}: the notebook could not be executed (exit ${run.status}):\n${(run.stderr ?? "").trim()}`);
  }
  if (!result.ok) {
    throw new NotebookError(
      `${path.relative(PROJECT_ROOT, notebook)}: cell ${result.cell} failed:\n` +
        `${indent(result.source ?? "")}\n` +
        `with this error:\n${indent(result.error ?? "")}\n(partially executed copy: ${out})`,
    );
  }
  trustNotebook(python, out);
  return {
    file: out,
    notebook: JSON.parse(fs.readFileSync(out, "utf8")),
    seconds,
    ...(displaysFile ? { displays: JSON.parse(fs.readFileSync(displaysFile, "utf8")) as DisplayMessage[] } : {}),
  };
}

/**
 * Signs an executed notebook with this user's Jupyter key, so that Jupyter opens it as
 * trusted and its charts' scripts run (an unsigned notebook with outputs shows them blank).
 */
function trustNotebook(python: string, file: string): void {
  spawnSync(python, ["-m", "nbformat.sign", file], { env: jupyterEnv(), stdio: "ignore" });
}

/** Exports an executed notebook to a standalone HTML page next to it; returns its path. */
export function exportHtml(executed: string): string {
  const python = requirePython();
  const run = spawnSync(python, ["-m", "nbconvert", "--to", "html", executed], { env: jupyterEnv(), encoding: "utf8" });
  if (run.status !== 0) throw new NotebookError(`${executed}: HTML export failed:\n${run.stderr}`);
  return executed.replace(/\.ipynb$/, ".html");
}

/** All text a cell printed or displayed (stdout, stderr, text/plain, text/html), joined. */
export function cellText(cell: NotebookCell): string {
  return (cell.outputs ?? [])
    .map((o) => {
      if (o.text !== undefined) return join(o.text);
      const data = o.data ?? {};
      return [data["text/plain"], data["text/html"]].filter((x) => x !== undefined).map((x) => join(x!)).join("\n");
    })
    .join("\n");
}

export function listNotebooks(): string[] {
  return fs
    .readdirSync(NOTEBOOKS_DIR)
    .filter((f) => f.endsWith(".ipynb"))
    .sort()
    .map((f) => path.join(NOTEBOOKS_DIR, f));
}

function join(text: string | string[]): string {
  return Array.isArray(text) ? text.join("") : text;
}

function indent(text: string): string {
  return text.split("\n").map((l) => "    " + l).join("\n");
}

/** `npm run notebooks [names…]`: execute notebooks into reports/ with HTML exports. */
function main(filters: string[]): number {
  const quick = process.env.DIGIT_LAB_QUICK === "1";
  const notebooks = listNotebooks().filter((f) => filters.length === 0 || filters.some((w) => path.basename(f).includes(w)));
  console.log(`Executing ${notebooks.length} notebook(s) ${quick ? "in quick mode (DIGIT_LAB_QUICK=1)" : "in full"} into ${path.relative(process.cwd(), REPORTS_DIR) || "."}/`);
  let failed = 0;
  for (const nb of notebooks) {
    const name = path.basename(nb);
    process.stdout.write(`  ${name} … `);
    try {
      const executed = executeNotebook(nb, { outDir: REPORTS_DIR });
      const html = exportHtml(executed.file);
      console.log(`ok in ${executed.seconds.toFixed(1)} s → ${path.relative(process.cwd(), html)}`);
    } catch (err) {
      failed++;
      console.log("FAILED");
      console.error((err as Error).message);
    }
  }
  return failed ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
