/**
 * Saliency maps: which pixels drove a prediction. For each image, the gradient of a class's
 * logit with respect to the input pixels, as a 28×28 map: positive where more ink would raise
 * that class's score, negative where it would lower it.
 *
 * The logit (the score under the softmax) is differentiated, not the probability: a confident
 * prediction's probability is saturated near 1, so its gradient is close to zero everywhere and
 * the map would be blank exactly where the model is most sure.
 */
import { tf } from "../backend";
import { UsageError } from "../errors";
import { softmaxLogits } from "../models/logits";
import { inputShapeOf } from "../models/variants";

/** Images per forward/backward pass: bounds memory when many maps are asked for. */
const SALIENCY_BATCH = 256;

export interface ClassSaliency {
  /** The class whose logit was differentiated. */
  label: number;
  probability: number;
  logit: number;
  /** ∂ logit / ∂ pixel, row-major rows×cols (the image's layout). */
  gradient: Float32Array;
}

export interface Saliency {
  /** The image as the model saw it: rows×cols values in [0, 1]. */
  pixels: Float32Array;
  rows: number;
  cols: number;
  probabilities: Float32Array;
  /** The most likely class. */
  predicted: number;
  /** One map per class asked for; by default the prediction first, then the runner-up. */
  maps: ClassSaliency[];
}

export interface SaliencyOptions {
  /** Maps for the `top` most likely classes of each image (default 2: prediction and runner-up). */
  top?: number;
  /** Or maps for these classes, the same for every image (e.g. [4, 9]); overrides `top`. */
  classes?: ArrayLike<number>;
}

/** Image size of the model's input: [28, 28] for a flat 784 input and for a 28×28×1 image. */
function imageShapeOf(model: tf.LayersModel): { rows: number; cols: number; size: number; inputShape: number[] } {
  const inputShape = inputShapeOf(model);
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (inputShape.length === 3 && inputShape[2] === 1) return { rows: inputShape[0], cols: inputShape[1], size, inputShape };
  const side = Math.round(Math.sqrt(size));
  if (inputShape.length === 1 && side * side === size) return { rows: side, cols: side, size, inputShape };
  throw new UsageError(`saliency maps need a model that reads one square grey image (flat or h×w×1), not input [${inputShape.join(", ")}]`);
}

/** The images as one row-major [n, size] buffer, checked to be pixels in [0, 1]. */
function flattenImages(images: Float32Array | readonly ArrayLike<number>[], size: number): Float32Array {
  let flat: Float32Array;
  if (images instanceof Float32Array) {
    if (images.length % size !== 0) throw new UsageError(`expected a multiple of ${size} pixels, got ${images.length}`);
    flat = images;
  } else {
    flat = new Float32Array(images.length * size);
    images.forEach((image, i) => {
      if (image.length !== size) throw new UsageError(`image ${i} has ${image.length} pixels, the model reads ${size}`);
      for (let p = 0; p < size; p++) flat[i * size + p] = image[p];
    });
  }
  for (let p = 0; p < flat.length; p++) {
    const v = flat[p];
    if (!(v >= 0 && v <= 1)) {
      throw new UsageError(`pixel ${p % size} of image ${Math.floor(p / size)} is ${v}: saliency maps need pixels in [0, 1] as the model saw them (divide bytes by 255)`);
    }
  }
  return flat;
}

function logitsOf(model: tf.LayersModel, xs: tf.Tensor): tf.Tensor2D {
  const logits = softmaxLogits(model, xs, false);
  if (!logits) {
    throw new UsageError(`model "${model.name}" does not end in a Dense softmax layer, so it has no logits to take saliency maps of`);
  }
  return logits;
}

/**
 * ∂ logit[targets[i]] / ∂ pixels of image i, for every image: a row-major [n, size] array.
 * `pixels` is [n, size] in [0, 1], flat whatever the model's input shape (a CNN's 28×28×1
 * image is the same row-major order). Dropout is off, as in prediction.
 */
export function logitGradients(model: tf.LayersModel, pixels: Float32Array, targets: ArrayLike<number>): Float32Array {
  const { size, inputShape } = imageShapeOf(model);
  const count = pixels.length / size;
  if (!Number.isInteger(count)) throw new UsageError(`expected a multiple of ${size} pixels, got ${pixels.length}`);
  if (targets.length !== count) throw new UsageError(`one target class per image: ${count} images, ${targets.length} targets`);
  const classes = model.outputs[0].shape[1] as number;
  for (let i = 0; i < count; i++) {
    const t = targets[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new UsageError(`target class ${t} of image ${i} is not one of the model's classes 0–${classes - 1}`);
  }
  const out = new Float32Array(pixels.length);
  for (let start = 0; start < count; start += SALIENCY_BATCH) {
    const end = Math.min(count, start + SALIENCY_BATCH);
    const gradients = tf.tidy(() => {
      const xs = tf.tensor(pixels.subarray(start * size, end * size), [end - start, ...inputShape], "float32");
      const pick = tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: end - start }, (_, k) => targets[start + k]), "int32"), classes), "float32");
      // Images in a batch do not interact (no batch statistics at inference), so the gradient of
      // the sum of each image's chosen logit is, image by image, the gradient of that logit.
      return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(logitsOf(model, x), pick)))(xs);
    });
    out.set(gradients.dataSync() as Float32Array, start * size);
    gradients.dispose();
  }
  return out;
}

/** The classes in order of probability, most likely first. */
function ranked(probabilities: ArrayLike<number>): number[] {
  return Array.from({ length: probabilities.length }, (_, c) => c).sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}

/**
 * Saliency maps of `images` (each rows×cols pixels in [0, 1], as the model sees them; e.g. a
 * preprocessed picture's `pixels`): for each image, its probabilities and the input gradient of
 * the logit of its `top` most likely classes, or of the given `classes`. Works for flat (dense)
 * and image (CNN) models alike.
 */
export function saliencyMaps(
  model: tf.LayersModel,
  images: Float32Array | readonly ArrayLike<number>[],
  options: SaliencyOptions = {},
): Saliency[] {
  const { rows, cols, size, inputShape } = imageShapeOf(model);
  const pixels = flattenImages(images, size);
  const count = pixels.length / size;
  const classes = model.outputs[0].shape[1] as number;
  const top = options.top ?? 2;
  if (options.classes === undefined && (!Number.isInteger(top) || top < 1 || top > classes)) {
    throw new UsageError(`top must be a whole number from 1 to ${classes}, got ${top}`);
  }
  const [logits, probabilities] = tf.tidy(() => {
    const z = logitsOf(model, tf.tensor(pixels, [count, ...inputShape], "float32"));
    return [z.dataSync() as Float32Array, tf.softmax(z).dataSync() as Float32Array];
  });
  const probsOf = (i: number) => probabilities.subarray(i * classes, (i + 1) * classes);
  const wanted: number[][] = Array.from({ length: count }, (_, i) =>
    options.classes === undefined ? ranked(probsOf(i)).slice(0, top) : Array.from(options.classes),
  );
  // One backward pass per rank: the k-th class asked for of every image at once.
  const ranks = wanted.length ? wanted[0].length : 0;
  const gradients = Array.from({ length: ranks }, (_, k) => logitGradients(model, pixels, wanted.map((w) => w[k])));
  return wanted.map((labels, i): Saliency => {
    const probs = probsOf(i).slice();
    return {
      pixels: pixels.slice(i * size, (i + 1) * size),
      rows,
      cols,
      probabilities: probs,
      predicted: ranked(probs)[0],
      maps: labels.map((label, k) => ({
        label,
        probability: probs[label],
        logit: logits[i * classes + label],
        gradient: gradients[k].slice(i * size, (i + 1) * size),
      })),
    };
  });
}
