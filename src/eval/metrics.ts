/**
 * Classification metrics as pure functions: label arrays in, plain data out. No tensors,
 * so they are easy to test against hand-computed cases and to reuse in plots and tables.
 * Definitions follow scikit-learn (zero division → 0).
 */
import type { ClassMetrics, ClassificationReport, ConfusionMatrix, Misclassified } from "../types";

/** counts[true][predicted] over `numClasses` classes. Labels outside 0..numClasses-1 are an error. */
export function confusionMatrix(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses = 10): ConfusionMatrix {
  if (trueLabels.length !== predicted.length) {
    throw new RangeError(`confusionMatrix: ${trueLabels.length} true labels but ${predicted.length} predictions`);
  }
  const counts: number[][] = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    const t = trueLabels[i];
    const p = predicted[i];
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses && Number.isInteger(t) && Number.isInteger(p))) {
      throw new RangeError(`confusionMatrix: label out of range at ${i} (true ${t}, predicted ${p}, ${numClasses} classes)`);
    }
    counts[t][p]++;
  }
  return counts;
}

/** Fraction of predictions equal to the true label (0 for no examples). */
export function accuracy(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let right = 0;
  for (let i = 0; i < trueLabels.length; i++) if (trueLabels[i] === predicted[i]) right++;
  return trueLabels.length ? right / trueLabels.length : 0;
}

/** One off-diagonal cell of a confusion matrix: how often `trueLabel` was read as `predicted`. */
export interface Confusion {
  trueLabel: number;
  predicted: number;
  count: number;
}

/**
 * The mistakes a model makes most often: the largest off-diagonal cells, most frequent
 * first (ties by true label, then prediction), leaving out cells with no mistakes.
 */
export function topConfusions(cm: ConfusionMatrix, limit = 5): Confusion[] {
  const cells: Confusion[] = [];
  cm.forEach((row, trueLabel) => row.forEach((count, predicted) => {
    if (trueLabel !== predicted && count > 0) cells.push({ trueLabel, predicted, count });
  }));
  cells.sort((a, b) => b.count - a.count || a.trueLabel - b.trueLabel || a.predicted - b.predicted);
  return cells.slice(0, limit);
}

/** scikit-learn's classification_report from a confusion matrix. */
export function reportFromConfusion(cm: ConfusionMatrix): ClassificationReport {
  const k = cm.length;
  const divide = (a: number, b: number) => (b === 0 ? 0 : a / b);
  let total = 0;
  let correct = 0;
  // As scikit-learn: the macro average runs over the classes that occur among the labels or the
  // predictions; a class absent from both (a subset without 7s) would only drag it towards 0.
  const present: boolean[] = [];
  const classes = cm.map((row, c) => {
    const tp = row[c];
    const support = row.reduce((a, b) => a + b, 0);
    let predictedAs = 0;
    for (let t = 0; t < k; t++) predictedAs += cm[t][c];
    const precision = divide(tp, predictedAs);
    const recall = divide(tp, support);
    const f1 = divide(2 * precision * recall, precision + recall);
    total += support;
    correct += tp;
    present.push(support > 0 || predictedAs > 0);
    return { label: c, precision, recall, f1, support };
  });
  const average = (weight: (m: ClassMetrics, c: number) => number): ClassMetrics => {
    const wsum = classes.reduce((a, m, c) => a + weight(m, c), 0);
    const mean = (key: "precision" | "recall" | "f1") => divide(classes.reduce((a, m, c) => a + weight(m, c) * m[key], 0), wsum);
    return { precision: mean("precision"), recall: mean("recall"), f1: mean("f1"), support: total };
  };
  return {
    classes,
    accuracy: divide(correct, total),
    macro: average((_, c) => (present[c] ? 1 : 0)),
    weighted: average((m) => m.support),
  };
}

/** scikit-learn's classification_report: per-class precision/recall/F1/support, averages, accuracy. */
export function classificationReport(trueLabels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses = 10): ClassificationReport {
  return reportFromConfusion(confusionMatrix(trueLabels, predicted, numClasses));
}

/** Index of the largest value of each row of a row-major [n, numClasses] matrix. */
export function argmaxRows(probabilities: ArrayLike<number>, numClasses = 10): Int32Array {
  const n = Math.floor(probabilities.length / numClasses);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestValue = probabilities[i * numClasses];
    for (let c = 1; c < numClasses; c++) {
      const v = probabilities[i * numClasses + c];
      if (v > bestValue) {
        bestValue = v;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

export interface MisclassifiedOptions {
  numClasses?: number;
  /** Pixels of the evaluated images (n·784 bytes) to attach to each example, for galleries. */
  images?: Uint8Array;
  /** Pixels per image (default 784). */
  imageSize?: number;
  /** "confidence": most confident mistakes first (default); "index": in data order. */
  order?: "confidence" | "index";
  /** Keep at most this many. */
  limit?: number;
}

/** The examples the model got wrong, with its prediction and how sure it was. */
export function misclassified(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: MisclassifiedOptions = {},
): Misclassified[] {
  const k = options.numClasses ?? 10;
  const size = options.imageSize ?? 784;
  if (probabilities.length !== trueLabels.length * k) {
    throw new RangeError(`misclassified: ${trueLabels.length} labels need ${trueLabels.length * k} probabilities, got ${probabilities.length}`);
  }
  const predicted = argmaxRows(probabilities, k);
  const wrong: Misclassified[] = [];
  for (let i = 0; i < predicted.length; i++) {
    if (predicted[i] === trueLabels[i]) continue;
    const item: Misclassified = {
      index: i,
      trueLabel: trueLabels[i],
      predicted: predicted[i],
      confidence: probabilities[i * k + predicted[i]],
    };
    if (options.images) item.pixels = options.images.slice(i * size, (i + 1) * size);
    wrong.push(item);
  }
  if ((options.order ?? "confidence") === "confidence") wrong.sort((a, b) => b.confidence - a.confidence || a.index - b.index);
  return options.limit !== undefined ? wrong.slice(0, options.limit) : wrong;
}
