/** From bytes to what a model eats: pixels scaled to [0, 1], as float32 tensors. */
import { tf } from "../backend";
import { UsageError } from "../errors";
import type { ImageSet, MnistData } from "./mnist";

/** Scales 0..255 pixel bytes to floats in [0, 1] (MNIST's usual normalization: x / 255). */
export function normalizePixels(images: Uint8Array): Float32Array {
  const out = new Float32Array(images.length);
  const scale = 1 / 255;
  for (let i = 0; i < images.length; i++) out[i] = images[i] * scale;
  return out;
}

export type InputLayout = "flat" | "image";

export interface TensorOptions {
  /** Which examples, in this order (default: all). */
  indices?: ArrayLike<number>;
  /** "flat": [n, rows·cols] for dense models; "image": [n, rows, cols, 1] for CNNs. */
  shape?: InputLayout;
}

/** Normalized images and int32 labels as tensors. The caller disposes them. */
export function toTensors(set: ImageSet, options: TensorOptions = {}): { xs: tf.Tensor; ys: tf.Tensor1D } {
  const chosen = options.indices ? subset(set, options.indices) : set;
  const pixels = chosen.rows * chosen.cols;
  const shape = options.shape === "image" ? [chosen.count, chosen.rows, chosen.cols, 1] : [chosen.count, pixels];
  const xs = tf.tensor(normalizePixels(chosen.images), shape, "float32");
  const ys = tf.tensor1d(Int32Array.from(chosen.labels), "int32");
  return { xs, ys };
}

/** The examples at `indices`, copied into a new ImageSet. */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const pixels = set.rows * set.cols;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    if (!(src >= 0 && src < set.count)) throw new RangeError(`index ${src} is outside 0..${set.count - 1}`);
    images.set(set.images.subarray(src * pixels, (src + 1) * pixels), i * pixels);
    labels[i] = set.labels[src];
  }
  return { images, labels, count: indices.length, rows: set.rows, cols: set.cols };
}

/** The first `n` examples (a view, no copy): for quick runs on part of the data. */
export function head(set: ImageSet, n: number): ImageSet {
  if (!isImageSet(set)) throw new UsageError(`head takes an ImageSet such as mnist.train${isMnistData(set) ? ", not the whole dataset" : ""}`);
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`head: n must be a whole number ≥ 0, got ${typeof n === "string" ? JSON.stringify(n) : n}`);
  const count = Math.min(n, set.count);
  const pixels = set.rows * set.cols;
  return { images: set.images.subarray(0, count * pixels), labels: set.labels.subarray(0, count), count, rows: set.rows, cols: set.cols };
}

/** Whether `value` looks like an ImageSet (images, labels and a count), e.g. before a loop would misread it. */
export function isImageSet(value: unknown): value is ImageSet {
  const v = value as ImageSet | null | undefined;
  return typeof v === "object" && v !== null && ArrayBuffer.isView(v.images) && ArrayBuffer.isView(v.labels) && Number.isInteger(v.count);
}

/** Whether `value` is a whole dataset from `loadMnist` (the usual slip when an ImageSet is wanted). */
export function isMnistData(value: unknown): value is MnistData {
  const v = value as MnistData | null | undefined;
  return typeof v === "object" && v !== null && isImageSet(v.train) && isImageSet(v.test);
}
