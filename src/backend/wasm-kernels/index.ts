/**
 * Faster kernels for TensorFlow.js' wasm backend, registered over (or next to) the
 * stock ones, so the tfjs model API, gradients and optimizers stay as they are:
 *
 *   BatchMatMul, _FusedMatMul   small-batch and transposed products (dense layers, both directions)
 *   Conv2D, FusedConv2D         direct convolution (channels ≥ 8)
 *   Conv2DBackpropInput/Filter  convolution gradients (the stock backend has no filter gradient);
 *                               3×3 stride-1 layers by Winograd F(2×2, 3×3) in all three
 *   MaxPoolGrad, Sum            pooling gradient, bias-gradient sums
 *   Identity                    clones share data instead of copying it
 *   DigitLabAdamUpdate          one fused Adam step per variable (used by FastAdam)
 *   DigitLabDenseGrads          forward + loss + all gradients of a dense net (used by fastTrainStep)
 *
 * The arithmetic runs in a ~26 KB hand-written WebAssembly SIMD module (simd/kernels.c)
 * that shares the backend's memory; every kernel falls back to the backend's own kernels
 * (XNNPACK, Transpose, Pad) for shapes it does not cover. Only "wasm" is touched.
 */
import { tf } from "../index";
import { originalKernel, type WasmKernelFunc } from "./kernel-utils";
import { batchMatMul, fusedMatMul } from "./matmul";
import { conv2D, conv2DBackpropFilter, conv2DBackpropInput, fusedConv2D, simdConvOff, winogradOff } from "./conv";
import { ADAM_KERNEL, adamUpdate } from "./adam";
import { maxPoolGrad, sum } from "./pooling";
import { identity } from "./identity";
import { DENSE_GRADS_KERNEL, denseGrads } from "./dense-grads";

import { startConvThreads } from "./conv-threads";
import { fmaInUse } from "./simd";

export { FastAdam, ADAM_KERNEL } from "./adam";

const BACKEND = "wasm";

/** Our replacements, by kernel name. */
export const WASM_KERNELS: Record<string, WasmKernelFunc> = {
  BatchMatMul: batchMatMul,
  _FusedMatMul: fusedMatMul,
  Conv2DBackpropInput: conv2DBackpropInput,
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2D: conv2D,
  FusedConv2D: fusedConv2D,
  MaxPoolGrad: maxPoolGrad,
  Sum: sum,
  Identity: identity,
  [ADAM_KERNEL]: adamUpdate as unknown as WasmKernelFunc,
  [DENSE_GRADS_KERNEL]: denseGrads as unknown as WasmKernelFunc,
};

/** Kernels whose original we delegate to; they must be captured before we replace them. */
const DELEGATES = ["BatchMatMul", "_FusedMatMul", "Transpose", "Reshape", "Conv2D", "FusedConv2D", "PadV2", "Slice", "Reverse", "Conv2DBackpropInput", "MaxPoolGrad", "Sum", "Identity"];

/** An escape hatch, and the "before" of benchmarks: DIGIT_LAB_WASM_KERNELS=off keeps the stock kernels. */
function wasmKernelsOff(): boolean {
  return /^(off|0|false|no)$/i.test(process.env.DIGIT_LAB_WASM_KERNELS ?? "");
}

/**
 * Registers the kernels above for wasm (unless DIGIT_LAB_WASM_KERNELS=off). Idempotent: a second call (or a call after the
 * backend was re-created) leaves our kernels in place and the saved originals intact.
 */
export function registerWasmKernels(): string[] {
  if (wasmKernelsOff()) return [];
  for (const name of DELEGATES) if (tf.getKernel(name, BACKEND)) originalKernel(name);
  const registered: string[] = [];
  for (const [kernelName, kernelFunc] of Object.entries(WASM_KERNELS)) {
    const current = tf.getKernel(kernelName, BACKEND);
    if (current && (current.kernelFunc as unknown) === kernelFunc) continue;
    if (current) tf.unregisterKernel(kernelName, BACKEND);
    tf.registerKernel({ kernelName, backendName: BACKEND, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
    registered.push(kernelName);
  }
  return registered;
}

/**
 * The kernel choices that change a wasm run's float32 rounding: stock or digit-lab kernels,
 * Winograd or direct 3×3 convolutions, fused multiply-adds or not. Part of cache keys, so a
 * run made with other arithmetic is not served as this one's.
 */
export function wasmArithmetic(): string {
  if (wasmKernelsOff()) return "stock";
  const conv = simdConvOff() ? "stock-conv" : winogradOff() ? "direct" : "winograd";
  const fma = fmaInUse() ? "fma" : "mul-add";
  return `digit-lab/${conv}/${fma}`;
}

/** Whether our kernel (not the stock one) is what wasm runs for `kernelName`. */
export function isWasmKernelRegistered(kernelName: string): boolean {
  const current = tf.getKernel(kernelName, BACKEND);
  return !!current && (current.kernelFunc as unknown) === WASM_KERNELS[kernelName];
}

/**
 * The threads our convolution kernels run on, with their workers started: 1 unless the
 * current backend is wasm with our Conv2D kernels (and DIGIT_LAB_SIMD_CONV is not off).
 */
export async function convolutionThreads(): Promise<number> {
  if (tf.getBackend() !== BACKEND || !isWasmKernelRegistered("Conv2D") || simdConvOff()) return 1;
  return startConvThreads();
}
