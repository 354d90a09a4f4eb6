/**
 * Plain-data shapes that cross module boundaries: training writes them, evaluation
 * computes them, plots and tables read them. No tensors here, so figure and table
 * builders stay pure and testable without TensorFlow.js.
 */

/** One epoch of training, as Keras' History records it (plus timing). */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  /** Wall time of the epoch, training and validation included. */
  seconds: number;
  learningRate?: number;
}

/** One labelled training run, e.g. for overlaying curves of several architectures. */
export interface RunHistory {
  name: string;
  history: EpochLog[];
  /** The epoch whose weights the model holds when early stopping put them back (else the last). */
  restoredEpoch?: number;
}

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  /** Number of true examples of the class. */
  support: number;
}

/** Like scikit-learn's classification_report. */
export interface ClassificationReport {
  /** Per class, indexed by label 0..9. */
  classes: (ClassMetrics & { label: number })[];
  accuracy: number;
  macro: ClassMetrics;
  weighted: ClassMetrics;
}

/** counts[trueLabel][predictedLabel]. */
export type ConfusionMatrix = number[][];

/** An example the model got wrong. */
export interface Misclassified {
  /** Index into the evaluated set. */
  index: number;
  trueLabel: number;
  predicted: number;
  /** Probability the model gave its prediction. */
  confidence: number;
  /** 28×28 pixels, 0..255, row-major (for galleries). */
  pixels?: Uint8Array;
}

/** One row of an architecture comparison. */
export interface ComparisonRow {
  model: string;
  params: number;
  secondsPerEpoch: number;
  bestEpoch: number;
  testAccuracy: number;
  testLoss?: number;
  /** Final training accuracy minus validation accuracy: a symptom of over-fitting. */
  trainValGap: number;
}

/** A layer's kernel as plain data: shape [...inputs, units], row-major, as TensorFlow.js stores it. */
/** One layer's feature maps for a set of images (`featureMaps` in src/models; drawn by `featureMapsFigure`). */
export interface FeatureMaps {
  /** The layer's name in the model (e.g. "conv2d_1"). */
  layer: string;
  /** Its class: "Conv2D", "MaxPooling2D", … */
  className: string;
  /** Images in `values`. */
  count: number;
  height: number;
  width: number;
  channels: number;
  /** Row-major [count, height, width, channels], channels last as tfjs computes them. */
  values: Float32Array;
}

export interface LayerKernel {
  /** The layer's name in the model (e.g. "dense_Dense1"). */
  layer: string;
  /** Its class: "Dense" or "Conv2D". */
  className: string;
  shape: readonly number[];
  values: ArrayLike<number>;
}
