/**
 * Convolutions split between threads (src/backend/wasm-kernels/conv-threads.ts) must give the
 * same bits as one thread: the forward pass and the input gradient split the batch by images,
 * the filter gradient sums the batch's two halves separately whatever the thread count.
 * Each case runs through tfjs (our registered kernels) with 1, 2 and 3 threads, and checks
 * that the workers really computed parts.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { tf, initBackend } from "../../src/backend";
import { simdKernelsFor } from "../../src/backend/wasm-kernels/simd";
import { configureConvThreads, convThreadStats, startConvThreads, stopConvThreads } from "../../src/backend/wasm-kernels/conv-threads";
import { createRng } from "../../src/util/random";
import { head, loadMnist } from "../../src/data";
import { REAL_DATA_DIR } from "../helpers/paths";

interface ConvCase {
  x: [number, number, number, number];
  f: [number, number, number, number];
  strides: number;
  pad: "valid" | "same";
}

const CASES: ConvCase[] = [
  { x: [16, 12, 12, 16], f: [3, 3, 16, 32], strides: 1, pad: "valid" },
  // an odd batch: unequal halves and parts
  { x: [7, 20, 20, 16], f: [3, 3, 16, 24], strides: 1, pad: "same" },
  { x: [9, 29, 29, 16], f: [3, 3, 16, 32], strides: 2, pad: "same" },
  // one input channel (the first layer): only the filter gradient is ours
  { x: [32, 28, 28, 1], f: [3, 3, 1, 32], strides: 1, pad: "valid" },
];

function random(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng() * 2 - 1;
  return tf.tensor(values, shape);
}

/** y, dx and dw of sum(conv(x, f)·r) as raw bytes. */
async function convAndGradients(c: ConvCase): Promise<Buffer[]> {
  const outs = tf.tidy(() => {
    const x = random(c.x, 1) as tf.Tensor4D;
    const f = random(c.f, 2) as tf.Tensor4D;
    const y = tf.conv2d(x, f, c.strides, c.pad);
    const r = random(y.shape, 3);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.strides, c.pad).mul(r).sum())([x, f]);
    return [y, dx, df];
  });
  const bytes = await Promise.all(outs.map(async (t) => Buffer.from(((await t.data()) as Float32Array).buffer)));
  tf.dispose(outs);
  return bytes;
}

const MODES = [
  { winograd: "on", fma: "on" }, { winograd: "off", fma: "on" }, { winograd: "on", fma: "off" }, { winograd: "off", fma: "off" },
];
for (const { winograd, fma } of MODES) test(`convolutions and their gradients give the same bits on 1, 2 and 3 threads (Winograd ${winograd}, fused multiply-add ${fma})`, async (t) => {
  await initBackend({ backend: "wasm", log: null });
  process.env.DIGIT_LAB_WINOGRAD = winograd;
  process.env.DIGIT_LAB_FMA = fma;
  t.after(() => {
    delete process.env.DIGIT_LAB_WINOGRAD;
    delete process.env.DIGIT_LAB_FMA;
    configureConvThreads({});
  });
  configureConvThreads({ threads: 1 });
  const expected = await Promise.all(CASES.map(convAndGradients));
  for (const threads of [2, 3]) {
    configureConvThreads({ threads });
    assert.equal(await startConvThreads(), threads, `${threads} threads did not start`);
    for (const [i, c] of CASES.entries()) {
      const before = convThreadStats().workerParts;
      const actual = await convAndGradients(c);
      ["y", "dx", "dw"].forEach((name, k) =>
        assert.ok(actual[k].equals(expected[i][k]), `${name} of x=${c.x} f=${c.f} s=${c.strides} ${c.pad} differs on ${threads} threads`),
      );
      // Forward, input and filter gradient each hand parts to workers (the first layer: the filter gradient only).
      const minimum = c.x[3] >= 8 ? 3 : 1;
      assert.ok(convThreadStats().workerParts - before >= minimum, `workers computed ${convThreadStats().workerParts - before} parts of x=${c.x}`);
    }
  }
});

test("a batch too big for the workers' memory goes through in rounds, with the same bits", async (t) => {
  await initBackend({ backend: "wasm", log: null });
  t.after(() => configureConvThreads({}));
  const c = CASES[0];
  configureConvThreads({ threads: 1 });
  const expected = await convAndGradients(c);
  // Room for the Winograd filter (16 positions), the worker's scratch and two images' input and
  // output: each round splits 4 images between the threads, so 16 take 4 rounds. The filter
  // gradient's half batch does not fit: it runs on the main thread.
  const perImage = 12 * 12 * 16 + 10 * 10 * 32;
  const scratch = simdKernelsFor(tf.backend() as Parameters<typeof simdKernelsFor>[0])!.winograd_scratch(16, 32);
  configureConvThreads({ threads: 2, stagingFloats: 16 * 16 * 32 + scratch + 2 * perImage });
  assert.equal(await startConvThreads(), 2);
  const actual = await convAndGradients(c);
  ["y", "dx", "dw"].forEach((name, k) => assert.ok(actual[k].equals(expected[k]), `${name} differs when split into rounds`));
  const parts = convThreadStats().workerParts;
  // 4 rounds for each of the two forward passes (tf.grads runs its own) and for the input
  // gradient (its images' dy and dx take as much room as x and y).
  assert.equal(parts, 12, `workers computed ${parts} parts`);
});

test("training a CNN reports the convolution threads and the same history on 1 and 2 threads", async (t) => {
  await initBackend({ backend: "wasm", log: null });
  t.after(() => configureConvThreads({}));
  const { buildModel } = await import("../../src/models");
  const { train } = await import("../../src/train");
  const data = head((await loadMnist({ dataDir: REAL_DATA_DIR, download: false })).train, 320);
  const runs: { result: Awaited<ReturnType<typeof train>>; weights: Buffer[] }[] = [];
  for (const threads of [1, 2]) {
    configureConvThreads({ threads });
    const model = buildModel("cnn", { seed: 3 });
    const result = await train(model, data, { epochs: 1, batchSize: 64, seed: 3 }, { verbose: 0 });
    runs.push({ result, weights: await Promise.all(model.getWeights().map(async (w) => Buffer.from(((await w.data()) as Float32Array).buffer))) });
    model.dispose();
  }
  assert.equal(runs[0].result.threads, 1);
  assert.equal(runs[1].result.threads, 2);
  assert.deepEqual(runs[1].result.history.map((h) => [h.loss, h.valLoss]), runs[0].result.history.map((h) => [h.loss, h.valLoss]));
  runs[0].weights.forEach((w, i) => assert.ok(w.equals(runs[1].weights[i]), `weight ${i} differs between 1 and 2 threads`));
  stopConvThreads();
});
