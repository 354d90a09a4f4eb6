/**
 * A grey image as plain numbers, and the few operations preprocessing needs on it
 * (conversion from RGBA, cropping, resampling, statistics). Pure: no Node APIs, no
 * DOM, so the browser page bundles exactly this code.
 */

/** Row-major grey pixels, one float per pixel. */
export interface GreyImage {
  width: number;
  height: number;
  data: Float32Array;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function createImage(width: number, height: number, fill = 0): GreyImage {
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/**
 * Interleaved 8-bit pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA) → grey in [0, 1],
 * 0 black, 1 white. Transparent pixels are composited on a background that contrasts
 * with the opaque ones (see transparentBackground): dark ink on a transparent canvas
 * reads like ink on white paper, white ink (a dark-mode drawing app) like chalk on a board.
 */
export function toGrey(pixels: ArrayLike<number>, width: number, height: number, channels: 1 | 2 | 3 | 4): GreyImage {
  const out = createImage(width, height);
  const n = width * height;
  // Only pictures with an alpha channel need one; a JPEG (decoded as RGBA) is opaque throughout.
  const alpha = channels === 2 || channels === 4 ? new Float32Array(n) : undefined;
  let transparent = false;
  for (let i = 0; i < n; i++) {
    const p = i * channels;
    if (channels <= 2) {
      out.data[i] = pixels[p] / 255;
    } else {
      // ITU-R BT.601 luma, as most image tools convert to grey.
      out.data[i] = (0.299 * pixels[p] + 0.587 * pixels[p + 1] + 0.114 * pixels[p + 2]) / 255;
    }
    if (alpha) {
      alpha[i] = pixels[p + channels - 1] / 255;
      if (alpha[i] < 1) transparent = true;
    }
  }
  if (alpha && transparent) {
    const background = transparentBackground(out.data, alpha);
    for (let i = 0; i < n; i++) out.data[i] = out.data[i] * alpha[i] + background * (1 - alpha[i]);
  }
  return out;
}

/**
 * The grey to put behind transparent pixels: white (paper), unless the opaque pixels are
 * light on average (alpha-weighted) and would barely show on white — white ink on a
 * transparent canvas — in which case black. A light sheet with dark ink on it keeps white,
 * because its ink already stands out there.
 */
export function transparentBackground(grey: ArrayLike<number>, alpha: ArrayLike<number>): number {
  let weight = 0, sum = 0, darkest = 0;
  for (let i = 0; i < grey.length; i++) {
    const a = alpha[i];
    if (a <= 0) continue;
    weight += a;
    sum += a * grey[i];
    darkest = Math.max(darkest, a * (1 - grey[i])); // how far the pixel is from white once composited on white
  }
  if (weight === 0 || weight === grey.length) return 1; // nothing opaque, or nothing transparent
  return sum / weight > 0.5 && darkest < 0.5 ? 0 : 1;
}

/** Grey image with values in [0, 1] → 8-bit RGBA (opaque), e.g. for PNG encoding or a canvas. */
export function toRgba(image: GreyImage): Uint8ClampedArray {
  const out = new Uint8ClampedArray(image.width * image.height * 4);
  for (let i = 0; i < image.data.length; i++) {
    const v = Math.round(Math.min(1, Math.max(0, image.data[i])) * 255);
    out[i * 4] = v;
    out[i * 4 + 1] = v;
    out[i * 4 + 2] = v;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function cloneImage(image: GreyImage): GreyImage {
  return { width: image.width, height: image.height, data: new Float32Array(image.data) };
}

export function mapImage(image: GreyImage, f: (v: number, i: number) => number): GreyImage {
  const out = createImage(image.width, image.height);
  for (let i = 0; i < image.data.length; i++) out.data[i] = f(image.data[i], i);
  return out;
}

/** The pixels inside `box`; parts of the box outside the image read as `fill`. */
export function cropImage(image: GreyImage, box: Box, fill = 0): GreyImage {
  const out = createImage(box.width, box.height, fill);
  for (let y = 0; y < box.height; y++) {
    const sy = box.y + y;
    if (sy < 0 || sy >= image.height) continue;
    for (let x = 0; x < box.width; x++) {
      const sx = box.x + x;
      if (sx < 0 || sx >= image.width) continue;
      out.data[y * box.width + x] = image.data[sy * image.width + sx];
    }
  }
  return out;
}

/** Smallest box holding every pixel where `inside` is true, or undefined if there is none. */
export function boundingBox(width: number, height: number, inside: (i: number) => boolean): Box | undefined {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!inside(y * width + x)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? undefined : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * Resamples one axis from `n` to `m` samples. Shrinking averages the input over each
 * output pixel's footprint (area averaging: every input pixel counts by the fraction
 * it covers, which is the anti-aliasing MNIST's size normalization had); enlarging
 * interpolates linearly between pixel centres.
 */
function resampleLine(src: Float32Array, srcOffset: number, srcStride: number, n: number,
                      dst: Float32Array, dstOffset: number, dstStride: number, m: number): void {
  const scale = n / m;
  if (m <= n) {
    for (let j = 0; j < m; j++) {
      const start = j * scale;
      const end = start + scale;
      let sum = 0;
      for (let i = Math.floor(start); i < Math.min(n, Math.ceil(end)); i++) {
        const cover = Math.min(end, i + 1) - Math.max(start, i);
        if (cover > 0) sum += cover * src[srcOffset + i * srcStride];
      }
      dst[dstOffset + j * dstStride] = sum / scale;
    }
  } else {
    for (let j = 0; j < m; j++) {
      const pos = Math.min(n - 1, Math.max(0, (j + 0.5) * scale - 0.5));
      const i = Math.floor(pos);
      const t = pos - i;
      const a = src[srcOffset + i * srcStride];
      const b = src[srcOffset + Math.min(n - 1, i + 1) * srcStride];
      dst[dstOffset + j * dstStride] = a + (b - a) * t;
    }
  }
}

/** Resizes to exactly width × height, one axis at a time (see resampleLine). */
export function resize(image: GreyImage, width: number, height: number): GreyImage {
  if (width === image.width && height === image.height) return cloneImage(image);
  const mid = createImage(width, image.height);
  for (let y = 0; y < image.height; y++) {
    resampleLine(image.data, y * image.width, 1, image.width, mid.data, y * width, 1, width);
  }
  const out = createImage(width, height);
  for (let x = 0; x < width; x++) {
    resampleLine(mid.data, x, width, image.height, out.data, x, width, height);
  }
  return out;
}

/**
 * The q-quantile (0..1) of `values` (not reordered). Small inputs are sorted; large
 * ones use a 4096-bin histogram between their min and max (exact to 1/4096 of the
 * range, which is far below what preprocessing can tell apart, and much faster).
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) return NaN;
  if (n <= 4096) {
    const sorted = Float64Array.from(values as ArrayLike<number>).sort();
    const pos = Math.min(n - 1, Math.max(0, q * (n - 1)));
    const i = Math.floor(pos);
    const t = pos - i;
    return i + 1 < n ? sorted[i] * (1 - t) + sorted[i + 1] * t : sorted[i];
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) return lo;
  const bins = 4096;
  const hist = new Uint32Array(bins);
  const scale = bins / (hi - lo);
  for (let i = 0; i < n; i++) hist[Math.min(bins - 1, Math.floor((values[i] - lo) * scale))]++;
  const target = Math.min(n - 1, Math.max(0, q * (n - 1)));
  let below = 0;
  for (let b = 0; b < bins; b++) {
    if (below + hist[b] > target) return lo + (b + (target - below + 0.5) / hist[b]) / scale;
    below += hist[b];
  }
  return hi;
}

/** Centre of mass of the pixel values, in pixel-index coordinates (x = column, y = row). */
export function centreOfMass(image: GreyImage): { x: number; y: number; mass: number } {
  let mass = 0, sx = 0, sy = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x];
      mass += v;
      sx += v * x;
      sy += v * y;
    }
  }
  return mass > 0 ? { x: sx / mass, y: sy / mass, mass } : { x: (image.width - 1) / 2, y: (image.height - 1) / 2, mass: 0 };
}

/**
 * Otsu's threshold: the value that best splits `values` into two classes (maximum
 * between-class variance), computed on a 256-bin histogram over [lo, hi].
 */
export function otsuThreshold(values: ArrayLike<number>, lo: number, hi: number): number {
  const bins = 256;
  const hist = new Float64Array(bins);
  const span = hi - lo || 1;
  for (let i = 0; i < values.length; i++) {
    const b = Math.min(bins - 1, Math.max(0, Math.floor(((values[i] - lo) / span) * bins)));
    hist[b]++;
  }
  let total = 0, sumAll = 0;
  for (let b = 0; b < bins; b++) {
    total += hist[b];
    sumAll += b * hist[b];
  }
  let weightLow = 0, sumLow = 0, best = 0, bestBin = 0;
  for (let b = 0; b < bins; b++) {
    weightLow += hist[b];
    if (weightLow === 0) continue;
    const weightHigh = total - weightLow;
    if (weightHigh === 0) break;
    sumLow += b * hist[b];
    const meanLow = sumLow / weightLow;
    const meanHigh = (sumAll - sumLow) / weightHigh;
    const between = weightLow * weightHigh * (meanLow - meanHigh) ** 2;
    if (between > best) {
      best = between;
      bestBin = b;
    }
  }
  return lo + ((bestBin + 1) / bins) * span;
}
