/**
 * Where a model in memory came from: the spec `buildModel` built it from ("dense:128", not the
 * tfjs-safe layer-model name "dense_128") and its seed, or what `loadModel` read from its
 * metadata.json. `saveModel` records these when it is not told otherwise, so a model saved from
 * a notebook with no metadata still says what it is, and a loaded one keeps its dataset.
 */
import type { tf } from "../backend";

export interface ModelOrigin {
  /** The spec or variant name, as `buildModel` was given it (trimmed) or metadata.json records it. */
  spec: string;
  /** buildModel's seed. */
  seed?: number;
  /** The dataset a loaded model's metadata.json records. */
  dataset?: string;
}

// A WeakMap, not a property on the model: nothing to clean up, and tfjs' own objects stay as they are.
const origins = new WeakMap<tf.LayersModel, ModelOrigin>();

export function rememberOrigin(model: tf.LayersModel, origin: ModelOrigin): void {
  origins.set(model, origin);
}

export function originOf(model: tf.LayersModel): ModelOrigin | undefined {
  return origins.get(model);
}

/**
 * The spec a model was built from (`buildModel("dense:128")` → "dense:128") or the name its
 * metadata.json records (`loadModel`); undefined for a model made some other way.
 */
export function modelSpecOf(model: tf.LayersModel): string | undefined {
  return origins.get(model)?.spec;
}
