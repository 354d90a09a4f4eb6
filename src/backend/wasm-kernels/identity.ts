/**
 * Identity without a copy. The engine clones every tensor it saves for the backward pass
 * (tf.clone → Identity), ~30 per dense training step; the stock wasm kernel copies the
 * data each time. Tensor data is immutable, so — as the wasm Reshape kernel and the cpu
 * backend's Identity already do — the clone can share it, counted by reference.
 */
import { runKernel, type KernelArgs, type TensorInfo } from "./kernel-utils";

export function identity(args: KernelArgs): TensorInfo {
  const x = args.inputs.x as TensorInfo;
  const backend = args.backend as unknown as { incRef(dataId: object): void };
  if (x.dtype === "string") return runKernel("Identity", args);
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}
