/**
 * MaxPoolGrad on wasm by a SIMD kernel (simd/kernels.c max_pool_grad): the stock one took
 * ~12 ms per 2×2 pooling layer at batch 32, as long as a convolution.
 */
import { tf } from "../index";
import { runKernel, type KernelArgs, type TensorInfo } from "./kernel-utils";
import { simdKernelsFor } from "./simd";

interface HeapBackend {
  makeOutput(shape: number[], dtype: "float32"): TensorInfo;
  getMemoryOffset(dataId: object): number;
}

export function maxPoolGrad(args: KernelArgs): TensorInfo {
  const { dy, input } = args.inputs as Record<"dy" | "input", TensorInfo>;
  const attrs = args.attrs as { filterSize: number | [number, number]; strides: number | [number, number]; pad: "valid" | "same" | number; dimRoundingMode?: "floor" | "round" | "ceil" };
  const simd = simdKernelsFor(args.backend as { wasm?: object });
  if (!simd || input.dtype !== "float32" || dy.dtype !== "float32") return runKernel("MaxPoolGrad", args);
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  const heap = args.backend as unknown as HeapBackend;
  const dx = heap.makeOutput(input.shape, "float32");
  const at = (t: TensorInfo) => heap.getMemoryOffset(t.dataId);
  simd.max_pool_grad(
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.effectiveFilterHeight, info.effectiveFilterWidth, info.strideHeight, info.strideWidth,
    info.padInfo.top, info.padInfo.left, at(input), at(dy), at(dx),
  );
  return dx;
}

/**
 * Sum over every axis but the last (the bias gradient of dense and conv layers) without
 * the transposed copy the stock kernel makes first; other reductions go to the stock kernel.
 */
export function sum(args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const allButLast = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  const simd = allButLast && x.dtype === "float32" ? simdKernelsFor(args.backend as { wasm?: object }) : undefined;
  if (!simd) return runKernel("Sum", args);
  const channels = x.shape[rank - 1];
  const heap = args.backend as unknown as HeapBackend;
  const out = heap.makeOutput(keepDims ? [...x.shape.slice(0, -1).map(() => 1), channels] : [channels], "float32");
  simd.sum_rows(tf.util.sizeFromShape(x.shape) / channels, channels, heap.getMemoryOffset(x.dataId), heap.getMemoryOffset(out.dataId));
  return out;
}
