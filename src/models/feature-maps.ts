/**
 * Feature maps: what each convolution and pooling layer of a CNN outputs for an image, kept
 * as the 2-D grids they are (one height×width map per channel), so they can be drawn as
 * pictures. The flat rows come from `layerActivations`; this adds the spatial shape back.
 */
import { tf } from "../backend";
import { UsageError } from "../errors";
import type { ImageSet } from "../data";
import { isImageSet, isMnistData } from "../data/tensors";
import type { FeatureMaps } from "../types";
import { checkOptionNames, type OptionNames } from "../util/options";
import { layerActivations, layerNamed, passesThrough } from "./inspect";

export type { FeatureMaps };

export interface FeatureMapOptions {
  /** Which layers (by name, in this order); default every layer whose output is height×width×channels, except dropout. */
  layers?: readonly string[];
  /** Images per forward pass (default 1000). */
  batchSize?: number;
}

const FEATURE_MAP_OPTIONS: OptionNames<FeatureMapOptions> = { layers: true, batchSize: true };

/** [height, width, channels] of a layer whose output is a stack of 2-D maps, else undefined. */
function mapShapeOf(layer: tf.layers.Layer): [number, number, number] | undefined {
  const shape = layer.outputShape;
  if (!Array.isArray(shape) || Array.isArray(shape[0]) || shape.length !== 4) return undefined;
  const [, h, w, c] = shape as (number | null)[];
  return h && w && c ? [h, w, c] : undefined;
}

/** Names of the layers that output feature maps (convolutions and poolings; dropout skipped), in model order. */
export function featureMapLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => !passesThrough(l.getClassName()) && mapShapeOf(l) !== undefined).map((l) => l.name);
}

/**
 * The feature maps of every convolution and pooling layer (or of `options.layers`) for each
 * image of `set`, computed in inference mode. `set` is an ImageSet such as
 * `subset(mnist.test, [0, 1])`: a few images are enough, each layer costs a forward pass.
 */
export function featureMaps(model: tf.LayersModel, set: ImageSet, options: FeatureMapOptions = {}): FeatureMaps[] {
  if (!isImageSet(set)) {
    throw new UsageError(`featureMaps needs an ImageSet such as subset(mnist.test, [0, 1])${isMnistData(set) ? ", not the whole dataset" : ""}`);
  }
  checkOptionNames(options, FEATURE_MAP_OPTIONS, "featureMaps options");
  if (set.count === 0) throw new UsageError("featureMaps needs at least one image: the set is empty");
  const names = options.layers ? Array.from(options.layers) : featureMapLayers(model);
  if (names.length === 0) {
    throw new UsageError(`model "${model.name}" has no layer with feature maps (no Conv2D or pooling layer): its layers are ${model.layers.map((l) => l.name).join(", ")}`);
  }
  return names.map((name) => {
    const layer = layerNamed(model, name);
    const shape = mapShapeOf(layer);
    if (!shape) {
      throw new UsageError(
        `layer "${name}" (${layer.getClassName()}) outputs ${JSON.stringify(layer.outputShape)}, not feature maps (height × width × channels); ` +
          `the layers with feature maps are ${featureMapLayers(model).join(", ") || "none"}`,
      );
    }
    const [height, width, channels] = shape;
    const flat = layerActivations(model, set, { layer: name, batchSize: options.batchSize });
    return { layer: flat.layer, className: flat.className, count: flat.count, height, width, channels, values: flat.values };
  });
}

/** The height×width map (row-major) of one channel of one image. */
export function featureMap(maps: FeatureMaps, image: number, channel: number): Float32Array {
  const { count, height, width, channels, values } = maps;
  if (!(Number.isInteger(image) && image >= 0 && image < count)) {
    throw new UsageError(`image ${image} is not one of the ${count} images of the ${maps.layer} feature maps (0–${count - 1})`);
  }
  if (!(Number.isInteger(channel) && channel >= 0 && channel < channels)) {
    throw new UsageError(`channel ${channel} is not one of the ${channels} channels of ${maps.layer} (0–${channels - 1})`);
  }
  const out = new Float32Array(height * width);
  const base = image * height * width * channels;
  for (let p = 0; p < height * width; p++) out[p] = values[base + p * channels + channel];
  return out;
}
