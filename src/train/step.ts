/**
 * One optimization step on one batch, behind a single function type so a faster
 * implementation (fused kernels, a different backend) can be swapped in without touching
 * the loop. A step returns tensors and never reads them back: the loop sums them on the
 * device and reads the sums once per epoch.
 */
import { tf } from "../backend";
import { softmaxLogits } from "../models/logits";
import { countCorrect, regularizationLoss, sparseCategoricalCrossentropy, sparseCategoricalCrossentropyFromLogits } from "./loss";

export interface StepResult {
  /** Mean loss over the batch (regularization included), a scalar the caller disposes. */
  loss: tf.Scalar;
  /** Number of correctly classified examples in the batch, a scalar the caller disposes. */
  correct: tf.Scalar;
}

/** xs: [b, …inputShape] float32 in [0, 1]; ys: [b] int32 labels. Must not dispose its inputs. */
export type TrainStep = (model: tf.LayersModel, optimizer: tf.Optimizer, xs: tf.Tensor, ys: tf.Tensor1D) => StepResult;

/**
 * The reference step: forward in training mode, cross-entropy (+ L2), gradients, Adam update.
 * The cross-entropy is taken from the logits under the softmax, as Keras does.
 */
export const trainStep: TrainStep = (model, optimizer, xs, ys) => {
  let correct: tf.Scalar | undefined;
  let loss: tf.Scalar;
  try {
    loss = optimizer.minimize(
      () => {
        const logits = softmaxLogits(model, xs, true);
        const scores = logits ?? (model.apply(xs, { training: true }) as tf.Tensor2D);
        correct = tf.keep(countCorrect(ys, scores));
        const data = logits ? sparseCategoricalCrossentropyFromLogits(ys, logits) : sparseCategoricalCrossentropy(ys, scores);
        const penalty = regularizationLoss(model);
        return penalty ? tf.add(data, penalty) : data;
      },
      true,
    ) as tf.Scalar;
  } catch (err) {
    // Kept out of minimize's scope, so freed here when the loss or the backward pass throws.
    correct?.dispose();
    releaseFailedTape();
    throw err;
  }
  return { loss, correct: correct as tf.Scalar };
};

/**
 * After a gradient computation threw, tfjs keeps the tape it recorded: the tensors saved for the
 * backward pass (kept out of every scope) and the forward outputs, the loss among them. A
 * successful one frees them itself; here they would stay in memory for the rest of the session.
 */
function releaseFailedTape(): void {
  const state = tf.engine().state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) tf.dispose([...(node.saved ?? []), ...node.outputs]);
  state.activeTape = null as unknown as typeof state.activeTape;
}
