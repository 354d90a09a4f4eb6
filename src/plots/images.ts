/**
 * Figures of the images themselves: digit grids, mean image per class and the
 * pixel-intensity histogram. Each image is a heatmap in its own small subplot,
 * drawn with a reversed grey scale so digits look like ink on paper.
 */
import { intensityCounts, meanImagePerClass } from "../data/stats";
import { UsageError } from "../errors";
import {
  Figure, Layout, Trace, INK_COLORSCALE, WRONG_COLOR, axisIds, axisTitle, classLabel, colorAt,
  escapeLabel, gridDomains, legendUnderneath, percent, round, title,
} from "./figure";

/** Images as one big buffer (count × rows × cols bytes) or as one array per image. */
export type ImagesInput = Uint8Array | readonly Uint8Array[];

/** One cell of an image grid: pixels plus the caption and hover text under them. */
export interface GridCell {
  pixels: ArrayLike<number>;
  caption: string;
  hover: string;
  /** Draws the caption in red and a red frame round the image. */
  highlight?: boolean;
}

export interface GridOptions {
  title: string;
  columns?: number;
  rows?: number;
  cols?: number;
  /** Upper end of the colour scale (255 for raw pixels). */
  zmax?: number;
  /** Lower end of the colour scale (0 for pixels). */
  zmin?: number;
  /** The shared colour scale (ink on paper for pixels). */
  colorscale?: [number, string][];
  /** A colour bar beside the grid, titled with this text (none by default). */
  colorbarTitle?: string;
  /** Decimals kept in the heatmaps' values (default: 3 for small scales, else 1). */
  digits?: number;
  /** d3 format of the pixel value in hover text. */
  valueFormat?: string;
  /** What hover text calls a value (default "pixel"). */
  valueName?: string;
  /** Pixel size of one cell. */
  cellSize?: number;
}

/** Pixels of image `i` from either input form. */
export function imageAt(images: ImagesInput, i: number, pixelsPerImage: number): Uint8Array {
  if (images instanceof Uint8Array) {
    const start = i * pixelsPerImage;
    if (start + pixelsPerImage > images.length) {
      throw new UsageError(`image ${i} is outside the buffer of ${Math.floor(images.length / pixelsPerImage)} images`);
    }
    return images.subarray(start, start + pixelsPerImage);
  }
  const img = images[i];
  if (!img) throw new UsageError(`image ${i} is outside the list of ${images.length} images`);
  if (img.length !== pixelsPerImage) {
    throw new UsageError(`image ${i} has ${img.length} pixels, expected ${pixelsPerImage}`);
  }
  return img;
}

export function imageCount(images: ImagesInput, pixelsPerImage: number): number {
  return images instanceof Uint8Array ? Math.floor(images.length / pixelsPerImage) : images.length;
}

/** Row-major pixels → Plotly's z (array of rows), rounded to keep the JSON small. */
export function toRows(pixels: ArrayLike<number>, rows: number, cols: number, digits = 0): number[][] {
  const z: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: number[] = new Array(cols);
    for (let c = 0; c < cols; c++) row[c] = round(pixels[r * cols + c], digits);
    z.push(row);
  }
  return z;
}

/** Extra height (px) for each further line of a grid's title. */
const TITLE_LINE = 22;

/**
 * The shared engine of all image grids: one heatmap subplot per cell, captions as
 * annotations above the images, a red frame round highlighted cells.
 */
export function imageGridFigure(cells: GridCell[], options: GridOptions): Figure {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const n = cells.length;
  const columns = Math.max(1, Math.min(options.columns ?? 10, n || 1));
  const gridRows = Math.max(1, Math.ceil(n / columns));
  const cellSize = options.cellSize ?? 84;
  const colorbar = options.colorbarTitle !== undefined;
  const gapX = 0.015;
  const gapY = 0.3; // of the whole height, split between the rows
  const captionHeight = 22;
  // A title of several lines ("<br>") gets room for each further line, hung from the top:
  // Plotly centres a title in the top margin, which would let three lines reach the captions.
  const titleLines = (options.title.match(/<br\s*\/?>/gi) ?? []).length;
  const titleHeight = 70 + titleLines * TITLE_LINE;
  const extra = colorbar ? 90 : 20;
  const domains = gridDomains(gridRows, columns, gapX, gapY / gridRows);
  const data: Trace[] = [];
  const annotations: unknown[] = [];
  const shapes: unknown[] = [];
  const hungTitle = { ...title(options.title), yref: "container", y: 1, yanchor: "top", pad: { t: 24 } };
  const colorbarStyle = { title: { text: options.colorbarTitle }, thickness: 12 };
  const layout: Layout = {
    title: titleLines > 0 ? hungTitle : title(options.title),
    showlegend: false,
    margin: { l: 10, r: colorbar ? 80 : 10, t: 60 + titleLines * TITLE_LINE, b: 10 },
    width: Math.max(560, columns * cellSize + extra),
    height: gridRows * (cellSize + captionHeight) + titleHeight,
    plot_bgcolor: "white",
    hovermode: "closest",
    coloraxis: {
      colorscale: options.colorscale ?? INK_COLORSCALE, cmin: options.zmin ?? 0, cmax: options.zmax ?? 255,
      showscale: colorbar,
      ...(colorbar ? { colorbar: colorbarStyle } : {}),
    },
  };
  // Narrower than its width the chart script wraps the grid to fewer columns and may wrap the
  // title to more lines: hung from the top, the title grows down into the room the script adds,
  // never onto the captions; a colour bar stays a short bar at the top instead of running the
  // whole height of a tall, one- or two-column grid.
  const narrow: Layout = { title: hungTitle };
  if (colorbar) {
    narrow.coloraxis = {
      ...(layout.coloraxis as object),
      colorbar: { ...colorbarStyle, len: Math.min(260, gridRows * (cellSize + captionHeight)), lenmode: "pixels", y: 1, yanchor: "top" },
    };
  }
  cells.forEach((cell, k) => {
    const ids = axisIds(k + 1);
    const dom = domains[k];
    data.push({
      type: "heatmap",
      z: toRows(cell.pixels, rows, cols, options.digits ?? (options.zmax !== undefined && options.zmax < 50 ? 3 : 1)),
      xaxis: ids.x,
      yaxis: ids.y,
      coloraxis: "coloraxis", // one shared scale: keeps the JSON small
      name: cell.caption,
      hovertemplate: `${cell.hover}<br>${options.valueName ?? "pixel"} (row %{y}, col %{x}) = %{z:${options.valueFormat ?? ".0f"}}<extra></extra>`,
    });
    const hidden = { showticklabels: false, ticks: "", showgrid: false, zeroline: false, fixedrange: true };
    layout[ids.xaxis] = { ...hidden, domain: dom.x, anchor: ids.y, constrain: "domain" };
    layout[ids.yaxis] = {
      ...hidden, domain: dom.y, anchor: ids.x, autorange: "reversed", scaleanchor: ids.x, constrain: "domain",
    };
    annotations.push({
      text: cell.highlight ? `<b>${cell.caption}</b>` : cell.caption,
      xref: `${ids.x} domain`, yref: `${ids.y} domain`, x: 0.5, y: 1, yanchor: "bottom", xanchor: "center",
      showarrow: false, font: { size: 11, color: cell.highlight ? WRONG_COLOR : "#333" },
    });
    if (cell.highlight) {
      shapes.push({
        type: "rect", xref: `${ids.x} domain`, yref: `${ids.y} domain`, x0: 0, x1: 1, y0: 0, y1: 1,
        line: { color: WRONG_COLOR, width: 2 },
      });
    }
  });
  layout.annotations = annotations;
  layout.shapes = shapes;
  // How the chart script may wrap the grid to fewer columns on a narrow screen (display/chart-html
  // GridFit): a cell stays wide enough for its caption (11 px text, bold when highlighted) and the digit.
  const longest = Math.max(0, ...cells.map((c) => c.caption.replace(/<[^>]*>/g, "").replace(/&[a-z]+;/g, "&").length));
  const minCell = Math.min(cellSize, Math.max(48, Math.ceil(longest * 6.5 + 8)));
  layout.meta = {
    digitLabGrid: { count: n, columns, cellSize, minCell, captionHeight, titleHeight, extra, gapX, gapY },
    digitLabNarrow: { below: layout.width, layout: narrow },
  };
  return { data, layout };
}

export interface DigitGridOptions {
  /** Which images to show (indices into `images`); default the first `limit`. */
  indices?: ArrayLike<number>;
  /** Predicted labels, indexed like `images` and `labels`; wrong ones are drawn in red. */
  predictions?: ArrayLike<number>;
  /** Most images to show (default 100: the JSON grows ~2 kB per image). */
  limit?: number;
  columns?: number;
  title?: string;
  classNames?: readonly string[];
  rows?: number;
  cols?: number;
}

/**
 * A grid of digit images with their labels, and the model's predictions when given
 * (mistakes highlighted in red). `labels`/`predictions` are indexed like `images`,
 * so `indices` picks the same example from all three.
 */
export function digitGrid(images: ImagesInput, labels: ArrayLike<number>, options: DigitGridOptions = {}): Figure {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const size = rows * cols;
  const limit = options.limit ?? 100;
  const total = imageCount(images, size);
  const picked: number[] = options.indices
    ? Array.from(options.indices).slice(0, limit)
    : Array.from({ length: Math.min(limit, total) }, (_, i) => i);
  const preds = options.predictions;
  let wrong = 0;
  const cells = picked.map((i): GridCell => {
    const label = labels[i];
    if (label === undefined) throw new UsageError(`no label for image ${i} (${labels.length} labels given)`);
    const name = escapeLabel(classLabel(label, options.classNames));
    if (!preds) return { pixels: imageAt(images, i, size), caption: name, hover: `image #${i}<br>label ${name}` };
    const pred = preds[i];
    if (pred === undefined) throw new UsageError(`no prediction for image ${i} (${preds.length} predictions given)`);
    const predName = escapeLabel(classLabel(pred, options.classNames));
    const isWrong = pred !== label;
    if (isWrong) wrong++;
    return {
      pixels: imageAt(images, i, size),
      caption: isWrong ? `${name} → ${predName}` : name,
      hover: `image #${i}<br>label ${name}<br>predicted ${predName}${isWrong ? " (wrong)" : ""}`,
      highlight: isWrong,
    };
  });
  const defaultTitle = preds
    ? `Predictions: ${wrong} of ${cells.length} wrong (red: label → predicted)`
    : `Digits with their labels (${cells.length} images)`;
  return imageGridFigure(cells, { title: options.title ?? defaultTitle, columns: options.columns, rows, cols });
}

/** Ten small heatmaps: the average image of each class (what a "typical" 3 looks like). */
export function meanImages(
  images: Uint8Array,
  labels: ArrayLike<number>,
  options: { classNames?: readonly string[]; title?: string; rows?: number; cols?: number; classes?: number } = {},
): Figure {
  const rows = options.rows ?? 28;
  const cols = options.cols ?? 28;
  const { means, counts } = meanImagePerClass(images, labels, {
    classes: options.classes ?? options.classNames?.length ?? 10, pixelsPerImage: rows * cols,
  });
  let zmax = 0;
  for (const m of means) for (const v of m) if (v > zmax) zmax = v;
  const cells = means.map((m, c): GridCell => {
    const name = escapeLabel(classLabel(c, options.classNames));
    return { pixels: m, caption: name, hover: `class ${name} (mean of ${counts[c]} images)` };
  });
  return imageGridFigure(cells, {
    title: options.title ?? "Mean image per class",
    columns: 5, rows, cols, zmax: Math.max(1, round(zmax, 1)), valueFormat: ".1f", cellSize: 120,
  });
}

/**
 * A log y axis for shares, with a labelled tick per decade (0.1%, 1%, 10%, 100%) and the floor
 * at 0.1% or the decade below the smallest non-zero bar: plotly's own range starts at an unlabelled
 * value just under the data, so the small bars would float above an unnamed floor.
 */
function logShareAxis(axisName: string, smallestShare: number): Record<string, unknown> {
  // Strictly below the smallest bar, so that bar keeps a visible height.
  const lowest = Math.min(-3, Math.ceil(Math.log10(smallestShare)) - 1);
  const tickvals: number[] = [];
  const ticktext: string[] = [];
  for (let decade = lowest; decade <= 0; decade++) {
    tickvals.push(10 ** decade);
    ticktext.push(`${Number((100 * 10 ** decade).toPrecision(1))}%`);
  }
  // A log axis range is in powers of ten.
  return { title: axisTitle(axisName), type: "log", range: [lowest, 0], tickvals, ticktext };
}

/** A named set of images (e.g. train and test) for comparisons. */
export interface NamedImages {
  name: string;
  images: Uint8Array;
}

/**
 * Histogram of pixel intensities, binned here (a histogram trace would embed every
 * one of the 47 million pixels). Bars show the share of pixels so sets of different
 * sizes compare; the y axis is logarithmic by default because background (0) dominates.
 */
export function pixelHistogram(
  sets: Uint8Array | NamedImages[],
  options: { bins?: number; logY?: boolean; title?: string } = {},
): Figure {
  const named: NamedImages[] = sets instanceof Uint8Array ? [{ name: "pixels", images: sets }] : sets;
  const bins = options.bins ?? 32;
  if (!Number.isInteger(bins) || bins < 1 || bins > 256 || 256 % bins !== 0) {
    throw new UsageError(`bins must divide 256 (1, 2, 4, …, 256), got ${bins}`);
  }
  const width = 256 / bins;
  const logY = options.logY ?? true;
  const xTitle = "pixel value (0 = background, 255 = ink)";
  let smallestShare = 1;
  const data: Trace[] = named.map((set, k) => {
    const counts = intensityCounts(set.images);
    const total = set.images.length || 1;
    const x: number[] = [];
    const y: number[] = [];
    const text: string[] = [];
    for (let b = 0; b < bins; b++) {
      let c = 0;
      for (let v = b * width; v < (b + 1) * width; v++) c += counts[v];
      const lo = b * width;
      const hi = lo + width - 1;
      x.push(lo + (width - 1) / 2);
      y.push(round(c / total, 6));
      if (c > 0) smallestShare = Math.min(smallestShare, c / total);
      text.push(`${set.name}: values ${lo === hi ? lo : `${lo}–${hi}`}<br>${c.toLocaleString("en-US")} pixels (${percent(c / total, 2)})`);
    }
    return {
      type: "bar", name: set.name, x, y, width: width * (named.length > 1 ? 0.9 / named.length : 0.9),
      marker: { color: colorAt(k) }, hovertext: text, hoverinfo: "text",
      offsetgroup: String(k),
    };
  });
  return {
    data,
    layout: {
      title: title(options.title ?? "Pixel intensity histogram"),
      barmode: "group",
      xaxis: { title: axisTitle(xTitle), range: [-2, 257] },
      yaxis: logY
        ? logShareAxis("share of pixels (log scale)", smallestShare)
        : { title: axisTitle("share of pixels"), type: "linear", tickformat: ".0%" },
      legend: { orientation: "h", y: -0.2 },
      height: 420,
      // Read by the chart script (display/chart-html): on a phone the long axis title on two lines,
      // slim side margins and the legend at the bottom.
      meta: {
        digitLabNarrow: {
          below: 600,
          layout: {
            xaxis: { title: axisTitle(xTitle.replace(" (", "<br>(")), range: [-2, 257] },
            margin: { l: 60, r: 12, t: 100, b: 120 },
            legend: legendUnderneath(),
          },
        },
      },
    },
  };
}
