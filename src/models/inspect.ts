/**
 * Reading a trained model's parameters out as plain data, for figures (see
 * `weightImages` in src/plots) and for anyone who wants to look inside, and what its hidden
 * layers compute for a set of images (for maps of how the network sees them, see `pca`).
 */
import { tf } from "../backend";
import { UsageError } from "../errors";
import type { ImageSet } from "../data";
import { isImageSet, isMnistData } from "../data/tensors";
import { batchTensors, prepareSet } from "../train/batches";
import type { LayerKernel } from "../types";
import { checkOptionNames, type OptionNames } from "../util/options";
import { inputShapeOf } from "./variants";

/** The kernel (not the bias) of the model's first layer that has weights: a Dense or a Conv2D layer. */
export function firstLayerKernel(model: tf.LayersModel): LayerKernel {
  for (const layer of model.layers) {
    const kernel = layer.weights.find((w) => /kernel/.test(w.originalName));
    if (!kernel) continue;
    return {
      layer: layer.name,
      className: layer.getClassName(),
      shape: kernel.shape.map((d) => d as number),
      values: kernel.read().dataSync() as Float32Array,
    };
  }
  throw new UsageError(`model "${model.name}" has no layer with a kernel (no Dense or Conv2D layer)`);
}

/** What a layer outputs for a set of images, one flat row per image. */
export interface LayerActivations {
  /** The layer's name in the model (e.g. "dense_2"). */
  layer: string;
  /** Its class: "Dense", "Conv2D", … */
  className: string;
  /** Images (rows) and values per image (a conv layer's h·w·channels, flattened). */
  count: number;
  width: number;
  /** Row-major [count, width]. */
  values: Float32Array;
}

export interface ActivationOptions {
  /** Which layer (by name); default the last hidden layer, the one feeding the output layer. */
  layer?: string;
  /** Images per forward pass (default 1000). */
  batchSize?: number;
}

/** Layers that pass values through unchanged at inference, so they never count as "the last hidden layer". */
const PASS_THROUGH = new Set(["Dropout", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization"]);

/** Whether a layer of this class passes its input on unchanged at inference (dropout and the like). */
export function passesThrough(className: string): boolean {
  return PASS_THROUGH.has(className);
}

/**
 * The last hidden layer: the last layer before the output layer that computes something
 * (dropout is skipped: at inference it passes its input on unchanged). For dense-128-64 it is
 * the 64-unit dense layer, for the cnn the 128-unit dense layer after the convolutions.
 */
export function lastHiddenLayer(model: tf.LayersModel): string {
  for (let i = model.layers.length - 2; i >= 0; i--) {
    const layer = model.layers[i];
    if (layer.getClassName() === "InputLayer") break;
    if (!PASS_THROUGH.has(layer.getClassName())) return layer.name;
  }
  throw new UsageError(`model "${model.name}" has no hidden layer: its inputs go straight to the output layer`);
}

/** The layer of `model` called `name`; a UsageError that lists the model's layers if there is none. */
export function layerNamed(model: tf.LayersModel, name: string): tf.layers.Layer {
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) {
    throw new UsageError(`model "${model.name}" has no layer "${name}"; its layers are ${model.layers.map((l) => l.name).join(", ")}`);
  }
  return layer;
}

/**
 * The activations of one layer (default: the last hidden layer) for every image of `set`,
 * computed in inference mode (dropout off) in batches, with every tensor freed. Images are
 * fed as the model expects them, flat [n, 784] or [n, 28, 28, 1]; multi-dimensional outputs
 * (a convolution's feature maps) are flattened per image.
 */
export function layerActivations(model: tf.LayersModel, set: ImageSet, options: ActivationOptions = {}): LayerActivations {
  if (!isImageSet(set)) {
    throw new UsageError(`layerActivations needs an ImageSet such as mnist.test${isMnistData(set) ? ", not the whole dataset" : ""}`);
  }
  checkOptionNames(options, ACTIVATION_OPTIONS, "layerActivations options");
  const layer = layerNamed(model, options.layer ?? lastHiddenLayer(model));
  const batchSize = options.batchSize ?? 1000;
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new UsageError(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  // A model sharing the layers (and so the weights) up to `layer`: never dispose it, that would free them.
  const upTo = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
  const width = (upTo.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const prepared = prepareSet(set);
  const inputShape = inputShapeOf(model);
  const values = new Float32Array(prepared.count * width);
  for (let start = 0; start < prepared.count; start += batchSize) {
    const end = Math.min(prepared.count, start + batchSize);
    const { xs, ys } = batchTensors(prepared, start, end, inputShape);
    let out: tf.Tensor | undefined;
    // Freed also when the forward pass throws (a custom layer, a backend error): the session goes on.
    try {
      out = tf.tidy(() => (upTo.apply(xs, { training: false }) as tf.Tensor).reshape([end - start, width]));
      values.set(out.dataSync() as Float32Array, start * width);
    } finally {
      tf.dispose([xs, ys, out as tf.Tensor]);
    }
  }
  return { layer: layer.name, className: layer.getClassName(), count: prepared.count, width, values };
}

const ACTIVATION_OPTIONS: OptionNames<ActivationOptions> = { layer: true, batchSize: true };
