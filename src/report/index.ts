/**
 * Standalone HTML reports: one file that opens offline anywhere, with plotly.js inlined
 * once in the head, every figure as a chart and every table as an HTML table.
 *
 *   writeReport("reports/cnn.html", trainingReport({ runs, evaluation }));
 */
import * as path from "node:path";
import { writeFileAtomic } from "../util/atomic-write";
import type { Figure } from "../plots/figure";
import type { TableLike } from "../tables/format";
import { escapeHtml, tableHtml } from "../tables/format";
import { chartHtml, plotlyLoaderHtml } from "../display/chart-html";
import { loadPlotlyBundle } from "../display/plotly-bundle";

export { trainingReport, readableComparisonTable, COMPARISON_GAP_NOTE } from "./training";
export type { TrainingReportInput } from "./training";

export interface ReportTable {
  caption?: string;
  table: TableLike;
  /** Decimal places of non-integer numbers (default 4). */
  digits?: number;
}

export interface ReportSection {
  heading: string;
  /** Plain text; blank lines separate paragraphs. */
  text?: string;
  figures?: Figure[];
  /** DataFrames (or anything with columns/values/index), optionally with a caption. */
  tables?: (TableLike | ReportTable)[];
}

export interface ReportSpec {
  title: string;
  /** A line under the title (e.g. dataset and date). */
  subtitle?: string;
  sections: ReportSection[];
}

function isReportTable(t: TableLike | ReportTable): t is ReportTable {
  return (t as ReportTable).table !== undefined;
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

const STYLE = `
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; margin: 0 auto; max-width: 1100px; padding: 24px; color: #222; }
h1 { margin-bottom: 4px; } .subtitle { color: #666; margin-top: 0; }
h1, h2, p { overflow-wrap: break-word; }
.digit-lab-table-box, .digit-lab-chart-box { overflow-x: auto; max-width: 100%; }
@media (max-width: 600px) { body { padding: 12px; } h1 { font-size: 1.5em; } }
h2 { border-bottom: 1px solid #ddd; padding-bottom: 4px; margin-top: 36px; }
.digit-lab-table { margin: 12px 0 20px; font-size: 14px; } .digit-lab-table tbody tr:nth-child(odd) { background: #f5f5f5; }
.digit-lab-chart { margin: 12px 0 24px; }
footer { color: #888; font-size: 12px; margin-top: 40px; }`;

/** The report page as one HTML string (plotly inlined once, no network needed). */
export function renderReport(spec: ReportSpec): string {
  const bundle = loadPlotlyBundle();
  let charts = 0;
  const body = spec.sections
    .map((s) => {
      const parts = [`<section>\n<h2>${escapeHtml(s.heading)}</h2>`];
      if (s.text) parts.push(paragraphs(s.text));
      for (const fig of s.figures ?? []) parts.push(chartHtml(fig, { id: `chart-${++charts}` }));
      for (const t of s.tables ?? []) {
        // A wide table scrolls in its own box on a phone; the page itself never scrolls sideways.
        const table = isReportTable(t) ? tableHtml(t.table, { caption: t.caption, digits: t.digits }) : tableHtml(t);
        parts.push(`<div class="digit-lab-table-box">${table}</div>`);
      }
      parts.push("</section>");
      return parts.join("\n");
    })
    .join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="digit-lab">
<title>${escapeHtml(spec.title)}</title>
<style>${STYLE}
</style>
${plotlyLoaderHtml(bundle, { quiet: true })}
</head>
<body>
<h1>${escapeHtml(spec.title)}</h1>
${spec.subtitle ? `<p class="subtitle">${escapeHtml(spec.subtitle)}</p>` : ""}
${body}
<footer>Written by digit-lab with plotly.js ${escapeHtml(bundle.version)} (embedded: this page works offline).</footer>
</body>
</html>
`;
}

/** Writes the report atomically (readers never see half a file); returns the absolute path. */
export function writeReport(file: string, spec: ReportSpec): string {
  const html = renderReport(spec);
  const target = path.resolve(file);
  writeFileAtomic(target, html);
  return target;
}
