/** Weight images: each unit's incoming weights drawn as an image of the input. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { CARTESIAN_TRACE_TYPES, WEIGHT_COLORSCALE, weightImages } from "../../src/plots";
import { UsageError } from "../../src/errors";
import type { LayerKernel } from "../../src/types";

type Any = Record<string, any>;

/** A dense kernel [784, 3] whose weight for (pixel p, unit u) is known: values[p·3 + u]. */
function denseKernel(): LayerKernel {
  const units = 3;
  const values = new Float32Array(784 * units);
  for (let p = 0; p < 784; p++) for (let u = 0; u < units; u++) values[p * units + u] = ((p % 13) - 6) * (u + 1) * 0.01;
  return { layer: "dense_1", className: "Dense", shape: [784, units], values };
}

test("a dense kernel becomes one 28×28 image per unit, pixel (r, c) holding the weight from that pixel", () => {
  const kernel = denseKernel();
  const fig = weightImages(kernel);
  JSON.parse(JSON.stringify(fig));
  assert.equal(fig.data.length, 3);
  fig.data.forEach((trace: Any, u) => {
    assert.ok(CARTESIAN_TRACE_TYPES.includes(trace.type));
    assert.equal(trace.z.length, 28);
    assert.equal(trace.z[0].length, 28);
    for (const [r, c] of [[0, 0], [14, 9], [27, 27], [3, 20]]) {
      assert.ok(Math.abs(trace.z[r][c] - kernel.values[(r * 28 + c) * 3 + u]) < 5e-4, `unit ${u} at (${r}, ${c})`);
    }
    assert.match(trace.hovertemplate, new RegExp(`^unit ${u} \\(weights -?[0-9.]+ to [0-9.]+\\)<br>weight at pixel`));
  });
  const annotations = fig.layout.annotations as Any[];
  assert.deepEqual(annotations.map((a) => a.text), ["unit 0", "unit 1", "unit 2"]);
  const axis = fig.layout.coloraxis as Any;
  assert.deepEqual(axis.colorscale, WEIGHT_COLORSCALE);
  assert.equal(axis.cmin, -axis.cmax, "zero sits in the middle of the scale (white)");
  assert.equal(axis.showscale, true);
  assert.match((fig.layout.title as Any).text, /dense_1 .*3 of its 3 units/);
});

test("the colour scale ends at the 99th percentile of |weight|, so a few outliers do not wash the images out", () => {
  const values = new Float32Array(784).map((_, p) => (p % 2 ? 0.1 : -0.1));
  values[5] = 40; // fewer than 1% of the weights
  values[300] = -25;
  const fig = weightImages({ layer: "dense", className: "Dense", shape: [784, 1], values });
  assert.equal((fig.layout.coloraxis as Any).cmax, 0.1);
  assert.equal((fig.data[0] as Any).z[0][5], 40, "the outlier itself is kept, only the colour saturates");
});

test("a one-channel convolution kernel [kh, kw, 1, filters] becomes one kh×kw image per filter", () => {
  const values = Float32Array.from({ length: 3 * 3 * 4 }, (_, i) => Math.sin(i) / 10);
  const fig = weightImages({ layer: "conv2d_1", className: "Conv2D", shape: [3, 3, 1, 4], values }, { units: [2, 0] });
  assert.equal(fig.data.length, 2);
  [2, 0].forEach((f, k) => {
    const z = (fig.data[k] as Any).z as number[][];
    assert.equal(z.length, 3);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(z[r][c] - values[(r * 3 + c) * 4 + f]) < 5e-4);
  });
  assert.deepEqual((fig.layout.annotations as Any[]).map((a) => a.text), ["filter 2", "filter 0"]);
  assert.match((fig.layout.title as Any).text, /2 of its 4 filters/);
});

test("limit caps how many units are drawn", () => {
  const values = new Float32Array(784 * 50).fill(0.01);
  assert.equal(weightImages({ layer: "d", className: "Dense", shape: [784, 50], values }).data.length, 16);
  assert.equal(weightImages({ layer: "d", className: "Dense", shape: [784, 50], values }, { limit: 5 }).data.length, 5);
});

test("kernels that are not images of one input, and bad requests, fail with errors naming the layer", () => {
  const conv = { layer: "conv2d_2", className: "Conv2D", shape: [3, 3, 32, 64], values: new Float32Array(3 * 3 * 32 * 64) };
  assert.throws(() => weightImages(conv), (e: unknown) => e instanceof UsageError && /conv2d_2 .*\[3, 3, 32, 64\].*one-channel/.test(e.message));
  const short = { layer: "dense_9", className: "Dense", shape: [784, 2], values: new Float32Array(10) };
  assert.throws(() => weightImages(short), /dense_9 has 10 values, but its shape \[784, 2\] needs 1568/);
  const odd = { layer: "dense_3", className: "Dense", shape: [50, 2], values: new Float32Array(100) };
  assert.throws(() => weightImages(odd), /50 inputs of dense_3 do not form a 7×7 image/);
  assert.equal(weightImages(odd, { rows: 5 }).data.length, 2, "rows (and cols) say the image size");
  assert.throws(() => weightImages(denseKernel(), { units: [1, 3] }), /unit 3 is not one of the 3 units of dense_1 \(0–2\)/);
});
