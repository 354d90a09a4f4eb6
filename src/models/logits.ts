/**
 * The logits under a model's softmax output layer.
 *
 * Every model here ends in `Dense(10, softmax)`, so saved models predict probabilities. For
 * the loss, Keras does not use those probabilities: when a model's output comes from a
 * softmax it takes the logits beneath it and computes the cross-entropy from them, never
 * clipping (clipping at 1e-7 would stop every confidently wrong example from learning).
 * Training, validation and evaluation use `softmaxLogits` to do the same.
 */
import { tf } from "../backend";

/** The part of tfjs' Dense layer that the logits need. */
interface DenseInternals {
  kernel?: { read(): tf.Tensor };
  bias?: { read(): tf.Tensor } | null;
}

interface SoftmaxHead {
  /** The model up to the output layer's input; undefined when that input is the model's own. */
  body?: tf.LayersModel;
  head: LayersModelLayer & DenseInternals;
}

type LayersModelLayer = tf.LayersModel["layers"][number];

const heads = new WeakMap<tf.LayersModel, SoftmaxHead | null>();

/** The model's last layer if it is a Dense softmax with a single input, split from the rest. */
function softmaxHead(model: tf.LayersModel): SoftmaxHead | undefined {
  let found = heads.get(model);
  if (found === undefined) {
    found = null;
    const head = model.layers[model.layers.length - 1] as (LayersModelLayer & DenseInternals) | undefined;
    const isDenseSoftmax = head?.getClassName() === "Dense" && head.getConfig().activation === "softmax" && !!head.kernel;
    if (head && isDenseSoftmax && model.inputs.length === 1 && model.outputs.length === 1 && head.inboundNodes.length === 1) {
      const input = head.input as tf.SymbolicTensor;
      found = { head, body: input === model.inputs[0] ? undefined : tf.model({ inputs: model.inputs, outputs: input }) };
    }
    heads.set(model, found);
  }
  return found ?? undefined;
}

/**
 * The logits [n, classes] that the model's softmax output layer would turn into
 * probabilities, computed with the same operations as the layer (so softmax(logits) equals
 * the model's output bit for bit). Undefined for a model that does not end in a Dense
 * softmax layer. Inside a gradient tape, gradients flow to every weight as usual.
 */
export function softmaxLogits(model: tf.LayersModel, xs: tf.Tensor, training: boolean): tf.Tensor2D | undefined {
  const split = softmaxHead(model);
  if (!split) return undefined;
  const { body, head } = split;
  return tf.tidy(() => {
    const hidden = body ? (body.apply(xs, { training }) as tf.Tensor2D) : (xs as tf.Tensor2D);
    // As tfjs' Dense.call does for an activation it cannot fuse: fused matMul, then add the bias.
    const z = tf.fused.matMul({ a: hidden, b: head.kernel!.read() as tf.Tensor2D });
    return (head.bias ? tf.add(z, head.bias.read()) : z) as tf.Tensor2D;
  });
}
