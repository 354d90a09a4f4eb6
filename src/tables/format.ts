/**
 * Renders tables two ways: aligned plain text for terminals and an HTML <table> for
 * notebooks and reports. Works on anything shaped like a danfo DataFrame.
 */

import { escapeHtml } from "../util/format";

/** What the renderers read from a danfo DataFrame. */
export interface TableLike {
  columns: string[];
  values: unknown[] | unknown[][];
  index: (string | number)[];
}

export interface FormatOptions {
  /** Decimal places of non-integer numbers (default 4). */
  digits?: number;
  /** Show the row labels: default only when they are not just 0, 1, 2, … */
  showIndex?: boolean;
  /** Text above the table. */
  caption?: string;
}

function rowsOf(df: TableLike): unknown[][] {
  const v = df.values as unknown[];
  // danfo gives a 1-D array for a single-column frame in some versions.
  return v.map((row) => (Array.isArray(row) ? row : [row]));
}

function isDefaultIndex(index: (string | number)[]): boolean {
  return index.every((v, i) => v === i);
}

function isNumber(v: unknown): v is number {
  return typeof v === "number";
}

/**
 * One cell as text: missing (NaN, null) as "", numbers with `digits` decimals unless
 * `integer` (a column of whole numbers, such as epochs or counts).
 */
export function formatCell(v: unknown, digits = 4, integer = false): string {
  if (v === null || v === undefined) return "";
  if (isNumber(v)) {
    if (Number.isNaN(v)) return "";
    if (integer || !Number.isFinite(v)) return String(v);
    return v.toFixed(digits);
  }
  return String(v);
}

interface Grid {
  header: string[];
  cells: string[][];
  numeric: boolean[];
}

function grid(df: TableLike, options: FormatOptions): Grid {
  const digits = options.digits ?? 4;
  const rows = rowsOf(df);
  const showIndex = options.showIndex ?? !isDefaultIndex(df.index);
  const numeric = df.columns.map((_, c) => rows.length > 0 && rows.every((r) => r[c] === null || r[c] === undefined || isNumber(r[c])));
  const integer = df.columns.map((_, c) => numeric[c] && rows.every((r) => !isNumber(r[c]) || Number.isNaN(r[c]) || Number.isInteger(r[c])));
  const header = [...(showIndex ? [""] : []), ...df.columns];
  const cells = rows.map((r, i) => [
    ...(showIndex ? [String(df.index[i])] : []),
    ...r.map((v, c) => formatCell(v, digits, integer[c])),
  ]);
  return { header, cells, numeric: [...(showIndex ? [false] : []), ...numeric] };
}

/** Aligned text: numbers right-aligned, text left-aligned, a rule under the header. */
export function formatTable(df: TableLike, options: FormatOptions = {}): string {
  const g = grid(df, options);
  const widths = g.header.map((h, c) => Math.max(h.length, ...g.cells.map((r) => r[c].length)));
  const line = (cells: string[]) =>
    cells.map((s, c) => (g.numeric[c] ? s.padStart(widths[c]) : s.padEnd(widths[c]))).join("  ").trimEnd();
  const out = [line(g.header), widths.map((w) => "-".repeat(w)).join("  "), ...g.cells.map(line)];
  if (options.caption) out.unshift(options.caption);
  return out.join("\n");
}

export { escapeHtml } from "../util/format";

/** An HTML table with inline styles, so it looks the same in Jupyter, nbconvert and reports. */
export function tableHtml(df: TableLike, options: FormatOptions = {}): string {
  const g = grid(df, options);
  const align = (c: number) => (g.numeric[c] ? "right" : "left");
  const th = g.header
    .map((h, c) => `<th style="text-align:${align(c)};padding:3px 10px;border-bottom:1px solid #888">${escapeHtml(h)}</th>`)
    .join("");
  const body = g.cells
    .map((r) => `<tr>${r.map((s, c) => `<td style="text-align:${align(c)};padding:2px 10px">${escapeHtml(s)}</td>`).join("")}</tr>`)
    .join("\n");
  const caption = options.caption ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(options.caption)}</caption>` : "";
  return `<table class="digit-lab-table" style="border-collapse:collapse;font-variant-numeric:tabular-nums">${caption}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}
