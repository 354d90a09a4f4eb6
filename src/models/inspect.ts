/**
 * Reading a trained model's parameters out as plain data, for figures (see
 * `weightImages` in src/plots) and for anyone who wants to look inside.
 */
import { tf } from "../backend";
import { UsageError } from "../errors";
import type { LayerKernel } from "../types";

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
