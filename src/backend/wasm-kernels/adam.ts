/**
 * Adam as one kernel call per variable on wasm.
 *
 * tfjs' Adam updates each variable with ~20 element-wise kernels (mul, add, square, div,
 * sqrt, …), each a trip through the engine. For an MLP at batch 32 those ~120 calls per
 * step cost more than the matrix products. `FastAdam` is tfjs' AdamOptimizer (same
 * config, weights, serialization) whose update runs one "DigitLabAdamUpdate" kernel per
 * variable: one SIMD loop (simd/kernels.c) over the wasm heap that applies the float32
 * operations in the order tfjs does, so the numbers match the stock optimizer.
 * On other backends it is the stock optimizer.
 */
import { tf } from "../index";
import type { TensorInfo } from "./kernel-utils";
import { simdKernelsFor } from "./simd";

export const ADAM_KERNEL = "DigitLabAdamUpdate";

interface HeapBackend {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  getMemoryOffset(dataId: object): number;
}

interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ as float32 (tfjs' accBeta variables). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
}

/** Kernel: inputs value, gradient, m, v → outputs [new value, new m, new v]. */
export function adamUpdate(args: { inputs: Record<string, TensorInfo | undefined>; backend: unknown; attrs?: Record<string, unknown> }): TensorInfo[] {
  const backend = args.backend as HeapBackend;
  const { value, gradient, m, v } = args.inputs as Record<"value" | "gradient" | "m" | "v", TensorInfo>;
  const a = args.attrs as unknown as AdamAttrs;
  const outW = backend.makeOutput(value.shape, "float32");
  const outM = backend.makeOutput(value.shape, "float32");
  const outV = backend.makeOutput(value.shape, "float32");
  const f = Math.fround;
  const [b1, c1, b2, c2] = [f(a.beta1), f(1 - a.beta1), f(a.beta2), f(1 - a.beta2)];
  const [d1, d2, eps, negLr] = [f(a.oneMinusAccBeta1), f(a.oneMinusAccBeta2), f(a.epsilon), f(-a.learningRate)];
  const n = value.shape.reduce((x, y) => x * y, 1);
  const simd = simdKernelsFor(backend as { wasm?: object });
  if (simd) {
    const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
    simd.adam_update(n, at(value), at(gradient), at(m), at(v), at(outW), at(outM), at(outV), b1, c1, b2, c2, d1, d2, eps, negLr);
    return [outW, outM, outV];
  }
  // Fallback in JavaScript (same float32 rounding, ~20× slower).
  const [w0, g, m0, v0] = [value, gradient, m, v].map((t) => backend.typedArrayFromHeap(t));
  const [w1, m1, v1] = [outW, outM, outV].map((t) => backend.typedArrayFromHeap(t));
  for (let i = 0; i < n; i++) {
    const gi = g[i];
    const mi = f(f(m0[i] * b1) + f(gi * c1));
    const vi = f(f(v0[i] * b2) + f(f(gi * gi) * c2));
    m1[i] = mi;
    v1[i] = vi;
    const denom = f(f(Math.sqrt(f(vi / d2))) + eps);
    w1[i] = f(w0[i] + f(f(f(mi / d1) / denom) * negLr));
  }
  return [outW, outM, outV];
}

interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
}

export class FastAdam extends tf.AdamOptimizer {
  constructor(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer["applyGradients"]>[0]): void {
    if (tf.getBackend() !== "wasm" || !tf.getKernel(ADAM_KERNEL, "wasm")) {
      super.applyGradients(variableGradients);
      return;
    }
    const self = this as unknown as AdamInternals;
    const list = Array.isArray(variableGradients) ? (variableGradients as { name: string; tensor: tf.Tensor }[]) : undefined;
    const names = list ? list.map((v) => v.name) : Object.keys(variableGradients);
    // Reading a scalar back is a plain memory copy on wasm (no device sync).
    const attrs: AdamAttrs = {
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      learningRate: self.learningRate,
      oneMinusAccBeta1: Math.fround(1 - self.accBeta1.dataSync()[0]),
      oneMinusAccBeta2: Math.fround(1 - self.accBeta2.dataSync()[0]),
    };
    tf.tidy(() => {
      names.forEach((name, i) => {
        const value = tf.engine().registeredVariables[name];
        self.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        self.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
        const gradient = list ? list[i].tensor : (variableGradients as tf.NamedTensorMap)[name];
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i].variable;
        const v = self.accumulatedSecondMoment[i].variable;
        const [w1, m1, v1] = tf.engine().runKernel(ADAM_KERNEL, { value, gradient, m, v }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        value.assign(w1);
      });
      self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
      self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
    });
    this.incrementIterations();
  }
}
