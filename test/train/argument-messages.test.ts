/**
 * The wrong thing passed to `train` is named in a few words: a tensor by its shape and dtype (not
 * its contents), an object by its keys (not "[object Object]"), a Promise as a missing await.
 * Real MNIST images.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { head, loadMnist, toTensors, type ImageSet } from "../../src/data";
import { UsageError } from "../../src/errors";
import { buildModel } from "../../src/models";
import { train } from "../../src/train";
import { describeValue } from "../../src/util/options";
import { REAL_DATA_DIR } from "../helpers/paths";

let small: ImageSet;
before(async () => {
  await initBackend({ log: null });
  small = head((await loadMnist({ dataDir: REAL_DATA_DIR, download: false })).train, 300);
});

const TRAIN_NEEDS = "train needs an image set such as mnist.train (or the data from loadMnist()), got ";

async function trainMessage(data: unknown): Promise<string> {
  const model = buildModel("dense:16", { seed: 1 });
  try {
    await train(model, data as ImageSet, { epochs: 1 }, { verbose: 0 });
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  } finally {
    model.dispose();
  }
  assert.fail("train accepted it");
}

test("describeValue: tensors by shape and dtype, objects by their keys, never their contents", () => {
  const { xs, ys } = toTensors(small);
  try {
    assert.equal(describeValue(xs), "a tf.Tensor of shape [300,784] (float32): digit-lab takes the ImageSet itself (images and labels) and makes the tensors");
    assert.equal(describeValue(ys), "a tf.Tensor of shape [300] (int32): digit-lab takes the ImageSet itself (images and labels) and makes the tensors");
    const other = tf.zeros([3, 5]);
    assert.equal(describeValue(other), "a tf.Tensor of shape [3,5] (float32)");
    other.dispose();
  } finally {
    tf.dispose([xs, ys]);
  }
  assert.equal(describeValue({ images: small.images, labels: small.labels }), "an object with images, labels — an ImageSet also needs count, rows, cols");
  assert.equal(describeValue({ epochs: 5, batchSize: 64 }), "an object with epochs, batchSize");
  assert.equal(describeValue({}), "an empty object");
  assert.equal(describeValue(new Float32Array(784)), "a Float32Array of 784 values");
  assert.equal(describeValue(Promise.resolve(small)), "a Promise (is an `await` missing?)");
  assert.equal(describeValue(new Map()), "a Map");
  // Unchanged: strings quoted, arrays, plain values.
  assert.equal(describeValue("0.2"), '"0.2"');
  assert.equal(describeValue([1, 2]), "an array");
  assert.equal(describeValue(undefined), "undefined");
  assert.equal(describeValue(0.2), "0.2");
});

test("train given the tensors from toTensors: the message names the tensor's shape, not its 235,200 values", async () => {
  const { xs, ys } = toTensors(small);
  try {
    const message = await trainMessage(xs);
    assert.equal(message, `${TRAIN_NEEDS}a tf.Tensor of shape [300,784] (float32): digit-lab takes the ImageSet itself (images and labels) and makes the tensors`);
    assert.equal(await trainMessage({ xs, ys }), `${TRAIN_NEEDS}an object with xs, ys`);
  } finally {
    tf.dispose([xs, ys]);
  }
});

test("train given images and labels without count, rows, cols: the message says what an ImageSet also needs", async () => {
  assert.equal(
    await trainMessage({ images: small.images, labels: small.labels }),
    `${TRAIN_NEEDS}an object with images, labels — an ImageSet also needs count, rows, cols`,
  );
  assert.equal(await trainMessage(loadMnist({ dataDir: REAL_DATA_DIR, download: false })), `${TRAIN_NEEDS}a Promise (is an \`await\` missing?)`);
});
