/**
 * The shape every figure builder returns: a Plotly figure as plain JSON. Builders never
 * import plotly; display (notebooks) and report (HTML files) draw the figures.
 */
import { round } from "../util/format";

/** One Plotly trace (`{ type: "bar", x, y, … }`). */
export interface Trace {
  type: string;
  [key: string]: unknown;
}

/** A Plotly layout (`{ title, xaxis, yaxis, … }`). */
export interface Layout {
  [key: string]: unknown;
}

export interface Figure {
  data: Trace[];
  layout: Layout;
}

/** Trace types the builders use; all are in plotly's small "cartesian" bundle. */
export const CARTESIAN_TRACE_TYPES: readonly string[] = ["bar", "scatter", "heatmap", "histogram", "image"];

/** One colour per run/series (D3's category10, as Plotly and matplotlib use). */
export const PALETTE: readonly string[] = [
  "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
  "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
];

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length];
}

/** Red used for mistakes, green for correct predictions. */
export const WRONG_COLOR = "#d62728";
export const RIGHT_COLOR = "#2ca02c";

/**
 * White for 0 and black for 255: MNIST stores ink as high values on a 0 background,
 * so this reversed grey scale draws digits as dark ink on paper.
 */
export const INK_COLORSCALE: [number, string][] = [
  [0, "rgb(255,255,255)"],
  [1, "rgb(0,0,0)"],
];

/**
 * Blue for negative, white for zero, red for positive: a weight image (what a unit looks
 * for) reads as "ink here pushes the unit up" in red and "ink here pushes it down" in blue.
 */
export const WEIGHT_COLORSCALE: [number, string][] = [
  [0, "rgb(33,102,172)"],
  [0.5, "rgb(255,255,255)"],
  [1, "rgb(178,24,43)"],
];

export function title(text: string): { text: string; x: number; xanchor: string } {
  return { text, x: 0.5, xanchor: "center" };
}

/**
 * A legend in one row at the very bottom of the figure (its container, not the plot), so it
 * never meets the x axis' title however tall the tick labels are: for phones, where a legend
 * beside the plot would take half the width. The figure's bottom margin makes the room.
 */
export function legendUnderneath(): { orientation: string; yref: string; y: number; yanchor: string; x: number; xanchor: string } {
  return { orientation: "h", yref: "container", y: 0, yanchor: "bottom", x: 0.5, xanchor: "center" };
}

/** Axis title in the object form Plotly ≥ 2 requires. */
export function axisTitle(text: string): { text: string } {
  return { text };
}

/** Rounds for compact JSON: 0.912345678 → 0.9123 (digits=4). */
export { round };

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** "0".."9", or the class names given (e.g. Fashion-MNIST's "T-shirt/top", …). */
export function classLabel(label: number, classNames?: readonly string[]): string {
  return classNames && classNames[label] !== undefined ? classNames[label] : String(label);
}

/** Plotly axis ids: 1 → "x"/"y" and layout keys "xaxis"/"yaxis"; 2 → "x2"/"xaxis2", … */
export function axisIds(n: number): { x: string; y: string; xaxis: string; yaxis: string } {
  const suffix = n === 1 ? "" : String(n);
  return { x: `x${suffix}`, y: `y${suffix}`, xaxis: `xaxis${suffix}`, yaxis: `yaxis${suffix}` };
}

/**
 * Domains of a rows×cols grid of subplots in paper coordinates, row 0 at the top.
 * `gapX`/`gapY` are fractions of the whole width/height between cells.
 */
export function gridDomains(
  rows: number,
  cols: number,
  gapX = 0.02,
  gapY = 0.04,
): { x: [number, number]; y: [number, number] }[] {
  const cellW = (1 - gapX * (cols - 1)) / cols;
  const cellH = (1 - gapY * (rows - 1)) / rows;
  const out: { x: [number, number]; y: [number, number] }[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x0 = c * (cellW + gapX);
      const y1 = 1 - r * (cellH + gapY);
      out.push({ x: [round(x0, 4), round(x0 + cellW, 4)], y: [round(y1 - cellH, 4), round(y1, 4)] });
    }
  }
  return out;
}

/** Escapes text for Plotly labels (they accept a small HTML subset). */
export function escapeLabel(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
