/**
 * Feature maps as a figure: every channel of one layer's output for one image, each as a
 * small heatmap, so that one sees what the layer responds to and where (in the cnn: edges
 * and strokes at 26×26 and 24×24, parts of the digit at 10×10 down to 4×4).
 */
import { UsageError } from "../errors";
import { type Figure, WEIGHT_COLORSCALE, escapeLabel, round } from "./figure";
import { type GridCell, imageGridFigure } from "./images";
import type { FeatureMaps } from "../types";

export interface FeatureMapsFigureOptions {
  /** Which image of the set (default 0). */
  image?: number;
  /** Which channels, in this order (default all, up to `limit`). */
  channels?: ArrayLike<number>;
  /** Most channels to draw (default 64: a 28×28 map adds ~3 kB of JSON). */
  limit?: number;
  columns?: number;
  /** Names the image in the title, e.g. "test digit #12 (a 7)". */
  name?: string;
  title?: string;
  cellSize?: number;
}

/** White for no activation, dark for strong: after ReLU and max-pooling values are ≥ 0. */
export const ACTIVATION_COLORSCALE: [number, string][] = [
  [0, "rgb(255,255,255)"],
  [0.5, "rgb(107,174,214)"],
  [1, "rgb(8,48,107)"],
];

/**
 * A 1 px light-grey frame round every map (axis lines, mirrored to all four sides): white is
 * "no activation" on a white page, so without it a silent channel looked like a missing map
 * and 4×4 maps ran into each other. Set once in the layout's template, which Plotly applies to
 * every x and y axis: ~100 bytes, where the same on each of 128 axes would add ~6 kB and push
 * a 26×26×32 figure past the 100 kB up to which notebooks keep its Plotly JSON.
 */
const FRAME = { showline: true, mirror: true, linecolor: "#ccc" };

/** Decimals that keep about three significant digits of values up to `scale`. */
function decimalsFor(scale: number): number {
  return Math.min(8, Math.max(0, Math.ceil(-Math.log10(scale)) + 2));
}

/**
 * One heatmap per channel of `maps` for one image, captioned with the channel number, on one
 * colour scale shared by all channels so that strong and weak channels compare honestly: [0, max]
 * from white to dark blue when no value is negative (ReLU and pooling outputs), else symmetric
 * about 0 from blue to red. A channel that stays at 0 everywhere is silent for this image; the
 * title counts them.
 */
export function featureMapsFigure(maps: FeatureMaps, options: FeatureMapsFigureOptions = {}): Figure {
  const { layer, className, count, height, width, channels, values } = maps;
  const size = height * width;
  if (!(size > 0 && channels > 0) || values.length !== count * size * channels) {
    throw new UsageError(
      `the ${layer} feature maps have ${values.length} values, but ${count} images of ${height}×${width}×${channels} need ${count * size * channels}`,
    );
  }
  const image = options.image ?? 0;
  if (!(Number.isInteger(image) && image >= 0 && image < count)) {
    throw new UsageError(`image ${image} is not one of the ${count} images of the ${layer} feature maps (0–${count - 1})`);
  }
  const limit = options.limit ?? 64;
  const chosen = options.channels
    ? Array.from(options.channels).slice(0, limit)
    : Array.from({ length: Math.min(limit, channels) }, (_, c) => c);
  if (chosen.length === 0) throw new UsageError(`no channels of ${layer} to draw`);
  for (const c of chosen) {
    if (!(Number.isInteger(c) && c >= 0 && c < channels)) {
      throw new UsageError(`channel ${c} is not one of the ${channels} channels of ${layer} (0–${channels - 1})`);
    }
  }
  const base = image * size * channels;
  let lo = 0;
  let hi = 0;
  let silent = 0;
  const cells = chosen.map((c): GridCell => {
    const pixels = new Float32Array(size);
    let peak = -Infinity;
    let any = false;
    for (let p = 0; p < size; p++) {
      const v = values[base + p * channels + c];
      pixels[p] = v;
      if (v > peak) peak = v;
      if (v !== 0) any = true;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (!any) silent++;
    return { pixels, caption: String(c), hover: `${escapeLabel(layer)} channel ${c} (max ${round(peak, 3)})` };
  });
  const signed = lo < 0;
  const scale = Math.max(signed ? Math.max(-lo, hi) : hi, 1e-6);
  const digits = decimalsFor(scale);
  const zmax = round(scale, digits) || scale;
  const name = options.name ? `${escapeLabel(options.name)}<br>` : "";
  const shown = chosen.length === channels ? `${channels} channels` : `${chosen.length} of ${channels} channels`;
  const heading =
    options.title ??
    `${name}${escapeLabel(layer)} (${escapeLabel(className)}): ${shown}, ${height}×${width}` +
      (silent ? `<br>${silent} silent (0 everywhere) for this image` : "");
  const fig = imageGridFigure(cells, {
    title: heading,
    columns: options.columns ?? 8,
    rows: height,
    cols: width,
    zmin: signed ? -zmax : 0,
    zmax,
    colorscale: signed ? WEIGHT_COLORSCALE : ACTIVATION_COLORSCALE,
    colorbarTitle: "activation",
    digits,
    valueFormat: `.${Math.min(digits, 6)}f`,
    valueName: "activation at",
    cellSize: options.cellSize ?? (height >= 20 ? 72 : height >= 10 ? 60 : 48),
  });
  fig.layout.template = { layout: { xaxis: FRAME, yaxis: FRAME } };
  return fig;
}
