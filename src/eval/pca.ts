/**
 * Principal component analysis in plain JavaScript, for maps of how a set of vectors (raw
 * pixels, or a hidden layer's activations) spreads out. Deterministic: the same data give
 * the same components, signs included, so a rerun draws the same picture.
 *
 * How: the d×d covariance matrix, then its top eigenvectors by subspace iteration (power
 * iteration on a small block of vectors, with Rayleigh–Ritz to separate them). For MNIST's
 * d = 784 that takes well under a second, where a full eigendecomposition would take several.
 */
import { UsageError } from "../errors";
import { createRng } from "../util/random";

export interface PcaOptions {
  /** How many components to keep (default 2). */
  components?: number;
}

export interface PcaResult {
  /** Vectors analysed (n) and values per vector (d). */
  count: number;
  dims: number;
  /** How many components were kept (k). */
  components: number;
  /** The mean vector that was subtracted, length d. */
  mean: Float64Array;
  /** Unit-length principal axes, row-major [k, d], largest variance first. */
  axes: Float64Array;
  /** Variance along each axis (eigenvalues of the covariance, divided by n−1 as scikit-learn does). */
  explainedVariance: number[];
  /** Each axis's share of the total variance (the sum over all d directions). */
  explainedVarianceRatio: number[];
  totalVariance: number;
  /** Coordinates of every vector on the axes, row-major [n, k]. */
  scores: Float32Array;
}

/** Extra vectors iterated beside the k wanted: they speed up convergence when eigenvalues are close. */
const OVERSAMPLING = 8;
/**
 * Structured data (digits, activations) converge in tens of iterations. Data with a nearly
 * flat spectrum (noise) converge slowly, but then the top axes are barely defined anyway:
 * the cap keeps that case to a couple of seconds, and the result is still deterministic.
 */
const MAX_ITERATIONS = 300;
/** Stop when every kept axis v satisfies |C·v − λ·v| ≤ TOLERANCE · λ_max. */
const TOLERANCE = 1e-9;
/** The start block is drawn from this seed, so results never depend on Math.random. */
const START_SEED = 20240611;

/**
 * PCA of `count` vectors of `dims` values each, stored row-major in `data` (a Float32Array
 * of activations, normalized pixels, …). Sign convention: each axis points so that its
 * largest-magnitude entry is positive (the first such entry on near-ties).
 */
export function pca(data: ArrayLike<number>, dims: number, options: PcaOptions = {}): PcaResult {
  if (!(Number.isInteger(dims) && dims >= 1)) throw new UsageError(`pca needs a positive whole number of dims, got ${dims}`);
  const count = data.length / dims;
  if (!Number.isInteger(count)) throw new UsageError(`pca: ${data.length} values are not a whole number of rows of ${dims}`);
  if (count < 2) throw new UsageError(`pca needs at least 2 vectors to measure variance, got ${count}`);
  const k = options.components ?? 2;
  if (!(Number.isInteger(k) && k >= 1 && k <= dims)) {
    throw new UsageError(`pca: components must be a whole number from 1 to ${dims} (the dims), got ${k}`);
  }
  const { mean, covariance } = covarianceOf(data, count, dims);
  let totalVariance = 0;
  for (let j = 0; j < dims; j++) totalVariance += covariance[j * dims + j];
  const { vectors, values } = topEigenvectors(covariance, dims, k);
  for (let c = 0; c < k; c++) orientAxis(vectors.subarray(c * dims, (c + 1) * dims));
  const explainedVariance = values.map((v) => Math.max(0, v));
  return {
    count,
    dims,
    components: k,
    mean,
    axes: vectors,
    explainedVariance,
    explainedVarianceRatio: explainedVariance.map((v) => (totalVariance > 0 ? v / totalVariance : 0)),
    totalVariance,
    scores: project(data, count, dims, mean, vectors, k),
  };
}

/**
 * Mean and covariance (divided by n−1). Sums x·xᵀ over each row's non-zero entries only and
 * subtracts n·μ·μᵀ at the end: MNIST rows are ~80% background zeros and ReLU activations are
 * half zeros, so this is several times faster than centring first. (The subtraction loses
 * precision only when the mean dwarfs the spread by ~10⁶, which pixels and activations never do.)
 */
function covarianceOf(data: ArrayLike<number>, count: number, dims: number): { mean: Float64Array; covariance: Float64Array } {
  const sums = new Float64Array(dims);
  const products = new Float64Array(dims * dims);
  const nonZero = new Int32Array(dims);
  const values = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    const row = i * dims;
    let m = 0;
    for (let j = 0; j < dims; j++) {
      const v = data[row + j];
      if (v !== 0) {
        nonZero[m] = j;
        values[m++] = v;
      }
    }
    // Upper triangle only (a ≤ b); mirrored below.
    for (let a = 0; a < m; a++) {
      const ja = nonZero[a];
      const va = values[a];
      sums[ja] += va;
      const base = ja * dims;
      for (let b = a; b < m; b++) products[base + nonZero[b]] += va * values[b];
    }
  }
  const mean = new Float64Array(dims);
  for (let j = 0; j < dims; j++) mean[j] = sums[j] / count;
  const covariance = products;
  for (let a = 0; a < dims; a++) {
    for (let b = a; b < dims; b++) {
      const c = (products[a * dims + b] - count * mean[a] * mean[b]) / (count - 1);
      covariance[a * dims + b] = c;
      covariance[b * dims + a] = c;
    }
  }
  return { mean, covariance };
}

/** The k largest eigenpairs of the symmetric d×d matrix `matrix`, by subspace iteration. */
function topEigenvectors(matrix: Float64Array, d: number, k: number): { vectors: Float64Array; values: number[] } {
  const p = Math.min(d, k + OVERSAMPLING);
  const rng = createRng(START_SEED);
  let block = new Float64Array(p * d); // p row vectors of length d
  for (let i = 0; i < block.length; i++) block[i] = rng() - 0.5;
  orthonormalizeRows(block, p, d);
  let values: number[] = new Array<number>(p).fill(0);
  let product = new Float64Array(p * d);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    multiplyRows(matrix, block, product, p, d);
    // Rayleigh–Ritz: the best eigenpairs within the span of the block.
    const small = new Float64Array(p * p);
    for (let a = 0; a < p; a++) {
      for (let b = a; b < p; b++) {
        const h = dot(block, a * d, product, b * d, d);
        small[a * p + b] = h;
        small[b * p + a] = h;
      }
    }
    const ritz = symmetricEigen(small, p);
    const rotated = new Float64Array(p * d);
    const rotatedProduct = new Float64Array(p * d);
    for (let r = 0; r < p; r++) {
      const c = ritz.order[r];
      for (let s = 0; s < p; s++) {
        const w = ritz.vectors[s * p + c];
        if (w === 0) continue;
        for (let j = 0; j < d; j++) {
          rotated[r * d + j] += w * block[s * d + j];
          rotatedProduct[r * d + j] += w * product[s * d + j];
        }
      }
    }
    values = ritz.order.map((c) => ritz.values[c]);
    const scale = Math.max(Math.abs(values[0]), Number.MIN_VALUE);
    let converged = true;
    for (let r = 0; r < k && converged; r++) {
      let residual = 0;
      for (let j = 0; j < d; j++) {
        const e = rotatedProduct[r * d + j] - values[r] * rotated[r * d + j];
        residual += e * e;
      }
      converged = Math.sqrt(residual) <= TOLERANCE * scale;
    }
    block = rotated;
    if (converged || p === d) break; // with p = d the block spans everything: Rayleigh–Ritz is exact
    // Next power step: the block becomes C·block, re-orthonormalized.
    product = rotatedProduct;
    block = product.slice();
    orthonormalizeRows(block, p, d);
  }
  return { vectors: block.slice(0, k * d), values: values.slice(0, k) };
}

/** out[r] = matrix · rows[r] for each of the p rows. */
function multiplyRows(matrix: Float64Array, rows: Float64Array, out: Float64Array, p: number, d: number): void {
  for (let r = 0; r < p; r++) {
    for (let i = 0; i < d; i++) out[r * d + i] = dot(matrix, i * d, rows, r * d, d);
  }
}

function dot(a: ArrayLike<number>, aStart: number, b: ArrayLike<number>, bStart: number, length: number): number {
  let sum = 0;
  for (let j = 0; j < length; j++) sum += a[aStart + j] * b[bStart + j];
  return sum;
}

/**
 * Modified Gram–Schmidt on the rows, twice for accuracy. A row that vanishes (the matrix has
 * lower rank than the block) is replaced by the first unit vector independent of the others,
 * so the block always stays an orthonormal basis.
 */
function orthonormalizeRows(rows: Float64Array, p: number, d: number): void {
  let nextUnit = 0;
  for (let r = 0; r < p; r++) {
    const start = r * d;
    let original = Math.sqrt(dot(rows, start, rows, start, d));
    for (let attempt = 0; ; attempt++) {
      for (let pass = 0; pass < 2; pass++) {
        for (let q = 0; q < r; q++) {
          const c = dot(rows, start, rows, q * d, d);
          for (let j = 0; j < d; j++) rows[start + j] -= c * rows[q * d + j];
        }
      }
      const norm = Math.sqrt(dot(rows, start, rows, start, d));
      if (norm > 1e-10 * original && norm > 0) {
        for (let j = 0; j < d; j++) rows[start + j] /= norm;
        break;
      }
      if (nextUnit >= d || attempt > d) throw new Error(`pca: could not complete an orthonormal basis of ${p} vectors in ${d} dims`);
      rows.fill(0, start, start + d);
      rows[start + nextUnit++] = 1;
      original = 1;
    }
  }
}

/**
 * All eigenpairs of a small symmetric n×n matrix by cyclic Jacobi rotations. `vectors` holds
 * them as columns; `order` lists the columns by decreasing eigenvalue.
 */
function symmetricEigen(matrix: Float64Array, n: number): { values: number[]; vectors: Float64Array; order: number[] } {
  const a = matrix.slice();
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let pi = 0; pi < n; pi++) {
      for (let q = pi + 1; q < n; q++) {
        const apq = a[pi * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[pi * n + pi]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = a[r * n + pi];
          const arq = a[r * n + q];
          a[r * n + pi] = c * arp - s * arq;
          a[r * n + q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = a[pi * n + r];
          const aqr = a[q * n + r];
          a[pi * n + r] = c * apr - s * aqr;
          a[q * n + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = v[r * n + pi];
          const vrq = v[r * n + q];
          v[r * n + pi] = c * vrp - s * vrq;
          v[r * n + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = Array.from({ length: n }, (_, i) => a[i * n + i]);
  const order = values.map((_, i) => i).sort((x, y) => values[y] - values[x] || x - y);
  return { values, vectors: v, order };
}

/**
 * Flips `axis` so its largest-magnitude entry is positive. Entries within a millionth of the
 * largest count as tied (float32 data blur exact ties) and the first of them decides.
 */
function orientAxis(axis: Float64Array): void {
  let magnitude = 0;
  for (let j = 0; j < axis.length; j++) magnitude = Math.max(magnitude, Math.abs(axis[j]));
  let decider = 0;
  while (decider < axis.length - 1 && Math.abs(axis[decider]) < magnitude * (1 - 1e-6)) decider++;
  if (axis[decider] < 0) for (let j = 0; j < axis.length; j++) axis[j] = -axis[j] || 0;
}

/** Row-major [n, k] coordinates of the centred rows on the k axes. */
function project(data: ArrayLike<number>, count: number, dims: number, mean: Float64Array, axes: Float64Array, k: number): Float32Array {
  const scores = new Float32Array(count * k);
  const centred = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dims; j++) centred[j] = data[i * dims + j] - mean[j];
    for (let c = 0; c < k; c++) scores[i * k + c] = dot(centred, 0, axes, c * dims, dims);
  }
  return scores;
}
