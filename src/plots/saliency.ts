/**
 * Saliency maps as a figure: one row per image — the digit as the model saw it, then the
 * input gradient of each class's logit, and (with two classes) their difference, which is
 * what separates the two: the gradient of how much more the model favours the first.
 */
import { UsageError } from "../errors";
import { argmaxRows } from "../eval/metrics";
import { probabilityLabel } from "./evaluation";
import { Figure, Trace, INK_COLORSCALE, WEIGHT_COLORSCALE, classLabel, escapeLabel, percent, round } from "./figure";
import { GridCell, imageGridFigure, toRows } from "./images";

/** One image's maps; `saliencyMaps` (src/eval/saliency) returns these. */
export interface SaliencyRow {
  /** The image as the model saw it: rows×cols values in [0, 1]. */
  pixels: ArrayLike<number>;
  probabilities: ArrayLike<number>;
  /** ∂ logit / ∂ pixel of each class, row-major rows×cols; the first is usually the prediction. */
  maps: readonly { label: number; gradient: ArrayLike<number> }[];
  /** The true digit, when known. */
  trueLabel?: number;
}

export interface SaliencyFigureOptions {
  /** Names the rows, e.g. file names (default "image 1", "image 2", …). */
  names?: readonly string[];
  title?: string;
  classNames?: readonly string[];
  /** With two or more maps per image, add the difference of the first two (default true). */
  difference?: boolean;
  /** Outline the digit's strokes (ink ≥ 0.5) on each map (default true). */
  outline?: boolean;
  rows?: number;
  cols?: number;
  cellSize?: number;
}

/** Ink at or above this draws inside the outline. */
const OUTLINE_INK = 0.5;

/**
 * The boundary between ink (≥ 0.5) and paper as line segments in heatmap coordinates (pixel
 * (r, c) spans c ± 0.5, r ± 0.5), separated by nulls so one scatter trace draws them all.
 */
export function inkOutline(pixels: ArrayLike<number>, rows: number, cols: number): { x: (number | null)[]; y: (number | null)[] } {
  const ink = (r: number, c: number) => r >= 0 && r < rows && c >= 0 && c < cols && pixels[r * cols + c] >= OUTLINE_INK;
  const x: (number | null)[] = [];
  const y: (number | null)[] = [];
  const segment = (x0: number, y0: number, x1: number, y1: number) => {
    x.push(x0, x1, null);
    y.push(y0, y1, null);
  };
  for (let r = 0; r <= rows; r++) {
    for (let c = 0; c <= cols; c++) {
      // The edge above pixel (r, c) and the edge left of it, where ink meets paper.
      if (c < cols && ink(r - 1, c) !== ink(r, c)) segment(c - 0.5, r - 0.5, c + 0.5, r - 0.5);
      if (r < rows && ink(r, c - 1) !== ink(r, c)) segment(c - 0.5, r - 0.5, c - 0.5, r + 0.5);
    }
  }
  return { x, y };
}

/** Decimals that keep about three significant digits of values up to `scale`. */
function decimalsFor(scale: number): number {
  return Math.min(8, Math.max(0, Math.ceil(-Math.log10(scale)) + 2));
}

/**
 * Saliency maps, a row per image: the digit, then for each class red where more ink would
 * raise its logit and blue where it would lower it, white where the pixel does not matter.
 * All maps share one colour scale symmetric about 0 (ending at the 99th percentile of
 * |gradient|, so a few extreme pixels do not wash out the rest), so rows compare honestly.
 */
export function saliencyFigure(items: readonly SaliencyRow[], options: SaliencyFigureOptions = {}): Figure {
  if (items.length === 0) throw new UsageError("saliencyFigure needs at least one image");
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const size = rows * cols;
  const name = (c: number) => escapeLabel(classLabel(c, options.classNames));
  const cells: GridCell[] = [];
  const isMap: boolean[] = [];
  const mapValues: number[] = [];
  const perRow = 1 + Math.max(...items.map((it) => it.maps.length + (options.difference !== false && it.maps.length >= 2 ? 1 : 0)));
  items.forEach((item, i) => {
    if (item.pixels.length !== size) throw new UsageError(`image ${i} has ${item.pixels.length} pixels, expected ${size} (${rows}×${cols})`);
    const rowName = escapeLabel(options.names?.[i] ?? `image ${i + 1}`);
    // Captions round like every other chart (never "100.0%" nor "0.0%"); hover keeps one decimal.
    const label = (c: number) => escapeLabel(probabilityLabel(item.probabilities[c] ?? NaN));
    const probability = (c: number) => percent(item.probabilities[c] ?? NaN);
    const top = argmaxRows(item.probabilities, item.probabilities.length)[0] ?? 0;
    const wrong = item.trueLabel !== undefined && item.trueLabel !== top;
    const truth = item.trueLabel === undefined ? "" : `<br>true ${name(item.trueLabel)}${wrong ? " (wrong)" : ""}`;
    cells.push({
      pixels: item.pixels,
      // A red frame alone does not say what the digit is: a wrong row names the truth.
      caption: `${rowName}: ${name(top)} (${label(top)})${wrong ? `, true ${name(item.trueLabel!)}` : ""}`,
      hover: `${rowName}<br>predicted ${name(top)} (${probability(top)})${truth}`,
      highlight: wrong,
    });
    isMap.push(false);
    const maps = item.maps.map((m) => {
      if (m.gradient.length !== size) throw new UsageError(`the map of class ${m.label} for image ${i} has ${m.gradient.length} values, expected ${size}`);
      return { caption: `${name(m.label)} (${label(m.label)})`, hover: `${rowName}<br>logit of ${name(m.label)} (p ${probability(m.label)})`, values: m.gradient };
    });
    if (options.difference !== false && item.maps.length >= 2) {
      const [a, b] = item.maps;
      const values = Float32Array.from({ length: size }, (_, p) => a.gradient[p] - b.gradient[p]);
      maps.push({ caption: `${name(a.label)} vs ${name(b.label)}`, hover: `${rowName}<br>logit of ${name(a.label)} − logit of ${name(b.label)}`, values });
    }
    for (const m of maps) {
      cells.push({ pixels: m.values, caption: m.caption, hover: m.hover });
      isMap.push(true);
      for (let p = 0; p < size; p++) mapValues.push(Math.abs(m.values[p]));
    }
    // Rows with fewer maps are padded so every image starts a row.
    for (let k = 1 + maps.length; k < perRow; k++) {
      cells.push({ pixels: new Float32Array(size), caption: "", hover: "" });
      isMap.push(true);
    }
  });
  mapValues.sort((a, b) => a - b);
  const scale = mapValues.length ? mapValues[Math.min(mapValues.length - 1, Math.floor(0.99 * mapValues.length))] : 0;
  const zmax = scale > 0 ? scale : 1;
  const digits = decimalsFor(zmax);
  // Short lines: a phone's chart box is about 40 title characters wide (the chart script wraps only one-line titles).
  const heading = options.title ?? "Saliency maps: ∂ logit / ∂ pixel<br>red: more ink here would raise the score<br>blue: more ink here would lower it";
  const fig = imageGridFigure(cells, {
    title: heading,
    columns: perRow,
    rows,
    cols,
    zmin: -round(zmax, digits),
    zmax: round(zmax, digits),
    colorscale: WEIGHT_COLORSCALE,
    colorbarTitle: "∂ logit<br>/ ∂ pixel",
    digits,
    valueFormat: `.${Math.min(digits, 6)}f`,
    valueName: "gradient at pixel",
    cellSize: options.cellSize ?? 150,
  });
  // The digits get their own ink-on-paper scale, without a colour bar.
  fig.layout.coloraxis2 = { colorscale: INK_COLORSCALE, cmin: 0, cmax: 1, showscale: false };
  const outlines: Trace[] = [];
  let imagePixels: ArrayLike<number> = cells[0].pixels;
  fig.data.forEach((trace, k) => {
    if (!isMap[k]) {
      imagePixels = cells[k].pixels;
      trace.z = toRows(imagePixels, rows, cols, 2);
      trace.coloraxis = "coloraxis2";
      trace.hovertemplate = `${cells[k].hover}<br>ink (row %{y}, col %{x}) = %{z:.2f}<extra></extra>`;
    } else if (cells[k].caption === "") {
      trace.hoverinfo = "skip";
      delete trace.hovertemplate;
    } else if (options.outline !== false) {
      outlines.push({
        type: "scatter", mode: "lines", ...inkOutline(imagePixels, rows, cols),
        xaxis: trace.xaxis, yaxis: trace.yaxis, hoverinfo: "skip", showlegend: false,
        line: { color: "rgba(0,0,0,0.45)", width: 1 },
      });
    }
  });
  fig.data.push(...outlines);
  return fig;
}
