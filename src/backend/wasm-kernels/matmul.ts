/**
 * BatchMatMul and _FusedMatMul, fast in the shapes training produces.
 *
 * The stock wasm kernel multiplies untransposed matrices with XNNPACK but sends any
 * `transposeA`/`transposeB` product to a naive loop (~2 GFLOP/s). Both backward products
 * of a dense layer (dy·Wᵀ and xᵀ·dy) are of that kind. And XNNPACK repacks its right
 * operand whenever it is a new tensor, which in training is every call: at batch 32 the
 * repacking costs more than the product.
 *
 * 1. Small-batch and transposed products go to the SIMD kernels (simd/kernels.c), which
 *    read the operands in place in any of the three layouts (A·B, Aᵀ·B, A·Bᵀ).
 * 2. Otherwise (batched products, Aᵀ·Bᵀ, large plain products where XNNPACK's cached
 *    packing pays off), transposes are materialized and XNNPACK does the product. We pick
 *    the cheaper of
 *      direct:      C  = op(A) · op(B)                (copy the transposed operands, pack op(B))
 *      transposed:  C  = (op(B)ᵀ · op(A)ᵀ)ᵀ          (copy the others, pack op(A)ᵀ, transpose C)
 *    counting elements copied or packed.
 */
import { tf } from "../index";
import { simdKernelsFor } from "./simd";
import { dispose, originalKernel, reshape, transposeLastTwo, type KernelArgs, type TensorInfo, type WasmBackendLike } from "./kernel-utils";

interface MatMulAttrs {
  transposeA?: boolean;
  transposeB?: boolean;
  activation?: string;
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Rank-3 view of a matrix operand ([batch, rows, cols]); the caller disposes it. */
function as3d(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const r = x.shape.length;
  return reshape(x, [size(x.shape.slice(0, -2)), x.shape[r - 2], x.shape[r - 1]], backend);
}

interface HeapBackend extends WasmBackendLike {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  getMemoryOffset(dataId: object): number;
}

/**
 * Whether the unpacked SIMD kernels beat XNNPACK for C[m,n] = op(A)[m,k]·op(B)[k,n].
 * XNNPACK packs the right operand (k·n values) on every call with a new tensor, which
 * in training is every call (weights change each step): at batch 32 the packing costs
 * more than the product (32×784·784×128: 5 GFLOP/s packed fresh vs ~19 unpacked).
 * XNNPACK keeps its packed copy for a tensor it has seen, so for large untransposed
 * products with fixed weights (evaluation in big batches) it is left in charge.
 * DIGIT_LAB_SIMD_GEMM=off|on overrides (for benchmarks and tests).
 */
function preferSimd(m: number, transposeA: boolean, transposeB: boolean): boolean {
  const mode = process.env.DIGIT_LAB_SIMD_GEMM;
  if (mode === "off") return false;
  if (mode === "on") return true;
  return transposeA || transposeB || m <= 256;
}

/** The product by the SIMD kernels, or undefined when they do not apply. */
function simdMatMul(args: KernelArgs, fused: boolean): TensorInfo | undefined {
  const backend = args.backend as HeapBackend;
  const attrs = (args.attrs ?? {}) as MatMulAttrs & { leakyreluAlpha?: number };
  const { transposeA = false, transposeB = false } = attrs;
  const a = args.inputs.a as TensorInfo;
  const b = args.inputs.b as TensorInfo;
  const bias = args.inputs.bias;
  if (a.dtype !== "float32" || b.dtype !== "float32" || (transposeA && transposeB)) return undefined;
  if (size(a.shape.slice(0, -2)) !== 1 || size(b.shape.slice(0, -2)) !== 1) return undefined;
  if (fused && (args.inputs.preluActivationWeights || !["linear", "relu", undefined].includes(attrs.activation))) return undefined;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (bias && (bias.shape.length !== 1 || bias.shape[0] !== n || bias.dtype !== "float32")) return undefined;
  if (!preferSimd(m, transposeA, transposeB)) return undefined;
  const simd = simdKernelsFor(backend as unknown as { wasm?: object });
  if (!simd) return undefined;
  const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...outBatch, m, n], "float32");
  const at = (t: TensorInfo) => backend.getMemoryOffset(t.dataId);
  const gemm = transposeA ? simd.gemm_tn : transposeB ? simd.gemm_nt : simd.gemm_nn;
  gemm(m, n, k, at(a), at(b), at(out));
  if (fused && (bias || attrs.activation === "relu")) simd.bias_activation(m, n, at(out), bias ? at(bias) : 0, attrs.activation === "relu" ? 1 : 0);
  return out;
}

function withoutTransposes(kernelName: "BatchMatMul" | "_FusedMatMul") {
  return function fastTransposedMatMul(args: KernelArgs): TensorInfo {
    const original = originalKernel(kernelName);
    const attrs = (args.attrs ?? {}) as MatMulAttrs;
    const { transposeA = false, transposeB = false } = attrs;
    const a = args.inputs.a as TensorInfo;
    const b = args.inputs.b as TensorInfo;
    const viaSimd = simdMatMul(args, kernelName === "_FusedMatMul");
    if (viaSimd) return viaSimd;
    if ((!transposeA && !transposeB) || a.dtype !== "float32" || b.dtype !== "float32") return original(args);
    const { backend } = args;
    const ra = a.shape.length;
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const k = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
    const n = transposeB ? b.shape[b.shape.length - 2] : b.shape[b.shape.length - 1];
    const batchA = size(a.shape.slice(0, -2));
    const batchB = size(b.shape.slice(0, -2));
    const fused = kernelName === "_FusedMatMul";
    // The transposed form needs equal batches (no broadcasting) and no fused epilogue
    // (bias/activation apply to C, not Cᵀ).
    const canFlip = batchA === batchB && !(fused && (args.inputs.bias || (attrs.activation && attrs.activation !== "linear")));
    const directCost = (transposeA ? m * k : 0) + (transposeB ? k * n : 0) + k * n;
    const flippedCost = (transposeB ? 0 : k * n) + (transposeA ? 0 : m * k) + m * k + m * n;

    if (!canFlip || directCost <= flippedCost) {
      const aT = transposeA ? transposeLastTwo(a, backend) : undefined;
      const bT = transposeB ? transposeLastTwo(b, backend) : undefined;
      try {
        return original({ inputs: { ...args.inputs, a: aT ?? a, b: bT ?? b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        dispose(backend, aT, bT);
      }
    }
    // Cᵀ = op(B)ᵀ · op(A)ᵀ; op(B)ᵀ is b itself when transposeB, op(A)ᵀ is a itself when transposeA.
    const b3 = as3d(b, backend);
    const a3 = as3d(a, backend);
    const left = transposeB ? b3 : transposeLastTwo(b3, backend);
    const right = transposeA ? a3 : transposeLastTwo(a3, backend);
    const cT = original({ inputs: { ...args.inputs, a: left, b: right }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    dispose(backend, a3, b3);
    if (left !== b3) dispose(backend, left);
    if (right !== a3) dispose(backend, right);
    const c = transposeLastTwo(cT, backend);
    dispose(backend, cT);
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const result = reshape(c, [...outBatch, m, n], backend);
    dispose(backend, c);
    return result;
  };
}

export const batchMatMul = withoutTransposes("BatchMatMul");
export const fusedMatMul = withoutTransposes("_FusedMatMul");
