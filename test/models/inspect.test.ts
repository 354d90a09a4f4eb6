/** Reading a model's first-layer kernel out as plain data, checked on real training. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { buildModel, firstLayerKernel } from "../../src/models";
import { head, loadMnist, type MnistData } from "../../src/data";
import { getRecipe } from "../../src/recipes";
import { train } from "../../src/train";
import { UsageError } from "../../src/errors";
import { REAL_DATA_DIR } from "../helpers/paths";

let mnist: MnistData;
before(async () => {
  await initBackend({ log: null });
  mnist = await loadMnist({ dataDir: REAL_DATA_DIR });
});

test("firstLayerKernel returns the first Dense or Conv2D kernel (not its bias), with the layer's name and shape", () => {
  const dense = buildModel("dense-128-64", { seed: 3 });
  const k = firstLayerKernel(dense);
  assert.equal(k.layer, dense.layers[0].name);
  assert.equal(k.className, "Dense");
  assert.deepEqual(k.shape, [784, 128]);
  assert.deepEqual(Array.from(k.values), Array.from(dense.layers[0].getWeights()[0].dataSync()));
  dense.dispose();

  const cnn = buildModel("cnn", { seed: 3 });
  const c = firstLayerKernel(cnn);
  assert.equal(c.className, "Conv2D");
  assert.deepEqual(c.shape, [3, 3, 1, 32]);
  cnn.dispose();

  const bare = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28] })] });
  assert.throws(() => firstLayerKernel(bare), (e: unknown) => e instanceof UsageError && /has no layer with a kernel/.test(e.message));
  bare.dispose();
});

test("training moves the weights of inked pixels and leaves those of never-inked pixels at their initial values", async () => {
  const trainSet = head(mnist.train, 2000);
  // Pixels that no training image inks: their inputs are always 0, so their gradients are exactly 0.
  const inked = new Uint8Array(784);
  for (let i = 0; i < trainSet.count; i++) for (let p = 0; p < 784; p++) if (trainSet.images[i * 784 + p]) inked[p] = 1;
  const blank = inked.indexOf(0);
  const center = 14 * 28 + 14;
  assert.equal(blank, 0, "the top-left pixel is never inked");
  assert.equal(inked[center], 1);

  const model = buildModel("dense-128", { seed: 5 });
  const before = Float32Array.from(firstLayerKernel(model).values);
  await train(model, trainSet, { ...getRecipe("seed-000"), epochs: 1 }, { verbose: 0 });
  const after = firstLayerKernel(model).values;
  const row = (w: ArrayLike<number>, p: number) => Array.from({ length: 128 }, (_, u) => w[p * 128 + u]);
  assert.deepEqual(row(after, blank), row(before, blank), "a never-inked pixel's weights are untouched");
  const moved = row(after, center).filter((w, u) => w !== before[center * 128 + u]).length;
  assert.ok(moved > 100, `the centre pixel's weights moved (${moved} of 128)`);
  model.dispose();
});
