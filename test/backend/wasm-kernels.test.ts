/**
 * The wasm kernels in src/backend/wasm-kernels must compute what the cpu backend
 * computes: matMul with every transpose combination, fused matMul, and the gradients
 * of a dense layer and of convolutions (which route through our Conv2DBackpropFilter /
 * Conv2DBackpropInput). Each case runs on cpu and on wasm from the same random inputs.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { tf, initBackend } from "../../src/backend";
import { FastAdam, isWasmKernelRegistered, registerWasmKernels } from "../../src/backend/wasm-kernels";
import { fmaModules } from "../../src/backend/wasm-kernels/webassembly";
import { createRng } from "../../src/util/random";
import { relativeError } from "../helpers/numeric";
import { withEnv } from "../helpers/env";

type Arrays = { shape: number[]; values: Float32Array }[];

const rng = createRng(7);
function randomArray(shape: number[]): { shape: number[]; values: Float32Array } {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = rng() * 2 - 1;
  return { shape, values };
}

/** Runs `f` on `backend` with tensors made from `inputs`; returns its outputs as arrays. */
async function runOn(backend: string, inputs: Arrays, f: (...xs: tf.Tensor[]) => tf.Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const outs = tf.tidy(() => f(...inputs.map((i) => tf.tensor(i.values, i.shape))));
  const arrays = await Promise.all(outs.map(async (o) => (await o.data()) as Float32Array));
  tf.dispose(outs);
  return arrays;
}


async function assertSameOnWasmAndCpu(label: string, inputs: Arrays, f: (...xs: tf.Tensor[]) => tf.Tensor[], tol = 1e-5) {
  const expected = await runOn("cpu", inputs, f);
  const actual = await runOn("wasm", inputs, f);
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = relativeError(actual[i], expected[i]);
    assert.ok(err < tol, `${label}: output ${i} differs from cpu by ${err.toExponential(2)} (relative)`);
  }
}

test("our kernels are registered on wasm, once", async () => {
  await initBackend({ backend: "wasm", log: null });
  for (const name of ["BatchMatMul", "_FusedMatMul", "Conv2D", "FusedConv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "MaxPoolGrad", "Sum", "Identity", "DigitLabAdamUpdate"]) {
    assert.ok(isWasmKernelRegistered(name), `${name} is not ours`);
  }
  assert.deepEqual(registerWasmKernels(), [], "a second registration changed something");
  assert.notEqual(tf.getKernel("BatchMatMul", "cpu")?.kernelFunc, tf.getKernel("BatchMatMul", "wasm")?.kernelFunc);
});

/** Runs `body` with the SIMD matMul kernels forced on or off (XNNPACK + explicit transposes). */
function withSimdGemm(mode: "on" | "off", body: () => Promise<void>) {
  return withEnv({ DIGIT_LAB_SIMD_GEMM: mode }, body);
}

for (const mode of ["on", "off"] as const) test(`matMul matches cpu for every transpose combination and edge shapes (SIMD kernels ${mode})`, () => withSimdGemm(mode, async () => {
  await initBackend({ backend: "wasm", log: null });
  const cases: [number[], number[]][] = [
    [[32, 784], [784, 128]], [[32, 128], [128, 64]], [[1, 1], [1, 1]], [[5, 1], [1, 7]],
    [[1, 9], [9, 1]], [[3, 17, 6], [3, 6, 11]], [[1, 4, 5], [2, 5, 3]], [[64, 10], [10, 64]],
    [[7, 13], [13, 9]], [[33, 130], [130, 17]], [[300, 20], [20, 12]], // every block remainder of the SIMD kernels
  ];
  for (const [aShape, bShape] of cases) {
    for (const ta of [false, true]) {
      for (const tb of [false, true]) {
        const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]];
        const inputs = [randomArray(ta ? swap(aShape) : aShape), randomArray(tb ? swap(bShape) : bShape)];
        await assertSameOnWasmAndCpu(`matMul ${aShape}·${bShape} tA=${ta} tB=${tb}`, inputs, (a, b) => [tf.matMul(a, b, ta, tb)]);
      }
    }
  }
}));

for (const mode of ["on", "off"] as const) test(`fused matMul with bias and relu matches cpu (SIMD kernels ${mode})`, () => withSimdGemm(mode, async () => {
  const [m, k, n] = [40, 16, 23];
  for (const [ta, tb] of [[false, false], [true, true], [false, true], [true, false]] as const) {
    const inputs = [randomArray(ta ? [k, m] : [m, k]), randomArray(tb ? [n, k] : [k, n]), randomArray([n])];
    await assertSameOnWasmAndCpu(`fused tA=${ta} tB=${tb}`, inputs, (a, b, bias) => [
      tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias, activation: "relu" }),
      tf.fused.matMul({ a, b, transposeA: ta, transposeB: tb, bias }),
    ]);
  }
}));

test("dense layer gradients (tf.grads) match cpu", async () => {
  await initBackend({ backend: "wasm", log: null });
  for (const [batch, inputs, units] of [[32, 784, 128], [1, 5, 3], [7, 64, 10]]) {
    const arrays = [randomArray([batch, inputs]), randomArray([inputs, units]), randomArray([units]), randomArray([batch, units])];
    await assertSameOnWasmAndCpu(`dense ${batch}x${inputs}->${units}`, arrays, (x, w, b, r) =>
      tf.grads((x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => tf.relu(tf.add(tf.matMul(x, w), b)).mul(r).sum())([x, w, b]),
    );
  }
});

/**
 * Our convolutions' ways: Winograd for 3×3 stride 1 (the default), direct only, either with the
 * plain build's separate multiply and add instead of fused multiply-adds, the stock kernels.
 */
const CONV_MODES: { name: string; env: Record<string, string> }[] = [
  { name: "Winograd and direct SIMD convolutions", env: {} },
  { name: "direct SIMD convolutions only", env: { DIGIT_LAB_WINOGRAD: "off" } },
  { name: "Winograd and direct SIMD convolutions, no fused multiply-add", env: { DIGIT_LAB_FMA: "off" } },
  { name: "direct SIMD convolutions only, no fused multiply-add", env: { DIGIT_LAB_WINOGRAD: "off", DIGIT_LAB_FMA: "off" } },
  { name: "stock convolutions", env: { DIGIT_LAB_SIMD_CONV: "off" } },
];

for (const mode of CONV_MODES) test(`conv2d forward, fused forward and gradients match cpu for strides and paddings (${mode.name})`, () => withEnv(mode.env, async () => {
  await initBackend({ backend: "wasm", log: null });
  const simdConv = mode.env.DIGIT_LAB_SIMD_CONV === "off" ? "off" : "on";
  const cases: { x: [number, number, number, number]; f: [number, number, number, number]; strides: number | [number, number]; pad: "valid" | "same" | number; stockForwardWrong?: boolean }[] = [
    { x: [4, 12, 12, 1], f: [3, 3, 1, 8], strides: 1, pad: "valid" }, // first layer of the cnn
    // few input channels (the forward pass stays on XNNPACK; the filter gradient is ours)
    { x: [3, 11, 10, 1], f: [3, 3, 1, 16], strides: 2, pad: "same" },
    { x: [2, 9, 8, 3], f: [5, 5, 3, 8], strides: [2, 1], pad: "same" },
    { x: [2, 7, 9, 2], f: [2, 4, 2, 24], strides: 1, pad: "valid" },
    { x: [3, 10, 10, 8], f: [3, 3, 8, 16], strides: 1, pad: "valid" },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 1, pad: "same" },
    { x: [2, 9, 9, 3], f: [3, 3, 3, 5], strides: 2, pad: "same" },
    { x: [2, 10, 11, 2], f: [3, 2, 2, 4], strides: 2, pad: "valid" }, // stride drops a trailing row
    { x: [2, 8, 7, 2], f: [5, 5, 2, 3], strides: [2, 3], pad: "same" },
    { x: [1, 6, 6, 4], f: [1, 1, 4, 6], strides: 1, pad: "valid" },
    { x: [2, 5, 5, 2], f: [5, 5, 2, 2], strides: 1, pad: "valid" }, // 1×1 output
    { x: [2, 7, 7, 5], f: [3, 3, 5, 11], strides: 1, pad: "same" }, // channel counts off the 4×8 blocks
    // ≥ 8 input channels: the direct SIMD convolutions take these
    { x: [3, 12, 12, 32], f: [3, 3, 32, 64], strides: 1, pad: "valid" }, // the cnn's third layer
    // Winograd (3×3, stride 1, channels in 8s): odd outputs leave half tiles; 16-tile blocks span images
    { x: [3, 9, 9, 8], f: [3, 3, 8, 16], strides: 1, pad: "valid" },
    { x: [2, 7, 8, 16], f: [3, 3, 16, 8], strides: 1, pad: "same" },
    { x: [2, 6, 5, 8], f: [3, 3, 8, 8], strides: 1, pad: 2 }, // the largest pad it takes: the input gradient's is 0
    { x: [2, 9, 9, 10], f: [3, 3, 10, 13], strides: 2, pad: "same" },
    { x: [2, 11, 10, 9], f: [5, 3, 9, 8], strides: [2, 1], pad: "valid" },
    // The stock wasm Conv2D gets this one wrong (XNNPACK's SAME padding when stride > filter):
    // its forward output is only checked against ours.
    { x: [1, 6, 7, 12], f: [2, 2, 12, 7], strides: 3, pad: "same", stockForwardWrong: true },
  ];
  for (const c of cases) {
    const y = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.strides, c.pad).shape as number[]);
    const arrays = [randomArray(c.x), randomArray(c.f), randomArray(y)];
    const bias = randomArray([c.f[3]]);
    const forward = simdConv === "on" || !c.stockForwardWrong;
    await assertSameOnWasmAndCpu(`conv x=${c.x} f=${c.f} s=${c.strides} ${c.pad}`, [...arrays, bias], (x, f, r, b) => [
      ...(forward ? [
        tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad),
        // outside a gradient this runs the FusedConv2D kernel (bias and ReLU in the same pass)
        tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: c.strides, pad: c.pad, bias: b, activation: "relu" }),
      ] : []),
      ...tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, c.strides, c.pad).mul(r).sum())([x, f]),
    ]);
  }
}));

test("3×3 stride-1 convolutions run by Winograd: other bits than the direct kernels, the same values", async () => {
  await initBackend({ backend: "wasm", log: null });
  const x = randomArray([4, 14, 14, 16]), f = randomArray([3, 3, 16, 24]), r = randomArray([4, 12, 12, 24]);
  const run = (env: Record<string, string>) => withEnv(env, () => runOn("wasm", [x, f, r], (x, f, r) => [
    tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "valid"),
    ...tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "valid").mul(r).sum())([x, f]),
  ]));
  const winograd = await run({});
  const direct = await run({ DIGIT_LAB_WINOGRAD: "off" });
  ["y", "dx", "dw"].forEach((name, i) => {
    // Winograd rounds differently (its transforms add before they multiply): if no bit differs, it did not run.
    assert.ok(!Buffer.from(winograd[i].buffer).equals(Buffer.from(direct[i].buffer)), `${name}: Winograd gave the direct kernel's bits`);
    assert.ok(relativeError(winograd[i], direct[i]) < 1e-5, `${name}: Winograd and direct differ by ${relativeError(winograd[i], direct[i])}`);
  });
});

test("convolutions use fused multiply-adds where relaxed SIMD runs: other bits than the plain build, the same values", async () => {
  // Node ≥ 22 runs relaxed SIMD by default and Node 20 behind a flag that fmaModules sets.
  if (Number(process.versions.node.split(".")[0]) >= 20) assert.ok(fmaModules(), "no fused multiply-add build on this Node");
  await initBackend({ backend: "wasm", log: null });
  const x = randomArray([4, 14, 14, 16]), f = randomArray([3, 3, 16, 24]), r = randomArray([4, 12, 12, 24]);
  for (const winograd of ["on", "off"]) {
    const run = (env: Record<string, string>) => withEnv({ DIGIT_LAB_WINOGRAD: winograd, ...env }, () => runOn("wasm", [x, f, r], (x, f, r) => [
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "valid"),
      ...tf.grads((x: tf.Tensor, f: tf.Tensor) => tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, "valid").mul(r).sum())([x, f]),
    ]));
    const fused = await run({});
    const plain = await run({ DIGIT_LAB_FMA: "off" });
    ["y", "dx", "dw"].forEach((name, i) => {
      // A fused multiply-add rounds once where multiply-then-add rounds twice: equal bits mean it did not run.
      assert.ok(!Buffer.from(fused[i].buffer).equals(Buffer.from(plain[i].buffer)), `${name} (Winograd ${winograd}): the fused build gave the plain build's bits`);
      assert.ok(relativeError(fused[i], plain[i]) < 1e-5, `${name} (Winograd ${winograd}): fused and plain differ by ${relativeError(fused[i], plain[i])}`);
    });
  }
});

test("max-pool gradients and bias-gradient sums match cpu", async () => {
  await initBackend({ backend: "wasm", log: null });
  const pools: { x: [number, number, number, number]; f: number; s: number; pad: "valid" | "same" }[] = [
    { x: [4, 24, 24, 32], f: 2, s: 2, pad: "valid" }, // the cnn's pooling
    { x: [2, 9, 9, 6], f: 3, s: 2, pad: "same" }, // overlapping windows, padding, channels off the 4-blocks
    { x: [1, 7, 5, 3], f: 2, s: 1, pad: "valid" },
  ];
  for (const p of pools) {
    const y = tf.tidy(() => tf.maxPool(tf.zeros(p.x) as tf.Tensor4D, p.f, p.s, p.pad).shape as number[]);
    await assertSameOnWasmAndCpu(`maxPool grad x=${p.x} f=${p.f} s=${p.s} ${p.pad}`, [randomArray(p.x), randomArray(y)], (x, r) => [
      // relu makes ties (zeros) inside windows: both backends must pick the first maximum
      tf.grad((x: tf.Tensor) => tf.maxPool(tf.relu(x) as tf.Tensor4D, p.f, p.s, p.pad).mul(r).sum())(x),
    ]);
  }
  await assertSameOnWasmAndCpu("sums", [randomArray([8, 5, 6, 7]), randomArray([32, 10])], (a, b) => [
    tf.sum(a, [0, 1, 2]), tf.sum(a, [2, 0, 1], true), tf.sum(b, 0), tf.sum(b, 1), tf.sum(a, [1, 3]), tf.sum(a),
  ]);
});

test("a CNN training step runs on wasm through our gradient kernels", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: "relu" }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: "relu", padding: "same" }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10 }),
    ],
  });
  const optimizer = tf.train.adam(0.01);
  const xs = tf.tensor4d(randomArray([16, 28, 28, 1]).values, [16, 28, 28, 1]);
  const ys = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 10), "int32"), 10);
  const step = () => optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs) as tf.Tensor), true) as tf.Scalar;
  const profile = await tf.profile(() => step().dispose());
  const kernels = new Set(profile.kernelNames);
  assert.ok(kernels.has("Conv2DBackpropFilter") && kernels.has("Conv2DBackpropInput"), `kernels run: ${[...kernels].join(",")}`);
  assert.equal(tf.getBackend(), "wasm");
  const lossOf = async () => {
    const loss = step();
    const value = (await loss.data())[0];
    loss.dispose();
    return value;
  };
  const first = await lossOf();
  const buffers = tf.memory().numDataBuffers;
  let last = first;
  for (let i = 0; i < 15; i++) last = await lossOf();
  assert.ok(Number.isFinite(last) && last < first, `loss did not fall: ${first} -> ${last}`);
  assert.equal(tf.memory().numDataBuffers, buffers, "the kernels leak wasm buffers");
  tf.dispose([xs, ys]);
  model.dispose();
});

test("FastAdam gives the stock Adam's weights and moments on wasm", async () => {
  await initBackend({ backend: "wasm", log: null });
  await tf.setBackend("wasm");
  const x = tf.tensor2d(randomArray([24, 30]).values, [24, 30]);
  const labels = tf.oneHot(tf.tensor1d(Array.from({ length: 24 }, (_, i) => (i * 7) % 10), "int32"), 10);
  const init = [randomArray([30, 16]), randomArray([16]), randomArray([16, 10]), randomArray([10])];
  async function trainWith(optimizer: tf.Optimizer): Promise<Float32Array[]> {
    const vars = init.map((a, i) => tf.variable(tf.tensor(a.values, a.shape), true, `adam_test_${optimizer.getClassName()}_${Math.random()}_${i}`));
    const [w1, b1, w2, b2] = vars;
    for (let step = 0; step < 8; step++) {
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, tf.relu(x.matMul(w1).add(b1)).matMul(w2).add(b2)) as tf.Scalar, false, vars);
    }
    const moments = (await optimizer.getWeights()).slice(1).map((w) => w.tensor);
    const out = await Promise.all([...vars, ...moments].map(async (t) => (await t.data()) as Float32Array));
    tf.dispose(vars);
    optimizer.dispose();
    return out;
  }
  const stock = await trainWith(tf.train.adam(0.01));
  const fast = await trainWith(new FastAdam(0.01));
  assert.equal(fast.length, stock.length);
  for (let i = 0; i < stock.length; i++) {
    const err = relativeError(fast[i], stock[i]);
    assert.ok(err < 1e-6, `tensor ${i} differs by ${err.toExponential(2)}`);
  }
  assert.ok(relativeError(stock[0], init[0].values) > 1e-3, "the weights did not move: the test proves nothing");
  tf.dispose([x, labels]);
});
