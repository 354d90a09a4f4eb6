/** PCA: hand-computed cases (a line, a plane), sign convention, determinism, and MNIST's known ratios. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { pca } from "../../src/eval";
import { loadMnist, normalizePixels } from "../../src/data";
import { createRng } from "../../src/util/random";
import { UsageError } from "../../src/errors";
import { REAL_DATA_DIR } from "../helpers/paths";

const close = (a: number, b: number, tol = 1e-9, msg = "") => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} ≠ ${b}`);
const closeAll = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-9, msg = "") => {
  assert.equal(a.length, b.length, `${msg} lengths`);
  for (let i = 0; i < a.length; i++) close(a[i], b[i], tol, `${msg} [${i}]`);
};

/** Rows p = offset + Σ coords[j]·basis[j], as a flat Float32Array. */
function embed(coords: number[][], basis: number[][], offset: number[]): Float32Array {
  const d = offset.length;
  const out = new Float32Array(coords.length * d);
  coords.forEach((c, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = offset[j] + c.reduce((s, cj, k) => s + cj * basis[k][j], 0);
  });
  return out;
}

test("points on a line: one component along the line carries all the variance, scores are positions on it", () => {
  // t = -2..2 along u = (2, -1, 2)/3; variance of t with n−1 = 10/4.
  const u = [2 / 3, -1 / 3, 2 / 3];
  const t = [-2, -1, 0, 1, 2];
  const data = embed(t.map((ti) => [ti]), [u], [1, 5, -3]);
  const r = pca(data, 3, { components: 1 });
  assert.equal(r.count, 5);
  assert.equal(r.dims, 3);
  closeAll(r.mean, [1, 5, -3], 1e-6, "mean");
  closeAll(r.axes, u, 1e-6, "axis");
  close(r.explainedVariance[0], 2.5, 1e-5, "variance");
  close(r.explainedVarianceRatio[0], 1, 1e-6, "ratio");
  closeAll(r.scores, t, 1e-5, "scores");
  // The same points listed along −u give the same axis (the sign is fixed by the axis, not the
  // data): u's largest entries tie at 2/3, and the first of them is made positive.
  const flipped = embed(t.map((ti) => [-ti]), [u], [1, 5, -3]);
  const f = pca(flipped, 3, { components: 1 });
  closeAll(f.axes, u, 1e-6, "axis of the flipped data");
  closeAll(f.scores, t.map((ti) => -ti), 1e-5, "flipped scores");
});

test("points on a tilted plane in 3-D: the two axes of the plane, with variance shares 0.8 and 0.2", () => {
  // In-plane coordinates (±2, 0) and (0, ±1): covariance diag(8, 2)/3, total 10/3.
  const a = [1 / 3, 2 / 3, 2 / 3];
  const b = [2 / 3, 1 / 3, -2 / 3];
  const coords = [[2, 0], [-2, 0], [0, 1], [0, -1]];
  const r = pca(embed(coords, [a, b], [5, -1, 0.5]), 3, { components: 3 });
  closeAll(r.axes.subarray(0, 3), a, 1e-6, "first axis");
  closeAll(r.axes.subarray(3, 6), b, 1e-6, "second axis (largest entries tie: the first is positive)");
  closeAll(r.explainedVariance, [8 / 3, 2 / 3, 0], 1e-5, "variances");
  closeAll(r.explainedVarianceRatio, [0.8, 0.2, 0], 1e-6, "ratios");
  close(r.totalVariance, 10 / 3, 1e-5, "total");
  const scores = Array.from(r.scores);
  closeAll(scores.filter((_, i) => i % 3 !== 2), coords.flat(), 1e-5, "scores in the plane");
  // Axes are orthonormal.
  for (let p = 0; p < 3; p++) {
    for (let q = 0; q < 3; q++) {
      let dot = 0;
      for (let j = 0; j < 3; j++) dot += r.axes[p * 3 + j] * r.axes[q * 3 + j];
      close(dot, p === q ? 1 : 0, 1e-9, `axes ${p}·${q}`);
    }
  }
});

/** n rows of d correlated values: a few strong random directions plus noise. */
function correlated(n: number, d: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const directions = Array.from({ length: 4 }, () => Array.from({ length: d }, () => rng() - 0.5));
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const w = directions.map((_, k) => (rng() - 0.5) * (4 - k) * 2);
    for (let j = 0; j < d; j++) data[i * d + j] = w.reduce((s, wk, k) => s + wk * directions[k][j], 0) + (rng() - 0.5) * 0.1;
  }
  return data;
}

test("each axis is an eigenvector of the covariance (computed here the plain way), largest eigenvalues first", () => {
  const n = 300;
  const d = 40;
  const data = correlated(n, d, 7);
  const r = pca(data, d, { components: 3 });
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) cov[p * d + q] += (data[i * d + p] - mean[p]) * (data[i * d + q] - mean[q]) / (n - 1);
  }
  let trace = 0;
  for (let j = 0; j < d; j++) trace += cov[j * d + j];
  close(r.totalVariance, trace, 1e-6 * trace, "total variance is the covariance's trace");
  for (let c = 0; c < 3; c++) {
    const v = r.axes.subarray(c * d, (c + 1) * d);
    let residual = 0;
    for (let p = 0; p < d; p++) {
      let cv = 0;
      for (let q = 0; q < d; q++) cv += cov[p * d + q] * v[q];
      residual = Math.max(residual, Math.abs(cv - r.explainedVariance[c] * v[p]));
    }
    assert.ok(residual < 1e-6 * r.explainedVariance[0], `axis ${c}: |Cv − λv| = ${residual}`);
    close(r.explainedVarianceRatio[c], r.explainedVariance[c] / trace, 1e-9);
  }
  assert.ok(r.explainedVariance[0] > r.explainedVariance[1] && r.explainedVariance[1] > r.explainedVariance[2]);
  // No direction has more variance than the first axis: try a few random ones.
  const rng = createRng(1);
  for (let trial = 0; trial < 20; trial++) {
    const u = Array.from({ length: d }, () => rng() - 0.5);
    const norm = Math.hypot(...u);
    let quad = 0;
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) quad += (u[p] / norm) * cov[p * d + q] * (u[q] / norm);
    assert.ok(quad <= r.explainedVariance[0] * (1 + 1e-9));
  }
});

test("deterministic: the same data give identical results, and reordering the rows gives the same axes and signs", () => {
  const n = 200;
  const d = 30;
  const data = correlated(n, d, 11);
  const first = pca(data, d);
  const again = pca(data, d);
  assert.deepEqual(Array.from(again.scores), Array.from(first.scores));
  assert.deepEqual(Array.from(again.axes), Array.from(first.axes));
  const reversed = new Float32Array(data.length);
  for (let i = 0; i < n; i++) reversed.set(data.subarray(i * d, (i + 1) * d), (n - 1 - i) * d);
  const r = pca(reversed, d);
  closeAll(r.axes, first.axes, 1e-7, "axes");
  for (let c = 0; c < 2; c++) {
    const axis = Array.from(r.axes.subarray(c * d, (c + 1) * d));
    const largest = axis.reduce((best, v, j) => (Math.abs(v) > Math.abs(axis[best]) ? j : best), 0);
    assert.ok(axis[largest] > 0, `axis ${c}'s largest entry is positive`);
  }
});

test("fewer dims than the block, constant columns and rank-deficient data still give orthonormal axes", () => {
  // d = 2 (smaller than the iterated block), the second column constant: all variance on axis (1, 0).
  const r = pca(new Float32Array([0, 7, 1, 7, 2, 7, 3, 7]), 2);
  closeAll(r.axes, [1, 0, 0, 1], 1e-9);
  closeAll(r.explainedVarianceRatio, [1, 0], 1e-9);
  const flat = pca(new Float32Array(12).fill(3), 4);
  closeAll(flat.explainedVariance, [0, 0], 0);
  closeAll(flat.explainedVarianceRatio, [0, 0], 0, "no variance: ratios 0, not NaN");
});

test("bad shapes are usage errors", () => {
  assert.throws(() => pca(new Float32Array(10), 3), (e: unknown) => e instanceof UsageError && /not a whole number of rows of 3/.test(e.message));
  assert.throws(() => pca(new Float32Array(3), 3), (e: unknown) => e instanceof UsageError && /at least 2 vectors/.test(e.message));
  assert.throws(() => pca(new Float32Array(6), 3, { components: 4 }), (e: unknown) => e instanceof UsageError && /from 1 to 3/.test(e.message));
});

test("MNIST training pixels: the first two components explain 9.70% and 7.10% of the variance, as scikit-learn finds", async () => {
  const mnist = await loadMnist({ dataDir: REAL_DATA_DIR });
  const r = pca(normalizePixels(mnist.train.images), 784);
  close(r.explainedVarianceRatio[0], 0.09705, 5e-5, "PC 1");
  close(r.explainedVarianceRatio[1], 0.07096, 5e-5, "PC 2");
  assert.equal(r.scores.length, 60000 * 2);
});
