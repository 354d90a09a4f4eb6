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
  /**
   * Whole numbers of integer columns with thousands separators (101,770), as the CLI's
   * messages write counts (default true). Identifier columns (seed, id) never get them.
   */
  thousands?: boolean;
}

/** Columns whose whole numbers are names, not amounts: "seed 1234", never "seed 1,234". */
const IDENTIFIER_COLUMN = /^(seed|id|index|label|year)s?$/i;

/**
 * Columns whose numbers read better at their own precision than at the table's `digits`:
 * wall times to a tenth (a hundredth per epoch, where models are compared), learning rates
 * in two significant digits (0.00085 would read 0.0008 at 4 decimals and hide a ×0.85 schedule).
 */
const COLUMN_FORMATS: [RegExp, (v: number) => string][] = [
  [/^seconds$/, (v) => v.toFixed(1)],
  [/^(seconds_per_epoch|s\/epoch)$/, (v) => v.toFixed(2)],
  [/^(learning_rate|lr)$/, (v) => v.toExponential(1)],
];

/** A number written as text ("88.71%", "101,770", "−0.12"): right-aligned like numbers. */
const NUMERIC_TEXT = /^(?=\D*\d)[-+\u2212]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?\s?%?$/;

/** What stands for a missing value in a column of numbers written as text. */
const PLACEHOLDER = new Set(["", "-", "\u2014", "n/a"]);

/** Captions longer than this become a paragraph above the table, wrapping at the visible width. */
export const LONG_CAPTION = 60;

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
 * `integer` (a column of whole numbers, such as epochs or counts), which `grouped` writes
 * with thousands separators (101,770).
 */
export function formatCell(v: unknown, digits = 4, integer = false, grouped = false): string {
  if (v === null || v === undefined) return "";
  if (isNumber(v)) {
    if (Number.isNaN(v)) return "";
    if (!Number.isFinite(v)) return String(v);
    if (integer) return grouped ? v.toLocaleString("en-US", { maximumFractionDigits: 0 }) : String(v);
    return v.toFixed(digits);
  }
  return String(v);
}

interface Grid {
  header: string[];
  cells: string[][];
  numeric: boolean[];
}

const isMissing = (v: unknown) => v === null || v === undefined || (isNumber(v) && Number.isNaN(v));

function grid(df: TableLike, options: FormatOptions): Grid {
  const digits = options.digits ?? 4;
  const rows = rowsOf(df);
  const showIndex = options.showIndex ?? !isDefaultIndex(df.index);
  const column = (c: number) => rows.map((r) => r[c]);
  const numbers = df.columns.map((_, c) => rows.length > 0 && column(c).every((v) => v === null || v === undefined || isNumber(v)));
  const integer = df.columns.map((_, c) => numbers[c] && column(c).every((v) => isMissing(v) || Number.isInteger(v)));
  const grouped = df.columns.map((name, c) => integer[c] && options.thousands !== false && !IDENTIFIER_COLUMN.test(String(name).trim()));
  // Numbers written as text (a percentage column) line up like numbers.
  const numericText = df.columns.map((_, c) => {
    const present = column(c).filter((v) => !isMissing(v) && !PLACEHOLDER.has(String(v).trim()));
    return present.length > 0 && present.every((v) => isNumber(v) || (typeof v === "string" && NUMERIC_TEXT.test(v.trim())));
  });
  const own = df.columns.map((name, c) => (numbers[c] && !integer[c] ? COLUMN_FORMATS.find(([re]) => re.test(String(name).trim()))?.[1] : undefined));
  const header = [...(showIndex ? [""] : []), ...df.columns];
  const cells = rows.map((r, i) => [
    ...(showIndex ? [String(df.index[i])] : []),
    ...r.map((v, c) => {
      const format = own[c];
      return format && isNumber(v) && Number.isFinite(v) ? format(v) : formatCell(v, digits, integer[c], grouped[c]);
    }),
  ]);
  return { header, cells, numeric: [...(showIndex ? [false] : []), ...df.columns.map((_, c) => numbers[c] || numericText[c])] };
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

/**
 * An HTML table with inline styles, so it looks the same in Jupyter, nbconvert and reports.
 * A short caption is the table's bold <caption>; a long one (prose explaining the columns) is
 * a paragraph before the table instead: a caption is as wide as its table, so in a box that
 * scrolls a wide table sideways (a phone) its lines would run past the visible edge.
 */
export function tableHtml(df: TableLike, options: FormatOptions = {}): string {
  const g = grid(df, options);
  const align = (c: number) => (g.numeric[c] ? "right" : "left");
  const th = g.header
    .map((h, c) => `<th style="text-align:${align(c)};padding:3px 10px;border-bottom:1px solid #888">${escapeHtml(h)}</th>`)
    .join("");
  // The first column names the row (a model, a class): kept on one line, not "dense-/128-/64".
  const nowrap = (c: number) => (c === 0 && !g.numeric[c] ? ";white-space:nowrap" : "");
  const body = g.cells
    .map((r) => `<tr>${r.map((s, c) => `<td style="text-align:${align(c)};padding:2px 10px${nowrap(c)}">${escapeHtml(s)}</td>`).join("")}</tr>`)
    .join("\n");
  const text = options.caption ?? "";
  const long = text.length > LONG_CAPTION;
  const caption = text && !long ? `<caption style="caption-side:top;text-align:left;font-weight:bold;padding:4px 0">${escapeHtml(text)}</caption>` : "";
  // Sticky at the left edge: it stays in view while the table under it scrolls sideways.
  const before = long ? `<p class="digit-lab-table-caption" style="margin:4px 0 0;max-width:48em;position:sticky;left:0">${escapeHtml(text)}</p>` : "";
  return `${before}<table class="digit-lab-table" style="border-collapse:collapse;font-variant-numeric:tabular-nums">${caption}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}
