/**
 * Small saved models that load but do not fit MNIST (or whose files are damaged), for the
 * tests of the checks evaluate / predict / draw run when they load a model. Each is built
 * with tfjs layers through src/backend and written with the project's own saveModel.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend, tf } from "../../src/backend";
import { buildModel } from "../../src/models/variants";
import { WEIGHTS_FILE, saveModel } from "../../src/models/persist";

export type IncompatibleKind = "five-classes" | "hundred-inputs" | "nan-weights" | "short-weights";

/** A dense 784→10 model as Keras writes it: a Flatten over [28, 28] inputs. It fits MNIST. */
export async function saveKerasStyleModel(dir: string): Promise<string> {
  await initBackend({ log: null });
  const model = tf.sequential({
    name: "keras-style",
    layers: [tf.layers.flatten({ inputShape: [28, 28] }), tf.layers.dense({ units: 10, activation: "softmax" })],
  });
  await saveModel(model, dir, { model: "keras-style" });
  model.dispose();
  return dir;
}

/** Saves a model of the given kind to `dir` and returns `dir`. */
export async function saveIncompatibleModel(kind: IncompatibleKind, dir: string): Promise<string> {
  await initBackend({ log: null });
  let model: tf.LayersModel;
  if (kind === "five-classes") {
    model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [784], units: 16, activation: "relu" }), tf.layers.dense({ units: 5, activation: "softmax" })] });
  } else if (kind === "hundred-inputs") {
    model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [100], units: 10, activation: "softmax" })] });
  } else {
    model = buildModel("dense-128", { seed: 3 });
    if (kind === "nan-weights") {
      // What a diverged training leaves behind: every weight NaN.
      model.setWeights(model.getWeights().map((w) => tf.fill(w.shape, NaN)));
    }
  }
  await saveModel(model, dir, { model: kind });
  model.dispose();
  if (kind === "short-weights") fs.writeFileSync(path.join(dir, WEIGHTS_FILE), Buffer.alloc(1000));
  return dir;
}
