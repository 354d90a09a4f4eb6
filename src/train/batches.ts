/**
 * Getting examples into tensors cheaply. Pixels are normalized once into one Float32Array;
 * each epoch copies them into a second array in shuffled order, and every batch tensor is
 * made from a `subarray` of that copy. This avoids `tf.gather` per batch and slicing a big
 * tensor (which on WASM copies the whole source), and batches cost one memcpy each.
 */
import { tf } from "../backend";
import type { ImageSet } from "../data";

/** Normalized pixels (x/255) and int32 labels of the examples at `indices` (all when omitted). */
export interface PreparedSet {
  x: Float32Array;
  y: Int32Array;
  count: number;
  /** Values per example (784). */
  size: number;
}

export function prepareSet(set: ImageSet, indices?: ArrayLike<number>): PreparedSet {
  const size = set.rows * set.cols;
  const count = indices ? indices.length : set.count;
  const x = new Float32Array(count * size);
  const y = new Int32Array(count);
  const scale = 1 / 255;
  for (let i = 0; i < count; i++) {
    const src = indices ? indices[i] : i;
    if (!(src >= 0 && src < set.count)) throw new RangeError(`index ${src} is outside 0..${set.count - 1}`);
    const from = src * size;
    const to = i * size;
    for (let j = 0; j < size; j++) x[to + j] = set.images[from + j] * scale;
    y[i] = set.labels[src];
  }
  return { x, y, count, size };
}

/** Copies `source` into `target` in the order `order` (the epoch's shuffle). */
export function reorderInto(source: PreparedSet, order: ArrayLike<number>, target: PreparedSet): void {
  const size = source.size;
  for (let i = 0; i < order.length; i++) {
    const src = order[i];
    target.x.set(source.x.subarray(src * size, (src + 1) * size), i * size);
    target.y[i] = source.y[src];
  }
}

/** An empty PreparedSet of the same size, to reorder into. */
export function emptyLike(set: PreparedSet): PreparedSet {
  return { x: new Float32Array(set.x.length), y: new Int32Array(set.y.length), count: set.count, size: set.size };
}

/** Examples [start, end) as tensors shaped for the model ([b, 784] or [b, 28, 28, 1]). */
export function batchTensors(set: PreparedSet, start: number, end: number, inputShape: number[]): { xs: tf.Tensor; ys: tf.Tensor1D } {
  const xs = tf.tensor(set.x.subarray(start * set.size, end * set.size), [end - start, ...inputShape], "float32");
  const ys = tf.tensor1d(set.y.subarray(start, end), "int32");
  return { xs, ys };
}

/**
 * Like `reorderInto`, but moves each image by a random whole-pixel shift of up to `maxShift`
 * in x and y (vacated pixels are 0, the background). Cheap data augmentation that teaches
 * dense networks that a digit one pixel to the left is the same digit. `rng` makes it seeded.
 */
export function reorderShiftedInto(
  source: PreparedSet,
  order: ArrayLike<number>,
  target: PreparedSet,
  maxShift: number,
  rng: () => number,
  side = 28,
): void {
  const size = source.size;
  const span = 2 * maxShift + 1;
  for (let i = 0; i < order.length; i++) {
    const src = order[i];
    const dx = Math.floor(rng() * span) - maxShift;
    const dy = Math.floor(rng() * span) - maxShift;
    const from = src * size;
    const to = i * size;
    target.y[i] = source.y[src];
    if (dx === 0 && dy === 0) {
      target.x.set(source.x.subarray(from, from + size), to);
      continue;
    }
    target.x.fill(0, to, to + size);
    const x0 = Math.max(0, dx);
    const x1 = Math.min(side, side + dx);
    for (let r = Math.max(0, dy); r < Math.min(side, side + dy); r++) {
      const srcRow = from + (r - dy) * side - dx;
      target.x.set(source.x.subarray(srcRow + x0, srcRow + x1), to + r * side + x0);
    }
  }
}
