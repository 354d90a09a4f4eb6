/**
 * What a network's first layer looks for: each unit's incoming weights drawn as an image
 * of the input. A dense layer on 784 pixels gives one 28×28 image per hidden unit; a
 * convolution on one channel gives one small kh×kw image per filter.
 */
import { UsageError } from "../errors";
import type { LayerKernel } from "../types";
import { type Figure, WEIGHT_COLORSCALE, round } from "./figure";
import { imageGridFigure, type GridCell } from "./images";

export interface WeightImagesOptions {
  /** Which units (dense) or filters (conv) to draw, in this order; default the first `limit`. */
  units?: ArrayLike<number>;
  /** Most units to draw (default 16: each 28×28 weight image adds ~6 kB of JSON, and under 100 kB a figure also goes to JupyterLab's Plotly renderer). */
  limit?: number;
  columns?: number;
  title?: string;
  /** Image size for a dense kernel (default: the square root of its inputs, 28×28 for MNIST). */
  rows?: number;
  cols?: number;
}

/** Image height, width and unit count of a kernel whose inputs are one single-channel image. */
function kernelImageShape(kernel: LayerKernel, options: WeightImagesOptions): { rows: number; cols: number; units: number } {
  const { shape, layer } = kernel;
  const size = shape.reduce((a, b) => a * b, 1);
  if (kernel.values.length !== size) {
    throw new UsageError(`kernel of ${layer} has ${kernel.values.length} values, but its shape [${shape.join(", ")}] needs ${size}`);
  }
  if (shape.length === 2) {
    const [inputs, units] = shape;
    const side = Math.round(Math.sqrt(inputs));
    const rows = options.rows ?? side;
    const cols = options.cols ?? (options.rows ? inputs / options.rows : side);
    if (!Number.isInteger(cols) || rows * cols !== inputs) {
      throw new UsageError(`the ${inputs} inputs of ${layer} do not form a ${rows}×${cols} image: pass rows and cols`);
    }
    return { rows, cols, units };
  }
  if (shape.length === 4 && shape[2] === 1) return { rows: shape[0], cols: shape[1], units: shape[3] };
  throw new UsageError(
    `${layer} (${kernel.className}, kernel [${shape.join(", ")}]) does not read a single image: weight images need ` +
      "a dense layer on the pixels or a convolution on a one-channel image (the first layer of these models)",
  );
}

/**
 * A grid of weight images, one per unit, on one colour scale symmetric about zero:
 * red where ink raises the unit's input, blue where it lowers it. The scale ends at the
 * 99th percentile of |weight| so a few large weights do not wash out the rest.
 */
export function weightImages(kernel: LayerKernel, options: WeightImagesOptions = {}): Figure {
  const { rows, cols, units } = kernelImageShape(kernel, options);
  const limit = options.limit ?? 16;
  const chosen = options.units
    ? Array.from(options.units).slice(0, limit)
    : Array.from({ length: Math.min(limit, units) }, (_, u) => u);
  for (const u of chosen) {
    if (!Number.isInteger(u) || u < 0 || u >= units) {
      throw new UsageError(`unit ${u} is not one of the ${units} units of ${kernel.layer} (0–${units - 1})`);
    }
  }
  const noun = kernel.className === "Conv2D" ? "filter" : "unit";
  const pixels = rows * cols;
  const magnitudes: number[] = [];
  const cells = chosen.map((u): GridCell => {
    const image = new Float32Array(pixels);
    let lo = Infinity;
    let hi = -Infinity;
    for (let p = 0; p < pixels; p++) {
      const w = kernel.values[p * units + u];
      image[p] = w;
      magnitudes.push(Math.abs(w));
      if (w < lo) lo = w;
      if (w > hi) hi = w;
    }
    return { pixels: image, caption: `${noun} ${u}`, hover: `${noun} ${u} (weights ${round(lo, 3)} to ${round(hi, 3)})` };
  });
  magnitudes.sort((a, b) => a - b);
  const scale = magnitudes.length ? magnitudes[Math.min(magnitudes.length - 1, Math.floor(0.99 * magnitudes.length))] : 1;
  const zmax = Math.max(round(scale, 3), 1e-3);
  const small = rows * cols <= 49;
  return imageGridFigure(cells, {
    title: options.title ?? `What ${kernel.layer} looks for: the weights of ${cells.length} of its ${units} ${noun}s`,
    columns: options.columns ?? 8,
    rows,
    cols,
    zmin: -zmax,
    zmax,
    colorscale: WEIGHT_COLORSCALE,
    colorbarTitle: "weight",
    valueFormat: ".3f",
    valueName: "weight at pixel",
    digits: 3,
    cellSize: small ? 60 : 90,
  });
}
