/**
 * Makes an MNIST digit look like a person's picture of one: dark ink on white paper,
 * off-centre on a large canvas, drawn with a thin pen or a thick marker, uneven
 * lighting, a little blur and sensor noise. Used to test preprocessing honestly
 * (does a model still read these as well as the clean digits?) and to give the
 * "your own digits" notebook sample images. Pure: no Node APIs.
 */
import type { Rng } from "../util/random";
import { createImage, resize, type GreyImage } from "./image";
import { distanceTransform, skeletonize } from "./morphology";

/** How the digit is drawn: with a thin pen, with MNIST's own strokes, or with a thick marker. */
export type StrokeChange = "thin-pen" | "same" | "marker";

export interface PaperLook {
  canvasWidth: number;
  canvasHeight: number;
  /** Height of the 28-px MNIST frame on the canvas, in pixels. */
  digitFrame: number;
  stroke: StrokeChange;
  paper: number;
  ink: number;
  /** How much darker the dark side of the page is (0 = even light). */
  lightingDrop: number;
  blurRadius: number;
  noise: number;
}

/**
 * Draws a random look: canvas 200–400 px a side, digit box 30–60% of the short side,
 * a thin pen, MNIST's own strokes or a thick marker (a third each), paper 0.80–0.95,
 * ink 0.05–0.30, light falling by 15–40% across the page, blur of radius 1–2 px.
 */
export function randomPaperLook(rng: Rng): PaperLook {
  const canvasWidth = 200 + Math.floor(rng() * 201);
  const canvasHeight = 200 + Math.floor(rng() * 201);
  const digitBox = (0.3 + 0.3 * rng()) * Math.min(canvasWidth, canvasHeight);
  const strokes: StrokeChange[] = ["thin-pen", "same", "marker"];
  return {
    canvasWidth,
    canvasHeight,
    digitFrame: Math.round((digitBox * 28) / 20),
    stroke: strokes[Math.floor(rng() * 3)],
    paper: 0.8 + 0.15 * rng(),
    ink: 0.05 + 0.25 * rng(),
    lightingDrop: 0.15 + 0.25 * rng(),
    blurRadius: 1 + Math.floor(rng() * 2),
    noise: 0.015,
  };
}

/**
 * Renders a 28×28 MNIST digit (values 0..1, ink bright) with `look`; `rng` places it
 * and orients the lighting. Returns a grey image (0 black … 1 white).
 */
export function paperPhoto(mnist: ArrayLike<number>, look: PaperLook, rng: Rng): GreyImage {
  const digit: GreyImage = { width: 28, height: 28, data: Float32Array.from(mnist) };
  const frame = look.digitFrame;
  let big = resize(digit, frame, frame);
  // Bilinear enlargement leaves soft ramps; a pen leaves a crisp edge.
  big.data.forEach((v, i) => (big.data[i] = Math.min(1, Math.max(0, (v - 0.5) * 3 + 0.5))));
  const scale = frame / 28;
  // A thin pen draws the digit's path with a line of even width (here 1.2 px of the
  // 28×28 image, half MNIST's): redraw along the skeleton rather than erode, which
  // would break MNIST's own thin strokes in a way no pen does.
  if (look.stroke === "thin-pen") big = redrawWithPen(big, 0.6 * scale);
  // A marker is a round pen: grow every stroke by a disc (1.2 px of the 28×28 image on each side).
  if (look.stroke === "marker") big = growStrokes(big, 0.6 * scale);

  const { canvasWidth: W, canvasHeight: H } = look;
  const ox = Math.floor(rng() * Math.max(1, W - frame));
  const oy = Math.floor(rng() * Math.max(1, H - frame));
  const angle = rng() * 2 * Math.PI;
  const dx = Math.cos(angle), dy = Math.sin(angle);
  const canvas = createImage(W, H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const fx = x - ox, fy = y - oy;
      const v = fx >= 0 && fy >= 0 && fx < frame && fy < frame ? big.data[fy * frame + fx] : 0;
      // Light falls off linearly across the page in a random direction.
      const along = ((x / W - 0.5) * dx + (y / H - 0.5) * dy) / Math.SQRT2 + 0.5;
      const light = 1 - look.lightingDrop * along;
      canvas.data[y * W + x] = (look.paper - (look.paper - look.ink) * v) * light;
    }
  }
  const blurred = boxBlur(boxBlur(boxBlur(canvas, look.blurRadius), look.blurRadius), look.blurRadius);
  for (let i = 0; i < blurred.data.length; i++) {
    blurred.data[i] = Math.min(1, Math.max(0, blurred.data[i] + look.noise * gaussian(rng)));
  }
  return blurred;
}

/** Redraws the strokes of `image` (ink bright) as lines of half-width `radius` along their skeleton. */
function redrawWithPen(image: GreyImage, radius: number): GreyImage {
  const { width, height, data } = image;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] >= 0.5 ? 1 : 0;
  const dist = distanceTransform(skeletonize(mask, width, height), width, height);
  const out = createImage(width, height);
  for (let i = 0; i < data.length; i++) out.data[i] = Math.min(1, Math.max(0, radius + 0.5 - dist[i]));
  return out;
}

/** Widens the strokes of `image` (ink bright) by `radius` px on every side, with a round pen. */
function growStrokes(image: GreyImage, radius: number): GreyImage {
  const { width, height, data } = image;
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i] >= 0.5 ? 1 : 0;
  const dist = distanceTransform(mask, width, height);
  const out = createImage(width, height);
  for (let i = 0; i < data.length; i++) out.data[i] = Math.max(data[i], Math.min(1, Math.max(0, radius + 0.5 - dist[i])));
  return out;
}

/** Mean over a (2r+1)² square, clipped at the borders (three passes approximate a Gaussian blur). */
export function boxBlur(image: GreyImage, r: number): GreyImage {
  const { width, height } = image;
  const pass = (src: Float32Array, n: number, lines: number, step: number, lineStep: number): Float32Array => {
    const out = new Float32Array(src.length);
    for (let line = 0; line < lines; line++) {
      const base = line * lineStep;
      let sum = 0, count = 0;
      for (let j = 0; j <= Math.min(n - 1, r); j++) {
        sum += src[base + j * step];
        count++;
      }
      for (let k = 0; k < n; k++) {
        out[base + k * step] = sum / count;
        const enter = k + r + 1, leave = k - r;
        if (enter < n) { sum += src[base + enter * step]; count++; }
        if (leave >= 0) { sum -= src[base + leave * step]; count--; }
      }
    }
    return out;
  };
  return { width, height, data: pass(pass(image.data, width, height, 1, width), height, width, width, 1) };
}

function gaussian(rng: Rng): number {
  const u = Math.max(1e-12, rng());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}
