/**
 * Morphology on grey images and binary masks: min/max filters (for background
 * estimation), distance transforms (for thickening or thinning strokes), thinning
 * to a skeleton (for measuring stroke width) and connected components (for telling
 * the digit from specks). Pure, no Node APIs.
 */
import { createImage, type GreyImage } from "./image";

/** Binary mask: 1 = set. Same layout as GreyImage. */
export type Mask = Uint8Array;

/**
 * Running min (or max) over a window of 2·radius+1 samples along one line, in O(n)
 * whatever the radius (van Herk / Gil–Werman: block prefix and suffix extrema).
 * The window is clipped at the ends of the line (padding with ±Infinity).
 */
function extremumLine(src: Float32Array, offset: number, stride: number, n: number, radius: number,
                      out: Float32Array, isMin: boolean, buf: Float32Array, g: Float32Array, h: Float32Array): void {
  const k = 2 * radius + 1;
  const len = n + 2 * radius;
  const pad = isMin ? Infinity : -Infinity;
  for (let i = 0; i < radius; i++) {
    buf[i] = pad;
    buf[radius + n + i] = pad;
  }
  for (let j = 0; j < n; j++) buf[radius + j] = src[offset + j * stride];
  if (isMin) {
    for (let i = 0; i < len; i++) g[i] = i % k === 0 || buf[i] < g[i - 1] ? buf[i] : g[i - 1];
    for (let i = len - 1; i >= 0; i--) h[i] = i % k === k - 1 || i === len - 1 || buf[i] < h[i + 1] ? buf[i] : h[i + 1];
    for (let j = 0; j < n; j++) {
      const a = h[j], b = g[j + 2 * radius];
      out[offset + j * stride] = a < b ? a : b;
    }
  } else {
    for (let i = 0; i < len; i++) g[i] = i % k === 0 || buf[i] > g[i - 1] ? buf[i] : g[i - 1];
    for (let i = len - 1; i >= 0; i--) h[i] = i % k === k - 1 || i === len - 1 || buf[i] > h[i + 1] ? buf[i] : h[i + 1];
    for (let j = 0; j < n; j++) {
      const a = h[j], b = g[j + 2 * radius];
      out[offset + j * stride] = a > b ? a : b;
    }
  }
}

function extremumFilter(image: GreyImage, radius: number, isMin: boolean): GreyImage {
  const { width, height } = image;
  if (radius < 1) return { width, height, data: new Float32Array(image.data) };
  const size = Math.max(width, height) + 2 * radius;
  const buf = new Float32Array(size), g = new Float32Array(size), h = new Float32Array(size);
  const mid = createImage(width, height);
  for (let y = 0; y < height; y++) extremumLine(image.data, y * width, 1, width, radius, mid.data, isMin, buf, g, h);
  const out = createImage(width, height);
  for (let x = 0; x < width; x++) extremumLine(mid.data, x, width, height, radius, out.data, isMin, buf, g, h);
  return out;
}

/** Grey erosion with a (2r+1)² square: each pixel becomes the minimum of its neighbourhood. */
export function minFilter(image: GreyImage, radius: number): GreyImage {
  return extremumFilter(image, radius, true);
}

/** Grey dilation with a (2r+1)² square. */
export function maxFilter(image: GreyImage, radius: number): GreyImage {
  return extremumFilter(image, radius, false);
}

/** Grey opening: removes bright features narrower than the square (what remains is the background under bright ink). */
export function opening(image: GreyImage, radius: number): GreyImage {
  return maxFilter(minFilter(image, radius), radius);
}

/** Grey closing: removes dark features narrower than the square (the background under dark ink). */
export function closing(image: GreyImage, radius: number): GreyImage {
  return minFilter(maxFilter(image, radius), radius);
}

/**
 * Approximate Euclidean distance from every pixel to the nearest pixel where
 * `target` is set (0 on target pixels), by a two-pass 3×3 chamfer (weights 1 and √2).
 * Pixels with no target anywhere get Infinity.
 */
export function distanceTransform(target: Mask, width: number, height: number): Float32Array {
  const d = new Float32Array(width * height);
  for (let i = 0; i < d.length; i++) d[i] = target[i] ? 0 : Infinity;
  const diag = Math.SQRT2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x > 0) v = Math.min(v, d[i - 1] + 1);
      if (y > 0) {
        v = Math.min(v, d[i - width] + 1);
        if (x > 0) v = Math.min(v, d[i - width - 1] + diag);
        if (x < width - 1) v = Math.min(v, d[i - width + 1] + diag);
      }
      d[i] = v;
    }
  }
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      const i = y * width + x;
      let v = d[i];
      if (v === 0) continue;
      if (x < width - 1) v = Math.min(v, d[i + 1] + 1);
      if (y < height - 1) {
        v = Math.min(v, d[i + width] + 1);
        if (x < width - 1) v = Math.min(v, d[i + width + 1] + diag);
        if (x > 0) v = Math.min(v, d[i + width - 1] + diag);
      }
      d[i] = v;
    }
  }
  return d;
}

/** Zhang–Suen thinning: reduces a mask to 1-pixel-wide lines along its middle. */
export function skeletonize(mask: Mask, width: number, height: number): Mask {
  const img = new Uint8Array(mask);
  const remove: number[] = [];
  const px = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : img[y * width + x]);
  let changed = true;
  while (changed) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      remove.length = 0;
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          if (!img[y * width + x]) continue;
          // Neighbours P2..P9, clockwise from north.
          const p2 = px(x, y - 1), p3 = px(x + 1, y - 1), p4 = px(x + 1, y), p5 = px(x + 1, y + 1);
          const p6 = px(x, y + 1), p7 = px(x - 1, y + 1), p8 = px(x - 1, y), p9 = px(x - 1, y - 1);
          const count = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (count < 2 || count > 6) continue;
          const transitions = (p2 < p3 ? 1 : 0) + (p3 < p4 ? 1 : 0) + (p4 < p5 ? 1 : 0) + (p5 < p6 ? 1 : 0)
            + (p6 < p7 ? 1 : 0) + (p7 < p8 ? 1 : 0) + (p8 < p9 ? 1 : 0) + (p9 < p2 ? 1 : 0);
          if (transitions !== 1) continue;
          if (pass === 0 ? p2 * p4 * p6 !== 0 || p4 * p6 * p8 !== 0 : p2 * p4 * p8 !== 0 || p2 * p6 * p8 !== 0) continue;
          remove.push(y * width + x);
        }
      }
      for (const i of remove) img[i] = 0;
      if (remove.length) changed = true;
    }
  }
  return img;
}

export interface Component {
  /** Number of pixels. */
  area: number;
  /** Bounding box, inclusive corners. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** 8-connected components of a mask: a label per pixel (0 = background, 1.. = component index + 1). */
export function connectedComponents(mask: Mask, width: number, height: number): { labels: Int32Array; components: Component[] } {
  const labels = new Int32Array(width * height);
  const components: Component[] = [];
  const stack: number[] = [];
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = components.length + 1;
    const c: Component = { area: 0, x0: width, y0: height, x1: -1, y1: -1 };
    labels[start] = label;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      c.area++;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (mask[j] && !labels[j]) {
            labels[j] = label;
            stack.push(j);
          }
        }
      }
    }
    components.push(c);
  }
  return { labels, components };
}

/** Mask of pixels where `image` is above `threshold`. */
export function thresholdMask(image: GreyImage, threshold: number): Mask {
  const m = new Uint8Array(image.data.length);
  for (let i = 0; i < m.length; i++) m[i] = image.data[i] > threshold ? 1 : 0;
  return m;
}
