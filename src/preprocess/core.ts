/**
 * Turns a picture of a digit — a photo of paper, a scan, a drawing on a canvas — into
 * a 28×28 image that looks like MNIST: bright ink on black, the digit scaled into a
 * 20×20 box and centred by its centre of mass, strokes about as wide as MNIST's.
 *
 * Pure: works on a grey Float32Array, no Node APIs, no DOM. The Node layer
 * (./files) decodes PNG/JPEG into a GreyImage; the drawing pad bundles this very
 * module, so the browser and the CLI preprocess identically.
 *
 * The steps, each returned as a stage so a gallery can show them:
 *   1. grey      the input, at most MAX_WORK_SIDE pixels on its longest side
 *   2. ink       polarity fixed (ink bright), background, uneven lighting and shadows removed
 *                (grey top-hat: image minus its morphological opening, over the paper's
 *                brightness for dark ink, with a window fitted to the strokes), contrast stretched
 *   3. cropped   specks dropped, cropped to the digit, stroke width brought near MNIST's
 *   4. boxed     longest side scaled to 20 px (area averaging = anti-aliasing)
 *   5. output    placed in 28×28 with its centre of mass at MNIST's, values in [0, 1]
 */
import { ImageError } from "../errors";
import {
  boundingBox, centreOfMass, cloneImage, createImage, cropImage, otsuThreshold, quantile, resize,
  type Box, type GreyImage,
} from "./image";
import { connectedComponents, distanceTransform, opening, skeletonize, type Mask } from "./morphology";

export const MNIST_SIZE = 28;
/** MNIST digits were scaled so their longest side fits 20 pixels. */
export const MNIST_BOX = 20;
/**
 * Mean stroke width of MNIST digits, in pixels of the 28×28 image (ink area over
 * skeleton length of pixels ≥ 0.5; over 3000 training digits the median is 2.7,
 * the mean 2.9, the 10th–90th percentiles 1.9–4.2).
 */
export const MNIST_STROKE_WIDTH = 2.8;
/** Stroke widths MNIST itself has plenty of (between its 10th and 90th percentiles): left as they are. */
export const MNIST_STROKE_RANGE: [number, number] = [1.9, 4.2];
/** Mean centre of mass of MNIST training digits, in pixel-index coordinates (x = column, y = row). */
export const MNIST_CENTRE = { x: 14.0, y: 14.0 };

/** Paper darker than this (in deep shadow) is not divided by further: that would only amplify noise. */
const MIN_PAPER_BRIGHTNESS = 0.2;
/** Larger inputs are first shrunk to this: plenty for a 20-px digit, and it bounds the work. */
export const MAX_WORK_SIDE = 512;

/** Below this contrast between ink and paper (on a 0..1 scale) there is no digit, only paper. */
const MIN_INK_CONTRAST = 0.12;

export interface PreprocessOptions {
  /** Thicken thin strokes and thin thick ones towards MNIST's width (default true). */
  normalizeStroke?: boolean;
  /** Stroke width to aim for, in pixels of the 28×28 image (default MNIST_STROKE_WIDTH). */
  targetStrokeWidth?: number;
  /** Strokes within this width range (px of the 28×28 image) are left alone (default MNIST_STROKE_RANGE). */
  strokeRange?: [number, number];
  /** Pixels at least this bright (0..1) count as the ink proper when sizing the 20-px box (default 0.5). */
  boxThreshold?: number;
  /** Centre by mass to a fraction of a pixel (bilinear shift, which blurs a little) instead of to whole pixels as MNIST did (default false). */
  subpixel?: boolean;
}

export interface PreprocessStages {
  /** The input in grey (0 black … 1 white), at working resolution. */
  grey: GreyImage;
  /** Ink bright on black: polarity fixed, background removed, contrast stretched (specks included). */
  ink: GreyImage;
  /** The digit alone, cropped to its bounding box, stroke width adjusted. */
  cropped: GreyImage;
  /** Scaled so the longest side is 20 px. */
  boxed: GreyImage;
  /** The final 28×28 image, values in [0, 1]. */
  output: GreyImage;
}

export interface PreprocessInfo {
  /** Whether the input had dark ink on light paper (and was inverted). */
  inverted: boolean;
  /** Factor the input was shrunk by to reach working resolution (1 = not shrunk). */
  workScale: number;
  /** Where the digit is, in working-resolution pixels. */
  box: Box;
  /** Contrast between ink and background, 0..1. */
  contrast: number;
  /** Marks dropped as specks (connected components too small or too far from the digit). */
  specksRemoved: number;
  /** Stroke width as found, in pixels of the 28×28 image. */
  strokeWidth: number;
  strokeAdjustment: "none" | "thickened" | "thinned";
  /** Stroke width after adjustment, in pixels of the 28×28 image. */
  adjustedStrokeWidth: number;
  /**
   * Set when the picture was a sheet of paper on a darker surface: where the sheet is, in
   * working-resolution pixels. `box` and the stages then refer to the sheet alone.
   */
  sheet?: Box;
}

export interface Preprocessed {
  /** 784 floats in [0, 1], row-major: ready for a model. */
  pixels: Float32Array;
  stages: PreprocessStages;
  info: PreprocessInfo;
}

/**
 * Runs the whole pipeline; throws ImageError "no digit found" when there is no ink.
 * A photo of a whole light sheet on a darker desk reads wrongly: a small sheet inside out
 * (the sheet as bright ink on a dark background, the digit as a hole in it), a sheet that
 * fills most of the picture with the desk around it as a dark frame of "ink". When the
 * first reading looks like either and there is such a sheet, the pipeline runs again on the
 * sheet alone.
 */
export function preprocess(input: GreyImage, options: PreprocessOptions = {}): Preprocessed {
  checkImage(input);
  const first = preprocessOnce(input, options);
  if (first.info.inverted && !framesPicture(first.info.box, first.stages.grey)) return first; // the usual case
  const sheet = findSheet(first.stages.grey);
  if (!sheet) return first; // light ink on a dark ground (chalk, a dark-mode drawing), or a digit cropped tight
  if (first.info.inverted) {
    // The desk was read as a frame of dark ink: keep that reading only if the sheet has no digit.
    try {
      const onSheet = preprocessOnce(sheet.image, options);
      if (onSheet.info.inverted) return { ...onSheet, info: { ...onSheet.info, workScale: first.info.workScale, sheet: sheet.box } };
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
    }
    return first;
  }
  let second: Preprocessed | undefined;
  try {
    second = preprocessOnce(sheet.image, options);
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
  }
  if (!second || !second.info.inverted) {
    throw new ImageError("this looks like a sheet of paper on a darker surface, but no dark digit could be read on the sheet; crop the photo to the paper around the digit");
  }
  return { ...second, info: { ...second.info, workScale: first.info.workScale, sheet: sheet.box } };
}

/** Whether the marks reach three or four edges of the picture, as a desk around a sheet does. */
function framesPicture(box: Box, image: GreyImage): boolean {
  const edges = [box.x <= 1, box.y <= 1, box.x + box.width >= image.width - 1, box.y + box.height >= image.height - 1];
  return edges.filter(Boolean).length >= 3;
}

function preprocessOnce(input: GreyImage, options: PreprocessOptions): Preprocessed {
  const targetWidth = options.targetStrokeWidth ?? MNIST_STROKE_WIDTH;
  const boxThreshold = options.boxThreshold ?? 0.5;

  // 1. Working resolution.
  const longest = Math.max(input.width, input.height);
  const workScale = Math.min(1, MAX_WORK_SIDE / longest);
  const grey = workScale < 1
    ? resize(input, Math.max(1, Math.round(input.width * workScale)), Math.max(1, Math.round(input.height * workScale)))
    : cloneImage(input);
  const { width, height } = grey;

  // 2. Polarity, background, contrast.
  // Polarity is a global question: a subsample of ≤ ~40k pixels answers it as well.
  const step = Math.max(1, Math.floor(Math.sqrt((width * height) / 40000)));
  const inverted = hasDarkInk(step > 1 ? subsample(grey, step) : grey);
  const bright = inverted ? grey.data.map((v) => 1 - v) : new Float32Array(grey.data);
  // The opening with a window wider than any stroke is the paper alone, lighting
  // gradient included (openings keep linear ramps exactly); what stands above it is ink.
  // A first, generous window finds the strokes; the second fits the window to their
  // width, so that a hard shadow edge's corner, which a wide window cannot enter, is not
  // left behind as a mark.
  let marks = marksAbovePaper(bright, width, height, Math.max(2, Math.round(Math.min(width, height) / 5)), inverted);
  const strokeRadius = Math.max(2, Math.ceil(4 * medianHalfWidth(marks.mask, width, height)));
  if (strokeRadius < marks.radius / 2) marks = marksAbovePaper(bright, width, height, strokeRadius, inverted);
  const { residual, mask, noiseLevel, noiseSpread } = marks;
  const { digit, specksRemoved } = keepDigit(mask, width, height);

  const black = noiseLevel + 2 * noiseSpread;
  const digitValues: number[] = [];
  for (let i = 0; i < digit.length; i++) if (digit[i]) digitValues.push(residual[i]);
  const white = Math.max(black + 0.05, quantile(digitValues, 0.9));
  const ink = createImage(width, height);
  for (let i = 0; i < ink.data.length; i++) ink.data[i] = clamp01((residual[i] - black) / (white - black));

  // 3. Keep the digit and its anti-aliased rim (≤ 1.5 px around it); crop.
  const nearDigit = distanceTransform(digit, width, height);
  const clean = createImage(width, height);
  for (let i = 0; i < clean.data.length; i++) clean.data[i] = nearDigit[i] <= 1.5 ? ink.data[i] : 0;
  const box = boundingBox(width, height, (i) => clean.data[i] > 0.02) ?? boundingBox(width, height, (i) => digit[i] === 1)!;
  let cropped = cropImage(clean, box);

  const measured = strokeWidth(cropped);
  const scaleTo28 = MNIST_BOX / Math.max(cropped.width, cropped.height);
  const strokeWidth28 = measured.width * scaleTo28;
  let strokeAdjustment: PreprocessInfo["strokeAdjustment"] = "none";
  let adjustment = 0; // pixels added to (or, negative, taken from) each side of every stroke
  const [thinnest, thickest] = options.strokeRange ?? MNIST_STROKE_RANGE;
  if (options.normalizeStroke !== false && (strokeWidth28 < thinnest || strokeWidth28 > thickest)) {
    // Grow (or shrink) every stroke by r on each side, so that the width relative to the
    // digit's new size, (w + 2r) / (L + 2r) · 20, reaches the target.
    const L = Math.max(cropped.width, cropped.height);
    let r = ((targetWidth * L) / MNIST_BOX - measured.width) / (2 * (1 - targetWidth / MNIST_BOX));
    if (r < 0) r = Math.max(r, -0.6 * measured.thinnestHalfWidth); // never erase the thinnest strokes
    if (Math.abs(r) >= 0.5) {
      adjustment = r;
      cropped = r > 0 ? thicken(cropped, r) : thin(cropped, -r);
      strokeAdjustment = r > 0 ? "thickened" : "thinned";
    }
  }
  const adjusted = strokeAdjustment === "none"
    ? strokeWidth28
    : (measured.width + 2 * adjustment) * MNIST_BOX / (Math.max(cropped.width, cropped.height));

  // 4. Crop to the ink proper (≥ boxThreshold: NIST's digits were binary) and scale its
  //    longest side to exactly 20 px, so that, as in MNIST, every lit pixel is inside the box.
  const core = boundingBox(cropped.width, cropped.height, (i) => cropped.data[i] >= boxThreshold)
    ?? { x: 0, y: 0, width: cropped.width, height: cropped.height };
  cropped = cropImage(cropped, core);
  const factor = MNIST_BOX / Math.max(core.width, core.height);
  const boxed = resize(cropped, Math.max(1, Math.round(core.width * factor)), Math.max(1, Math.round(core.height * factor)));

  // 5. Into 28×28, centre of mass where MNIST has it (keeping the box inside the frame);
  //    peak at 1 like MNIST's 255.
  const com = centreOfMass(boxed);
  const ox = clamp(MNIST_CENTRE.x - com.x, 0, MNIST_SIZE - boxed.width);
  const oy = clamp(MNIST_CENTRE.y - com.y, 0, MNIST_SIZE - boxed.height);
  let max = 0;
  for (const v of boxed.data) if (v > max) max = v;
  const output = options.subpixel !== true
    ? translate(boxed, Math.round(ox), Math.round(oy), max)
    : translate(boxed, ox, oy, max);

  return {
    pixels: output.data,
    stages: { grey, ink, cropped, boxed, output },
    info: {
      inverted, workScale, box, contrast: white, specksRemoved,
      strokeWidth: strokeWidth28, strokeAdjustment, adjustedStrokeWidth: adjusted,
    },
  };
}

/**
 * A light sheet on a darker surface: the largest bright region (Otsu threshold) covering
 * at least a tenth of the picture, with darker surroundings reaching the picture's border,
 * a few dark marks inside it and, marks included, the shape of a rectangle turned by at
 * most 20°. Returns the sheet cropped out (inset a little; the surface left in its corners
 * painted paper-coloured) and where it is.
 */
export function findSheet(grey: GreyImage): { image: GreyImage; box: Box } | undefined {
  const { width, height, data } = grey;
  const n = width * height;
  const t = otsuThreshold(data, 0, 1);
  const bright: Mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) bright[i] = data[i] > t ? 1 : 0;
  const { labels, components } = connectedComponents(bright, width, height);
  if (components.length === 0) return undefined;
  let largest = 0;
  components.forEach((c, k) => { if (c.area > components[largest].area) largest = k; });
  const c = components[largest];
  if (c.area < 0.1 * n) return undefined;
  // Everything else: the parts reaching the border are the surface, the rest lies on the sheet.
  const rest: Mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) rest[i] = labels[i] === largest + 1 ? 0 : 1;
  const parts = connectedComponents(rest, width, height);
  const onBorder = parts.components.map((c) => c.x0 === 0 || c.y0 === 0 || c.x1 === width - 1 || c.y1 === height - 1);
  const surface: Mask = new Uint8Array(n);
  let surfaceArea = 0, marksArea = 0;
  for (let i = 0; i < n; i++) {
    const l = parts.labels[i];
    if (!l) continue;
    if (onBorder[l - 1]) { surface[i] = 1; surfaceArea++; } else marksArea++;
  }
  if (surfaceArea < 0.05 * n || marksArea === 0 || marksArea > 0.25 * c.area) return undefined;
  // A sheet with its marks is a rectangle (a bold light "0" with its hole is an ellipse: π/4 at best).
  if (rectangularity(surface, width, height) < 0.9) return undefined;
  const paperValues: number[] = [], surfaceValues: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i] === largest + 1) paperValues.push(data[i]);
    else if (surface[i]) surfaceValues.push(data[i]);
  }
  const paper = quantile(paperValues, 0.5);
  if (paper - quantile(surfaceValues, 0.5) < 0.15) return undefined; // an uneven light, not an edge
  // The sheet's edge is blurred and shaded: paint over the surface and a few pixels into the sheet.
  const edge = Math.max(2, Math.round(0.01 * Math.max(width, height)));
  const toSurface = distanceTransform(surface, width, height);
  const box: Box = { x: c.x0 + edge, y: c.y0 + edge, width: c.x1 - c.x0 + 1 - 2 * edge, height: c.y1 - c.y0 + 1 - 2 * edge };
  if (box.width < 8 || box.height < 8) return undefined;
  const image = createImage(box.width, box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const i = (box.y + y) * width + box.x + x;
      image.data[y * box.width + x] = toSurface[i] <= edge ? paper : data[i];
    }
  }
  return { image, box };
}

/**
 * How well the pixels outside `outside` fill a rectangle: their count over the area of
 * their bounding box turned to fit best (angles within ±20°, in steps of 2°). 1 for a
 * rectangle, π/4 for an ellipse.
 */
function rectangularity(outside: Mask, width: number, height: number): number {
  const xs: number[] = [], ys: number[] = [];
  for (let i = 0; i < outside.length; i++) if (!outside[i]) { xs.push(i % width); ys.push((i / width) | 0); }
  let best = 0;
  for (let deg = -20; deg <= 20; deg += 2) {
    const cos = Math.cos((deg * Math.PI) / 180), sin = Math.sin((deg * Math.PI) / 180);
    let u0 = Infinity, u1 = -Infinity, v0 = Infinity, v1 = -Infinity;
    for (let k = 0; k < xs.length; k++) {
      const u = cos * xs[k] + sin * ys[k], v = -sin * xs[k] + cos * ys[k];
      if (u < u0) u0 = u;
      if (u > u1) u1 = u;
      if (v < v0) v0 = v;
      if (v > v1) v1 = v;
    }
    best = Math.max(best, xs.length / ((u1 - u0 + 1) * (v1 - v0 + 1)));
  }
  return best;
}

function checkImage(image: GreyImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError(`image has invalid size ${width}×${height}`);
  }
  if (data.length !== width * height) {
    throw new ImageError(`image data has ${data.length} values, expected ${width}×${height} = ${width * height}`);
  }
}

function noDigit(why: string): ImageError {
  return new ImageError(`no digit found (${why})`);
}

/**
 * Dark ink on light paper? Most of the picture is paper, lit unevenly but smoothly,
 * so fit a plane (a + b·x + c·y) to the brightness, refit it to the pixels that look
 * like paper, and see which way the big departures from it go: ink is the heavy tail.
 */
export function hasDarkInk(grey: GreyImage): boolean {
  const { width, data } = grey;
  let plane = fitPlane(grey, () => true);
  let residual = data.map((v, i) => v - plane(i % width, (i / width) | 0));
  const spread = (r: Float32Array) => {
    const m = quantile(r, 0.5);
    return { m, s: Math.max(1e-3, 1.4826 * quantile(r.map((v) => Math.abs(v - m)), 0.5)) };
  };
  let { m, s } = spread(residual);
  plane = fitPlane(grey, (i) => Math.abs(residual[i] - m) < 2.5 * s);
  residual = data.map((v, i) => v - plane(i % width, (i / width) | 0));
  ({ m, s } = spread(residual));
  let darker = 0, brighter = 0;
  for (let i = 0; i < residual.length; i++) {
    const d = residual[i] - m;
    if (d < -3 * s) darker += d * d;
    else if (d > 3 * s) brighter += d * d;
  }
  if (darker === brighter) return quantile(data, 0.5) > 0.5; // nothing stands out: guess from the brightness
  return darker > brighter;
}

/** Least-squares plane through the pixels where `use(i)` holds; returns brightness at (x, y). */
function fitPlane(image: GreyImage, use: (i: number) => boolean): (x: number, y: number) => number {
  const { width, data } = image;
  // Normal equations for v ≈ a + b·x + c·y, with x, y centred for conditioning.
  const cx = (width - 1) / 2, cy = (image.height - 1) / 2;
  let n = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, sv = 0, sxv = 0, syv = 0;
  for (let i = 0; i < data.length; i++) {
    if (!use(i)) continue;
    const x = (i % width) - cx, y = ((i / width) | 0) - cy, v = data[i];
    n++; sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y; sv += v; sxv += x * v; syv += y * v;
  }
  if (n < 3) return () => (n ? sv / n : 0.5);
  // Solve the 3×3 system by Cramer's rule.
  const m = [[n, sx, sy], [sx, sxx, sxy], [sy, sxy, syy]];
  const rhs = [sv, sxv, syv];
  const det = (a: number[][]) =>
    a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
  const d = det(m);
  if (Math.abs(d) < 1e-9) return () => sv / n;
  const solve = (col: number) => det(m.map((row, r) => row.map((v, c) => (c === col ? rhs[r] : v)))) / d;
  const a = solve(0), b = solve(1), c = solve(2);
  return (x, y) => a + b * (x - cx) + c * (y - cy);
}

interface Marks {
  /** How far each pixel stands above the paper (relative to the paper's brightness for dark ink). */
  residual: Float32Array;
  /** Pixels that stand out: above Otsu's threshold and well above the noise. */
  mask: Mask;
  noiseLevel: number;
  noiseSpread: number;
  /** Half-width of the window that estimated the paper. */
  radius: number;
}

/** The marks on the paper: `bright` (ink bright) minus its opening with a (2·radius+1)² window. */
function marksAbovePaper(bright: Float32Array, width: number, height: number, radius: number, darkInk: boolean): Marks {
  const paper = opening({ width, height, data: bright }, radius);
  const residual = new Float32Array(bright.length);
  // Dark ink: a shadow dims paper and ink alike, so the ink's contrast is relative to the paper
  // around it (divide); subtracting would leave ink in a shadow fainter than ink in the light.
  for (let i = 0; i < residual.length; i++) {
    const mark = Math.max(0, bright[i] - paper.data[i]);
    residual[i] = darkInk ? Math.min(1, mark / Math.max(MIN_PAPER_BRIGHTNESS, 1 - paper.data[i])) : mark;
  }
  const noiseLevel = quantile(residual, 0.5);
  const noiseSpread = 1.4826 * (quantile(residual.map((v) => Math.abs(v - noiseLevel)), 0.5));
  let peak = 0;
  for (const v of residual) if (v > peak) peak = v;
  if (peak < MIN_INK_CONTRAST) throw noDigit(`the strongest mark differs from the paper by only ${(peak * 100).toFixed(0)}%`);
  const threshold = Math.max(otsuThreshold(residual, 0, peak), noiseLevel + 6 * noiseSpread, MIN_INK_CONTRAST / 2);
  const mask: Mask = new Uint8Array(residual.length);
  for (let i = 0; i < mask.length; i++) mask[i] = residual[i] > threshold ? 1 : 0;
  return { residual, mask, noiseLevel, noiseSpread, radius };
}

/**
 * The typical half-width of the marks: the median distance to the paper along their
 * skeleton. Strokes, long and thin, outweigh a broad blob (a shadow's corner), whose
 * skeleton is short.
 */
function medianHalfWidth(mask: Mask, width: number, height: number): number {
  const halfWidths = skeletonHalfWidths(mask, width, height);
  return halfWidths.length ? quantile(halfWidths, 0.5) : Infinity;
}

/** Along the skeleton of `mask`, each pixel's distance to the paper: the strokes' local half-widths. */
function skeletonHalfWidths(mask: Mask, width: number, height: number): number[] {
  const skeleton = skeletonize(mask, width, height);
  const toPaper = distanceTransform(mask.map((m) => 1 - m), width, height);
  const halfWidths: number[] = [];
  for (let i = 0; i < skeleton.length; i++) if (skeleton[i]) halfWidths.push(Math.min(toPaper[i], width + height));
  return halfWidths;
}

/**
 * Keeps the digit and drops specks: the largest mark, other big marks (a 5's
 * separate top bar), and small marks only when they are close to the digit.
 */
function keepDigit(mask: Mask, width: number, height: number): { digit: Mask; specksRemoved: number } {
  const { labels, components } = connectedComponents(mask, width, height);
  if (components.length === 0) throw noDigit("no marks stand out from the background");
  const largest = components.reduce((a, b) => (b.area > a.area ? b : a));
  const keep = components.map((c) => c === largest || c.area >= 0.25 * largest.area);
  // Union box of the big parts, grown by 15% of its size: the neighbourhood of the digit.
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  components.forEach((c, k) => {
    if (!keep[k]) return;
    x0 = Math.min(x0, c.x0); y0 = Math.min(y0, c.y0); x1 = Math.max(x1, c.x1); y1 = Math.max(y1, c.y1);
  });
  const margin = 0.15 * Math.max(x1 - x0 + 1, y1 - y0 + 1);
  components.forEach((c, k) => {
    if (keep[k] || c.area < Math.max(2, 0.02 * largest.area)) return;
    if (c.x1 >= x0 - margin && c.x0 <= x1 + margin && c.y1 >= y0 - margin && c.y0 <= y1 + margin) keep[k] = true;
  });
  let kx0 = width, ky0 = height, kx1 = -1, ky1 = -1;
  components.forEach((c, k) => {
    if (!keep[k]) return;
    kx0 = Math.min(kx0, c.x0); ky0 = Math.min(ky0, c.y0); kx1 = Math.max(kx1, c.x1); ky1 = Math.max(ky1, c.y1);
  });
  const extent = Math.max(kx1 - kx0 + 1, ky1 - ky0 + 1);
  if (extent < Math.max(3, 0.04 * Math.max(width, height))) {
    throw noDigit(`the only marks are specks of at most ${extent} px`);
  }
  const digit = new Uint8Array(mask.length);
  for (let i = 0; i < mask.length; i++) if (labels[i] && keep[labels[i] - 1]) digit[i] = 1;
  return { digit, specksRemoved: keep.filter((k) => !k).length };
}

/**
 * Mean stroke width in pixels: ink area divided by skeleton length (a stroke of
 * length L and width w has area ≈ L·w and a skeleton of ≈ L pixels). Also the
 * half-width of the thinnest strokes (10th percentile of the distance to paper along the skeleton).
 */
export function strokeWidth(image: GreyImage): { width: number; thinnestHalfWidth: number } {
  const { width, height, data } = image;
  const mask: Mask = new Uint8Array(data.length);
  let area = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] >= 0.5) {
      mask[i] = 1;
      area++;
    }
  }
  if (area === 0) return { width: 0, thinnestHalfWidth: 0 };
  const halfWidths = skeletonHalfWidths(mask, width, height);
  const length = Math.max(1, halfWidths.length);
  return { width: area / length, thinnestHalfWidth: halfWidths.length ? quantile(halfWidths, 0.1) : 0.5 };
}

/** Widens every stroke by r pixels on each side (anti-aliased edge), on a canvas padded to fit. */
function thicken(image: GreyImage, r: number): GreyImage {
  const pad = Math.ceil(r) + 2;
  const padded = cropImage(image, { x: -pad, y: -pad, width: image.width + 2 * pad, height: image.height + 2 * pad });
  const { width, height, data } = padded;
  const core: Mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) core[i] = data[i] >= 0.5 ? 1 : 0;
  const dist = distanceTransform(core, width, height);
  const out = createImage(width, height);
  for (let i = 0; i < data.length; i++) out.data[i] = Math.max(data[i], clamp01(r + 1 - dist[i]));
  return trim(out);
}

/** Narrows every stroke by r pixels on each side. */
function thin(image: GreyImage, r: number): GreyImage {
  const { width, height, data } = image;
  const paper: Mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) paper[i] = data[i] < 0.5 ? 1 : 0;
  const dist = distanceTransform(paper, width, height);
  const out = createImage(width, height);
  for (let i = 0; i < data.length; i++) out.data[i] = Math.min(data[i], clamp01(dist[i] - r));
  return trim(out);
}

function trim(image: GreyImage): GreyImage {
  const box = boundingBox(image.width, image.height, (i) => image.data[i] > 0.02);
  return box ? cropImage(image, box) : image;
}

/** Every `step`-th pixel in each direction. */
function subsample(image: GreyImage, step: number): GreyImage {
  const width = Math.ceil(image.width / step), height = Math.ceil(image.height / step);
  const out = createImage(width, height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out.data[y * width + x] = image.data[y * step * image.width + x * step];
  return out;
}

function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), Math.max(lo, hi));
}

/**
 * Places `image` on a black 28×28 canvas shifted by (ox, oy) pixels — fractional shifts
 * interpolate bilinearly — and divides by `max` so the peak is 1.
 */
function translate(image: GreyImage, ox: number, oy: number, max: number): GreyImage {
  const out = createImage(MNIST_SIZE, MNIST_SIZE);
  if (max <= 0) return out;
  const { width, height, data } = image;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[y * width + x]);
  for (let ty = 0; ty < MNIST_SIZE; ty++) {
    const sy = ty - oy;
    const y0 = Math.floor(sy), fy = sy - y0;
    if (y0 + 1 < 0 || y0 >= height) continue;
    for (let tx = 0; tx < MNIST_SIZE; tx++) {
      const sx = tx - ox;
      const x0 = Math.floor(sx), fx = sx - x0;
      if (x0 + 1 < 0 || x0 >= width) continue;
      const v = (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) + (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy;
      out.data[ty * MNIST_SIZE + tx] = clamp01(v / max);
    }
  }
  return out;
}
