/**
 * The WebAssembly API as the kernels use it, typed here once: WebAssembly's own typings live in
 * the DOM lib, which code notebooks import must not use.
 */
import { TRAINER_MODULE_BASE64 } from "./simd/trainer-module.generated";

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { buffer: SharedArrayBuffer };
}
export const WA = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

let trainer: object | undefined;

/**
 * The trainer module (simd/dense-trainer.c with kernels.c, on a shared memory), compiled once per
 * process: the DenseTrainer and the convolution threads instantiate it, workers included.
 */
export function trainerModule(): object {
  return (trainer ??= new WA.Module(Buffer.from(TRAINER_MODULE_BASE64, "base64")));
}
