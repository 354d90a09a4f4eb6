/**
 * The WebAssembly API as the kernels use it, typed here once: WebAssembly's own typings live in
 * the DOM lib, which code notebooks import must not use.
 */
import * as v8 from "node:v8";
import { TRAINER_MODULE_BASE64 } from "./simd/trainer-module.generated";
import { SIMD_FMA_MODULE_BASE64 } from "./simd/simd-fma-module.generated";
import { CONV_FMA_MODULE_BASE64 } from "./simd/conv-fma-module.generated";

interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
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

let fma: { simd: object; conv: object } | null | undefined;

/**
 * The convolutions' fused multiply-add builds (simd/build.sh's *-fma modules): `simd` for the
 * backend's memory, `conv` for the workers' shared memory. Undefined where this JavaScript engine
 * cannot run relaxed SIMD.
 */
export function fmaModules(): { simd: object; conv: object } | undefined {
  if (fma === undefined) {
    const simd = Buffer.from(SIMD_FMA_MODULE_BASE64, "base64");
    const conv = Buffer.from(CONV_FMA_MODULE_BASE64, "base64");
    // Relaxed SIMD is on by default from Node 22 (V8 11.4). Node 20's V8 has it behind a flag,
    // which V8 reads when it validates a module, so setting it now is enough.
    if (!WA.validate(simd)) {
      try {
        v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
      } catch {
        // An engine without the flag: the plain builds serve.
      }
    }
    fma = WA.validate(simd) && WA.validate(conv) ? { simd: new WA.Module(simd), conv: new WA.Module(conv) } : null;
  }
  return fma ?? undefined;
}
