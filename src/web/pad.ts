/**
 * The drawing pad in the browser: pointer-event drawing (mouse, pen, finger), and on
 * every change the picture goes through the very same preprocessing as the CLI
 * (src/preprocess/core, bundled in) and then through each model, in the browser,
 * loaded from the saved files with tf.loadLayersModel. tf is the global from /tf.min.js.
 *
 * For tests and curious users the page says what it is doing in
 * `document.body.dataset.state` ("loading" | "ready" | "empty" | "too-small" | "predicted" | "error")
 * and `document.body.dataset.digit` (the first model's prediction).
 */
import { ImageError } from "../errors";
import { preprocess } from "../preprocess/core";
import { boundingBox, toGrey } from "../preprocess/image";

declare const tf: any;

/** One entry of /models.json (built by padModelInfo in src/draw/server.ts). */
interface ModelInfo {
  name: string;
  url: string;
  /** Accuracy on its dataset's test set, when the model's metadata records it. */
  testAccuracy?: number;
  /** The dataset it was trained on ("mnist", "fashion-mnist"), and how to call it on the page. */
  dataset: string;
  datasetLabel: string;
  /** What its ten outputs mean ("0"…"9" for MNIST, "T-shirt/top"… for Fashion-MNIST). */
  classNames: string[];
  /** Set when the model was not trained on handwritten digits. */
  warning?: string;
}

interface ModelCard {
  info: ModelInfo;
  model: any;
  inputShape: number[];
  digit: HTMLElement;
  /** The class's name next to its number, for models whose classes are not digits. */
  className: HTMLElement;
  confidence: HTMLElement;
  bars: { row: HTMLElement; fill: HTMLElement; value: HTMLElement }[];
}

/** Pen width on the 280-px pad: like a felt pen on a digit a few centimetres tall. */
const PEN_WIDTH = 16;
/**
 * Ink narrower and shorter than this (pad pixels, 10% of its side) is a tap or a stray mark:
 * scaled up to 20×20 it would look like a blob that models read as a confident 8 or 0.
 */
const SMALLEST_DIGIT = 28;

const pad = document.getElementById("pad") as HTMLCanvasElement;
const ctx = pad.getContext("2d", { willReadFrequently: true }) as CanvasRenderingContext2D;
const preview = document.getElementById("preview") as HTMLCanvasElement;
const previewCtx = preview.getContext("2d") as CanvasRenderingContext2D;
const status = document.getElementById("status") as HTMLElement;
const modelsBox = document.getElementById("models") as HTMLElement;
/** One line for screen readers (aria-live), updated when a stroke ends, not at every move. */
const summary = document.getElementById("summary") as HTMLElement;
const cards: ModelCard[] = [];

function setState(state: string, text?: string): void {
  document.body.dataset.state = state;
  if (text !== undefined) status.textContent = text;
}

function clearPad(): void {
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, pad.width, pad.height);
  previewCtx.fillStyle = "#000";
  previewCtx.fillRect(0, 0, preview.width, preview.height);
  delete document.body.dataset.digit;
  for (const card of cards) showProbabilities(card, undefined);
  summary.textContent = "";
  if (cards.length) setState("empty", "Draw a digit.");
}

// ---- drawing --------------------------------------------------------------------------

let drawing = false;
/** The pointer drawing the current stroke: a second finger or a resting palm must not join in. */
let activePointer: number | undefined;
let last: { x: number; y: number } | undefined;

function toCanvas(e: PointerEvent): { x: number; y: number } {
  const rect = pad.getBoundingClientRect();
  return { x: ((e.clientX - rect.left) * pad.width) / rect.width, y: ((e.clientY - rect.top) * pad.height) / rect.height };
}

function strokeTo(p: { x: number; y: number }): void {
  ctx.strokeStyle = "#111";
  ctx.lineWidth = PEN_WIDTH;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.beginPath();
  const from = last ?? p;
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(p.x + (last ? 0 : 0.01), p.y); // a tap leaves a dot
  ctx.stroke();
  last = p;
}

pad.addEventListener("pointerdown", (e) => {
  e.preventDefault();
  if (drawing) return; // another pointer is already drawing: ignore this one until it lifts
  pad.setPointerCapture(e.pointerId);
  drawing = true;
  activePointer = e.pointerId;
  last = undefined;
  strokeTo(toCanvas(e));
  schedulePrediction();
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing || e.pointerId !== activePointer) return;
  e.preventDefault();
  const events = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
  for (const ev of events.length ? events : [e]) strokeTo(toCanvas(ev));
  schedulePrediction();
});
const endStroke = (e: PointerEvent) => {
  if (!drawing || e.pointerId !== activePointer) return;
  drawing = false;
  activePointer = undefined;
  last = undefined;
  schedulePrediction();
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);
(document.getElementById("clear") as HTMLButtonElement).addEventListener("click", clearPad);
// Escape or C clears, from anywhere on the page.
document.addEventListener("keydown", (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey || drawing) return;
  if (e.key === "Escape" || e.key === "c" || e.key === "C") {
    e.preventDefault();
    clearPad();
  }
});

/** The longer side of the ink's bounding box on the pad (0 when blank). */
function inkExtent(rgba: Uint8ClampedArray, width: number, height: number): number {
  const box = boundingBox(width, height, (i) => rgba[i * 4] < 128);
  return box ? Math.max(box.width, box.height) : 0;
}

// ---- predicting -----------------------------------------------------------------------

let busy = false;
let again = false;
let scheduled = false;

function schedulePrediction(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    void predict();
  });
}

async function predict(): Promise<void> {
  if (!cards.length) return;
  if (busy) {
    again = true;
    return;
  }
  busy = true;
  try {
    const image = ctx.getImageData(0, 0, pad.width, pad.height);
    const extent = inkExtent(image.data, image.width, image.height);
    if (extent > 0 && extent < SMALLEST_DIGIT) {
      for (const card of cards) showProbabilities(card, undefined);
      delete document.body.dataset.digit;
      setState("too-small", "Too small to read: draw the digit bigger (Esc or C clears).");
      if (!drawing) summary.textContent = "Too small to read.";
      return;
    }
    let pixels: Float32Array;
    try {
      pixels = preprocess(toGrey(image.data, image.width, image.height, 4)).pixels;
    } catch (err) {
      if (!(err instanceof ImageError)) throw err;
      for (const card of cards) showProbabilities(card, undefined);
      delete document.body.dataset.digit;
      setState("empty", "Draw a digit.");
      return;
    }
    showPreview(pixels);
    for (const card of cards) {
      const probabilities: Float32Array = tf.tidy(() => {
        const output = card.model.predict(tf.tensor(pixels, [1, ...card.inputShape]));
        const sum = output.sum().dataSync()[0];
        const min = output.min().dataSync()[0];
        // Saved models end in softmax; if one gives logits instead, turn them into probabilities.
        return (Math.abs(sum - 1) < 1e-3 && min >= 0 ? output : tf.softmax(output)).dataSync();
      });
      showProbabilities(card, probabilities);
    }
    const first = cards[0].digit.textContent ?? "";
    document.body.dataset.digit = first;
    setState("predicted", "Each model reads the 28×28 image shown next to the Clear button.");
    if (!drawing) summary.textContent = cards.map((c) => `${c.info.name}: ${c.className.textContent || c.digit.textContent} ${c.confidence.textContent}`).join("; ");
  } catch (err) {
    setState("error", `Prediction failed: ${(err as Error).message}`);
  } finally {
    busy = false;
    if (again) {
      again = false;
      schedulePrediction();
    }
  }
}

function showPreview(pixels: Float32Array): void {
  const img = previewCtx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = Math.round(pixels[i] * 255);
    img.data[i * 4] = img.data[i * 4 + 1] = img.data[i * 4 + 2] = v;
    img.data[i * 4 + 3] = 255;
  }
  previewCtx.putImageData(img, 0, 0);
}

function showProbabilities(card: ModelCard, probabilities: Float32Array | undefined): void {
  let best = -1;
  if (probabilities) for (let d = 0; d < 10; d++) if (best < 0 || probabilities[d] > probabilities[best]) best = d;
  card.digit.textContent = best >= 0 ? String(best) : "–";
  card.className.textContent = best >= 0 && card.info.dataset !== "mnist" ? card.info.classNames[best] : "";
  card.confidence.textContent = best >= 0 ? `${(probabilities![best] * 100).toFixed(1)}%` : "";
  card.bars.forEach((bar, d) => {
    const p = probabilities ? probabilities[d] : 0;
    bar.fill.style.width = `${(p * 100).toFixed(1)}%`;
    bar.value.textContent = probabilities ? `${(p * 100).toFixed(1)}%` : "";
    bar.row.classList.toggle("top", d === best);
  });
}

function element(tag: string, className: string, parent: HTMLElement, text?: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  if (text !== undefined) el.textContent = text;
  parent.appendChild(el);
  return el;
}

function addCard(info: ModelInfo, model: any, index: number): ModelCard {
  const box = element("section", "model", modelsBox);
  box.dataset.index = String(index);
  element("h2", "name", box, info.name);
  if (info.testAccuracy !== undefined) element("div", "meta", box, `${info.datasetLabel} test accuracy ${(info.testAccuracy * 100).toFixed(2)}%`);
  if (info.warning) element("div", "warning", box, `⚠ Not a digit model: ${info.warning}.`).setAttribute("role", "note");
  const head = element("div", "head", box);
  const digit = element("span", "digit", head, "–");
  const className = element("span", "class-name", head);
  const confidence = element("span", "confidence", head);
  const digits = info.dataset === "mnist";
  const bars = [];
  for (let d = 0; d < 10; d++) {
    const row = element("div", digits ? "bar" : "bar named", box);
    element("span", "label", row, digits ? String(d) : `${d} ${info.classNames[d]}`);
    const track = element("div", "track", row);
    const fill = element("div", "fill", track);
    const value = element("span", "value", row);
    bars.push({ row, fill, value });
  }
  const shape = (model.inputs[0].shape as (number | null)[]).slice(1).map((d) => d ?? 1);
  return { info, model, inputShape: shape, digit, className, confidence, bars };
}

async function start(): Promise<void> {
  setState("loading", "Loading models…");
  clearPad();
  await tf.ready();
  const infos = (await (await fetch("/models.json")).json()) as ModelInfo[];
  for (const [i, info] of infos.entries()) {
    const model = await tf.loadLayersModel(info.url);
    cards.push(addCard(info, model, i));
  }
  setState("ready", `Draw a digit. (${cards.length} model${cards.length === 1 ? "" : "s"}, TensorFlow.js on ${tf.getBackend()})`);
  document.body.dataset.backend = tf.getBackend();
}

// Inside an iframe (the notebook's showDrawPad), tell the parent how tall the page is so it can fit the frame.
if (window.parent !== window && typeof ResizeObserver === "function") {
  new ResizeObserver(() => {
    window.parent.postMessage({ digitLabPadHeight: Math.ceil(document.body.getBoundingClientRect().height) }, "*");
  }).observe(document.body);
}

start().catch((err) => setState("error", `Could not start: ${(err as Error).message}`));
