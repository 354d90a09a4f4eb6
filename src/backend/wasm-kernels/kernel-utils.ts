/**
 * Small helpers for writing wasm kernels out of other wasm kernels.
 *
 * A kernel function receives TensorInfos (dataId + shape + dtype), not Tensors, and
 * must free every intermediate it makes with `backend.disposeData`. Calling other
 * kernels' functions directly (instead of tf ops) keeps that bookkeeping cheap: no
 * engine scopes, no tape, no extra Tensor objects per call.
 */
import { tf } from "../index";

export type TensorInfo = tf.TensorInfo;

/** The part of the wasm backend object these kernels use. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
}

export interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: WasmBackendLike;
  attrs?: Record<string, unknown>;
}

export type WasmKernelFunc = (args: KernelArgs) => TensorInfo;

/** The kernel function registered for `kernelName` on wasm, as it was before we touched it. */
const originals = new Map<string, WasmKernelFunc>();

export function originalKernel(kernelName: string): WasmKernelFunc {
  const saved = originals.get(kernelName);
  if (saved) return saved;
  const config = tf.getKernel(kernelName, "wasm");
  if (!config) throw new Error(`the wasm backend has no ${kernelName} kernel`);
  const fn = config.kernelFunc as unknown as WasmKernelFunc;
  originals.set(kernelName, fn);
  return fn;
}

/** Runs another wasm kernel by name (its original implementation). */
export function runKernel(kernelName: string, args: KernelArgs): TensorInfo {
  return originalKernel(kernelName)(args);
}

/** Swaps the last two axes of `x` with the wasm Transpose kernel (a fast copy). */
export function transposeLastTwo(x: TensorInfo, backend: WasmBackendLike): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runKernel("Transpose", { inputs: { x }, backend, attrs: { perm } });
}

export function transpose(x: TensorInfo, perm: number[], backend: WasmBackendLike): TensorInfo {
  return runKernel("Transpose", { inputs: { x }, backend, attrs: { perm } });
}

/** Reshape on wasm shares the data (no copy); the result must still be disposed. */
export function reshape(x: TensorInfo, shape: number[], backend: WasmBackendLike): TensorInfo {
  return runKernel("Reshape", { inputs: { x }, backend, attrs: { shape } });
}

export function dispose(backend: WasmBackendLike, ...infos: (TensorInfo | undefined)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}
