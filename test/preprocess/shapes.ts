/** Synthetic pictures for preprocessing tests: strokes drawn as distance-to-segment, anti-aliased. */
import type { GreyImage } from "../../src/preprocess";

export interface Canvas {
  width: number;
  height: number;
  /** Paper brightness (0 black … 1 white). */
  paper?: number;
  ink?: number;
}

type Point = [number, number];

function distanceToSegment(px: number, py: number, [ax, ay]: Point, [bx, by]: Point): number {
  const dx = bx - ax, dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Polylines of the given pen width on paper; returns grey (0 black … 1 white). */
export function drawStrokes(canvas: Canvas, strokes: Point[][], penWidth: number): GreyImage {
  const { width, height } = canvas;
  const paper = canvas.paper ?? 1, ink = canvas.ink ?? 0;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let d = Infinity;
      for (const s of strokes) for (let k = 0; k + 1 < s.length; k++) d = Math.min(d, distanceToSegment(x + 0.5, y + 0.5, s[k], s[k + 1]));
      if (strokes.some((s) => s.length === 1)) for (const s of strokes) if (s.length === 1) d = Math.min(d, Math.hypot(x + 0.5 - s[0][0], y + 0.5 - s[0][1]));
      const cover = Math.max(0, Math.min(1, penWidth / 2 + 0.5 - d));
      data[y * width + x] = paper + (ink - paper) * cover;
    }
  }
  return { width, height, data };
}

/** A closed polygon approximating a circle (for a "0"). */
export function circle(cx: number, cy: number, r: number, ry = r, segments = 48): Point[] {
  return Array.from({ length: segments + 1 }, (_, k) => {
    const a = (2 * Math.PI * k) / segments;
    return [cx + r * Math.cos(a), cy + ry * Math.sin(a)] as Point;
  });
}

/** Multiplies the picture by a lighting ramp from 1 (left) to 1 - drop (right). */
export function unevenLight(image: GreyImage, drop: number): GreyImage {
  const data = image.data.map((v, i) => v * (1 - (drop * (i % image.width)) / image.width));
  return { ...image, data };
}

export function invert(image: GreyImage): GreyImage {
  return { ...image, data: image.data.map((v) => 1 - v) };
}

/** Number of pixels brighter than `t`. */
export function countAbove(pixels: ArrayLike<number>, t: number): number {
  let n = 0;
  for (let i = 0; i < pixels.length; i++) if (pixels[i] > t) n++;
  return n;
}

/** Bounding box of pixels > t in a 28×28 image. */
export function extent28(pixels: ArrayLike<number>, t = 0.01): { width: number; height: number } {
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let i = 0; i < 784; i++) {
    if (pixels[i] <= t) continue;
    const x = i % 28, y = (i / 28) | 0;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export function massCentre(pixels: ArrayLike<number>): { x: number; y: number } {
  let m = 0, sx = 0, sy = 0;
  for (let i = 0; i < 784; i++) {
    m += pixels[i];
    sx += pixels[i] * (i % 28);
    sy += pixels[i] * ((i / 28) | 0);
  }
  return { x: sx / m, y: sy / m };
}
