/**
 * Softmax cross-entropy of one row of logits, in double precision, as Keras computes the
 * loss of a model that ends in a softmax: from the logits, log Σ exp(z − max) − (z_y − max),
 * never from clipped probabilities. A confidently wrong example therefore keeps its full
 * loss and its gradient p − onehot (with Keras' clip at 1e-7 it would get none).
 *
 * Pure arithmetic, shared by the fused training kernel and evaluation.
 */
export function softmaxCrossEntropyRow(
  logits: ArrayLike<number>,
  offset: number,
  classes: number,
  label: number,
  /** When given, receives the row's softmax probabilities (classes values). */
  probabilities?: Float64Array,
): number {
  let max = -Infinity;
  for (let j = 0; j < classes; j++) if (logits[offset + j] > max) max = logits[offset + j];
  let sum = 0;
  for (let j = 0; j < classes; j++) {
    const e = Math.exp(logits[offset + j] - max);
    if (probabilities) probabilities[j] = e;
    sum += e;
  }
  if (probabilities) for (let j = 0; j < classes; j++) probabilities[j] /= sum;
  return Math.log(sum) - (logits[offset + label] - max);
}
