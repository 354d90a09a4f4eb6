/**
 * predictProbabilities / predictClasses given the wrong kind of pixels say so, instead of
 * returning no rows (a tensor) or a certain answer for every image (bytes copied into floats).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend";
import { head, loadMnist, normalizePixels, toTensors, type ImageSet } from "../../src/data";
import { predictClasses, predictProbabilities } from "../../src/eval";
import { buildModel } from "../../src/models";
import { UsageError } from "../../src/errors";

let four: ImageSet;

before(async () => {
  await initBackend({ log: null });
  four = head((await loadMnist()).test, 4);
});

test("a tensor is refused, named by its shape, rather than giving an empty result", async () => {
  const model = buildModel("dense:32", { seed: 1 });
  const { xs, ys } = toTensors(four);
  try {
    await assert.rejects(predictClasses(model, xs as never), (err: Error) => {
      assert.ok(err instanceof UsageError, String(err));
      assert.match(err.message, /takes an ImageSet .* got a tf\.Tensor of shape \[4,784\]/);
      return true;
    });
    await assert.rejects(predictProbabilities(model, { images: four.images } as never), /got an object with images/);
  } finally {
    xs.dispose();
    ys.dispose();
  }
});

test("floats outside [0, 1] (bytes copied into a Float32Array, NaN) are refused, naming the image and pixel", async () => {
  const model = buildModel("dense:32", { seed: 1 });
  const copied = new Float32Array(four.images);
  await assert.rejects(predictProbabilities(model, copied), (err: Error) => {
    assert.ok(err instanceof UsageError, String(err));
    assert.match(err.message, /pixels given as floats must be in \[0, 1\]; image 0 has \d+ at pixel \d+ \(the largest value is 255\): pass bytes \(0\.\.255\) as a Uint8Array, or scale them with normalizePixels/);
    return true;
  });
  const withNaN = normalizePixels(four.images);
  withNaN[784 * 2 + 5] = NaN;
  await assert.rejects(predictProbabilities(model, withNaN), /image 2 has NaN at pixel 5:/);
});

test("the three accepted forms give the same probabilities", async () => {
  const model = buildModel("dense:32", { seed: 1 });
  const fromSet = await predictProbabilities(model, four);
  assert.equal(fromSet.length, 40);
  assert.deepEqual(await predictProbabilities(model, four.images), fromSet);
  assert.deepEqual(await predictProbabilities(model, normalizePixels(four.images)), fromSet);
});
