/**
 * Running a model over a whole set in large batches: probabilities, loss and accuracy.
 * Probabilities (and the logits beneath them) are read back once per batch (n×10 floats),
 * and loss/accuracy are then computed in plain JavaScript, so one pass gives everything.
 * The loss is Keras': cross-entropy from the logits when the model ends in a Dense softmax.
 */
import { repairTornEngine, tf } from "../backend";
import type { ImageSet } from "../data";
import { isImageSet, isMnistData } from "../data/tensors";
import { inputShapeOf } from "../models/variants";
import { DIVERGED_HINT, MNIST_CLASSES, modelFileOf, nonFiniteProblem } from "../models/persist";
import { Interrupted, ModelFileError, UsageError } from "../errors";
import { batchTensors, prepareSet, type PreparedSet } from "../train/batches";
import { softmaxLogits } from "../models/logits";
import { EPSILON, regularizationLoss } from "../train/loss";
import { softmaxCrossEntropyRow } from "../util/cross-entropy";
import type { ClassificationReport, ConfusionMatrix } from "../types";
import { checkOptionNames, describeValue, type OptionNames } from "../util/options";
import { argmaxRows, confusionMatrix, reportFromConfusion } from "./metrics";
import { nextTurn } from "../util/next-turn";
import { watchKernelInterrupt } from "../util/notebook";

export const DEFAULT_EVAL_BATCH_SIZE = 2000;

export interface EvalOptions {
  /** Examples per forward pass (default 2000). */
  batchSize?: number;
}

const EVAL_OPTIONS: OptionNames<EvalOptions> = { batchSize: true };

export interface Evaluation {
  /** Mean cross-entropy (plus the model's L2 penalty, as Keras reports it). */
  loss: number;
  accuracy: number;
  count: number;
}

export interface DetailedEvaluation extends Evaluation {
  /** Row-major [count, 10]. */
  probabilities: Float32Array;
  predicted: Int32Array;
  confusion: ConfusionMatrix;
  report: ClassificationReport;
}

/** Probabilities for prepared (normalized) examples: a row-major [count, classes] array. */
export function predictPrepared(model: tf.LayersModel, set: PreparedSet, batchSize = DEFAULT_EVAL_BATCH_SIZE): Float32Array {
  return finish(forwardBatches(model, set, batchSize, false)).probabilities;
}

interface Forward {
  probabilities: Float32Array;
  logits?: Float32Array;
}

/**
 * Probabilities and, if asked and the model ends in a Dense softmax, the logits beneath
 * them (softmax of those logits: the same numbers the model outputs), row-major [count, classes].
 * A generator that pauses after each batch: synchronous callers run it through (`finish`),
 * asynchronous ones let the event loop turn between batches (`finishYielding`).
 */
function* forwardBatches(model: tf.LayersModel, set: PreparedSet, batchSize: number, withLogits: boolean): Generator<number, Forward, void> {
  const inputShape = inputShapeOf(model);
  const classes = (model.outputs[0].shape[1] as number) ?? 10;
  const probabilitiesOut = new Float32Array(set.count * classes);
  let logitsOut: Float32Array | undefined;
  for (let start = 0; start < set.count; start += batchSize) {
    const end = Math.min(set.count, start + batchSize);
    const { xs, ys } = batchTensors(set, start, end, inputShape);
    let logits: tf.Tensor2D | undefined;
    let probabilities: tf.Tensor | undefined;
    // Freed also when the forward pass throws (a custom layer, a backend error): the session goes on.
    try {
      logits = withLogits ? softmaxLogits(model, xs, false) : undefined;
      probabilities = tf.tidy(() => (logits ? tf.softmax(logits) : (model.apply(xs, { training: false }) as tf.Tensor)));
      probabilitiesOut.set(probabilities.dataSync() as Float32Array, start * classes);
      if (logits) (logitsOut ??= new Float32Array(set.count * classes)).set(logits.dataSync() as Float32Array, start * classes);
    } finally {
      tf.dispose([xs, ys, probabilities as tf.Tensor, logits as tf.Tensor]);
    }
    if (end < set.count) yield end;
  }
  return { probabilities: probabilitiesOut, logits: logitsOut };
}

function finish<T>(steps: Generator<number, T, void>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * Runs `steps`, letting timers and signals in between them (a Ctrl-C during a long CNN test
 * pass). Kernel → Interrupt in a notebook ends it after the current batch with `Interrupted`,
 * so that neither the pass nor the rest of the cell runs on in the background.
 */
async function finishYielding<T>(steps: Generator<number, T, void>, count: number, what: string): Promise<T> {
  let step = steps.next();
  if (step.done) return step.value;
  // Watched from after the first batch, just before the first await: an interrupt during that
  // batch either terminates it (it ran in the cell's synchronous code; then no watch is left
  // behind) or is handled once it is done, by this watch.
  let done = step.value;
  const interrupt = watchKernelInterrupt(() => `${what} stopped after ${done.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} images`);
  try {
    for (;;) {
      await nextTurn();
      if (interrupt.aborted) {
        steps.return(undefined as T);
        throw new Interrupted(`${what} stopped after ${done.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} images`);
      }
      step = steps.next();
      if (step.done) return step.value;
      done = step.value;
    }
  } finally {
    interrupt.stop();
  }
}

/** Loss and accuracy of prepared examples (synchronous; used for validation inside training). */
export function evaluatePrepared(model: tf.LayersModel, set: PreparedSet, batchSize = DEFAULT_EVAL_BATCH_SIZE): Evaluation & { probabilities: Float32Array } {
  return scored(model, set, finish(forwardBatches(model, set, batchSize, true)));
}

/** `evaluatePrepared`, yielding to the event loop between batches. */
async function evaluatePreparedYielding(model: tf.LayersModel, set: PreparedSet, batchSize = DEFAULT_EVAL_BATCH_SIZE, what = "evaluate"): Promise<Evaluation & { probabilities: Float32Array }> {
  return scored(model, set, await finishYielding(forwardBatches(model, set, batchSize, true), set.count, what));
}

/** Loss (Keras': from the logits, plus the L2 penalty) and accuracy of a forward pass over `set`. */
function scored(model: tf.LayersModel, set: PreparedSet, { probabilities, logits }: Forward): Evaluation & { probabilities: Float32Array } {
  const classes = set.count ? probabilities.length / set.count : 10;
  let loss = 0;
  let right = 0;
  for (let i = 0; i < set.count; i++) {
    const row = i * classes;
    const label = set.y[i];
    loss += logits
      ? softmaxCrossEntropyRow(logits, row, classes, label)
      : -Math.log(Math.min(1, Math.max(EPSILON, probabilities[row + label])));
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[row + c] > probabilities[row + best]) best = c;
    if (best === label) right++;
  }
  const penalty = regularizationLoss(model);
  const extra = penalty ? penalty.dataSync()[0] : 0;
  penalty?.dispose();
  return {
    loss: set.count ? loss / set.count + extra : 0,
    accuracy: set.count ? right / set.count : 0,
    count: set.count,
    probabilities,
  };
}

/**
 * Throws unless `set` is an ImageSet with examples: an empty set would score a plausible-looking
 * 0%, and MnistData (which `train` accepts) has no count of its own.
 */
function checkEvalSet(set: unknown, fn: string): asserts set is ImageSet {
  if (!isImageSet(set)) {
    throw new UsageError(`${fn} needs an ImageSet such as mnist.test${isMnistData(set) ? ", not the whole dataset" : ""}`);
  }
  if (set.count === 0) throw new RangeError(`${fn} needs at least one example; the set is empty`);
}

/**
 * Test loss and accuracy of `model` on `set`. Kernel → Interrupt in a notebook ends it after the
 * current batch with `Interrupted` (as `evaluateDetailed` and `predictProbabilities`).
 */
export async function evaluate(model: tf.LayersModel, set: ImageSet, options: EvalOptions = {}): Promise<Evaluation> {
  checkEvalSet(set, "evaluate");
  checkOptionNames(options, EVAL_OPTIONS, "evaluate options");
  repairTornEngine("evaluate");
  const { loss, accuracy, count } = await evaluatePreparedYielding(model, prepareSet(set), options.batchSize);
  return { loss, accuracy, count };
}

/** Loss, accuracy, probabilities, predictions, confusion matrix and per-class report, in one pass. */
export async function evaluateDetailed(model: tf.LayersModel, set: ImageSet, options: EvalOptions = {}): Promise<DetailedEvaluation> {
  checkEvalSet(set, "evaluateDetailed");
  checkOptionNames(options, EVAL_OPTIONS, "evaluateDetailed options");
  repairTornEngine("evaluateDetailed");
  const prepared = prepareSet(set);
  const { loss, accuracy, count, probabilities } = await evaluatePreparedYielding(model, prepared, options.batchSize, "evaluateDetailed");
  const classes = count ? probabilities.length / count : 10;
  const predicted = argmaxRows(probabilities, classes);
  const confusion = confusionMatrix(prepared.y, predicted, classes);
  return { loss, accuracy, count, probabilities, predicted, confusion, report: reportFromConfusion(confusion) };
}

/**
 * What `predictProbabilities` takes, checked and ready: a tensor or a plain object would
 * otherwise give no rows and no error, and bytes copied into a Float32Array (0..255) would
 * give every image a probability of 1 for some class.
 */
function preparedPixels(images: unknown, fn: string): PreparedSet {
  if (images instanceof Float32Array || images instanceof Uint8Array) {
    const count = images.length / 784;
    if (!Number.isInteger(count)) throw new RangeError(`expected a multiple of 784 pixels, got ${images.length}`);
    if (images instanceof Uint8Array) return prepareSet({ images, labels: new Uint8Array(count), count, rows: 28, cols: 28 });
    const outside = images.findIndex((v) => !(v >= 0 && v <= 1 + 1e-6)); // NaN too
    if (outside >= 0) {
      const high = images.reduce((a, v) => (v > a ? v : a), -Infinity);
      throw new UsageError(
        `${fn}: pixels given as floats must be in [0, 1]; image ${Math.floor(outside / 784)} has ${images[outside]} at pixel ${outside % 784}`
        + (high > 1 ? ` (the largest value is ${high})` : "")
        + ": pass bytes (0..255) as a Uint8Array, or scale them with normalizePixels(bytes)",
      );
    }
    return { x: images, y: new Int32Array(count), count, size: 784 };
  }
  if (isImageSet(images)) return prepareSet(images);
  throw new UsageError(
    `${fn} takes an ImageSet (mnist.test, head(set, n)) or pixels as a Uint8Array (0..255) or Float32Array ([0, 1]) of n·784 values; got ${describeValue(images)}`,
  );
}

/**
 * Class probabilities for images: an ImageSet, or raw pixels (n·784 bytes 0..255, or floats
 * already in [0, 1]). Returns a row-major [n, 10] Float32Array.
 */
export async function predictProbabilities(
  model: tf.LayersModel,
  images: ImageSet | Uint8Array | Float32Array,
  options: EvalOptions = {},
): Promise<Float32Array> {
  repairTornEngine("predictProbabilities");
  const prepared = preparedPixels(images, "predictProbabilities");
  const probabilities = (await finishYielding(forwardBatches(model, prepared, options.batchSize ?? DEFAULT_EVAL_BATCH_SIZE, false), prepared.count, "predictProbabilities")).probabilities;
  assertNumericOutputs(model, probabilities, prepared.count);
  return probabilities;
}

/**
 * Throws ModelFileError (naming the model's model.json when it was loaded from one) when
 * some of `count` rows of outputs are not numbers: argmax would silently read them as 0.
 */
export function assertNumericOutputs(model: tf.LayersModel, probabilities: Float32Array, count: number): void {
  const problem = nonFiniteProblem(probabilities);
  if (!problem) return;
  const classes = count ? probabilities.length / count : MNIST_CLASSES;
  let bad = 0;
  for (let i = 0; i < count; i++) if (nonFiniteProblem(probabilities.subarray(i * classes, (i + 1) * classes))) bad++;
  throw new ModelFileError(
    `the model's outputs are ${problem} for ${bad} of ${count} images: ${DIVERGED_HINT}`,
    modelFileOf(model) ?? `model "${model.name}"`,
  );
}

/** The most likely class of each image. */
export async function predictClasses(model: tf.LayersModel, images: ImageSet | Uint8Array | Float32Array, options: EvalOptions = {}): Promise<Int32Array> {
  return argmaxRows(await predictProbabilities(model, images, options));
}
