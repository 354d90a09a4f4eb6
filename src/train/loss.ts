/** The loss and metric the training loop and evaluation share. */
import { tf } from "../backend";

/** Keras' epsilon: without logits, probabilities are clipped to [EPSILON, 1] before the log. */
export const EPSILON = 1e-7;

/**
 * Sparse categorical cross-entropy from logits against int32 labels, averaged over the
 * batch: mean(−log softmax(z)[label]). This is the loss Keras computes for a model that
 * ends in a softmax (it takes the logits beneath it; see src/models/logits.ts).
 */
export function sparseCategoricalCrossentropyFromLogits(labels: tf.Tensor1D, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, logits.shape[1])), 1);
    return tf.neg(tf.mean(picked)) as tf.Scalar;
  });
}

/**
 * Sparse categorical cross-entropy of probabilities, for models whose output is not a
 * Dense softmax layer: mean(−log p[label]) with p clipped at EPSILON, as Keras does.
 */
export function sparseCategoricalCrossentropy(labels: tf.Tensor1D, probabilities: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const picked = tf.sum(tf.mul(probabilities, tf.oneHot(labels, probabilities.shape[1])), 1);
    return tf.neg(tf.mean(tf.log(tf.clipByValue(picked, EPSILON, 1)))) as tf.Scalar;
  });
}

/** How many rows' argmax (of probabilities or logits) equals the label (a float32 scalar, so it can be summed on-device). */
export function countCorrect(labels: tf.Tensor1D, scores: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(scores, 1), labels), "float32")) as tf.Scalar);
}

/**
 * Sum of the model's regularization penalties (L2 on kernels), or undefined when it has none.
 * Asks each layer: `model.calculateLosses()` returns nothing for Sequential models in tfjs 4.22.
 */
export function regularizationLoss(model: tf.LayersModel): tf.Scalar | undefined {
  if (!model.layers.some((layer) => layer.losses.length > 0)) return undefined;
  return tf.tidy(() => tf.addN(model.layers.flatMap((layer) => layer.calculateLosses())) as tf.Scalar);
}
