/** evaluate / evaluateDetailed on real MNIST test images, and what they refuse instead of scoring 0%. */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend, tf } from "../../src/backend";
import { head, loadMnist, type ImageSet, type MnistData } from "../../src/data";
import { evaluate, evaluateDetailed } from "../../src/eval";
import { buildModel } from "../../src/models";
import { REAL_DATA_DIR } from "../helpers/paths";

let mnist: MnistData;
let model: tf.LayersModel;
before(async () => {
  await initBackend({ log: null });
  mnist = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
  model = buildModel("dense-128", { seed: 1 });
});

test("an untrained model on 200 real test images: 200 counted, about chance, the two agree", async () => {
  const set = head(mnist.test, 200);
  const quick = await evaluate(model, set);
  const detailed = await evaluateDetailed(model, set);
  assert.equal(quick.count, 200);
  assert.ok(quick.accuracy < 0.5 && quick.loss > 1, JSON.stringify(quick));
  assert.equal(detailed.accuracy, quick.accuracy);
  assert.equal(detailed.predicted.length, 200);
});

test("an empty set, the whole dataset or anything that is not an ImageSet is refused, not scored 0%", async () => {
  const tensors = tf.memory().numTensors;
  for (const [fn, name] of [[evaluate, "evaluate"], [evaluateDetailed, "evaluateDetailed"]] as const) {
    await assert.rejects(fn(model, head(mnist.test, 0)), { name: "RangeError", message: `${name} needs at least one example; the set is empty` });
    await assert.rejects(fn(model, mnist as unknown as ImageSet), { name: "UsageError", message: `${name} needs an ImageSet such as mnist.test, not the whole dataset` });
    for (const bad of [undefined, mnist.test.images, { count: 3 }]) {
      await assert.rejects(fn(model, bad as unknown as ImageSet), { name: "UsageError", message: `${name} needs an ImageSet such as mnist.test` });
    }
  }
  assert.equal(tf.memory().numTensors, tensors);
});

test("evaluation lets the event loop turn between batches, so a Ctrl-C is heard during a long test pass", async () => {
  const set = head(mnist.test, 1000);
  for (const run of [() => evaluate(model, set, { batchSize: 100 }), () => evaluateDetailed(model, set, { batchSize: 100 })]) {
    let turns = 0;
    let done = false;
    const tick = () => {
      turns++;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    const result = await run();
    done = true;
    assert.equal(result.count, 1000);
    assert.ok(turns >= 9, `the event loop turned ${turns} times during 10 batches`);
  }
  // The same numbers whatever the batch size: yielding changes nothing computed.
  const [whole, batched] = [await evaluate(model, set, { batchSize: 1000 }), await evaluate(model, set, { batchSize: 100 })];
  assert.equal(batched.accuracy, whole.accuracy);
  assert.ok(Math.abs(batched.loss - whole.loss) < 1e-9);
});
