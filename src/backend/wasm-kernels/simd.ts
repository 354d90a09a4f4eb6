/**
 * Loads the hand-written SIMD kernels (simd/kernels.c, prebuilt into
 * simd/simd-module.generated.ts) into the wasm backend's own memory, once per backend
 * instance: they then work on tensors in place, by memory offset.
 */
import { SIMD_MODULE_BASE64 } from "./simd/simd-module.generated";
import { fmaModules, WA } from "./webassembly";

export interface SimdKernels {
  adam_update(
    n: number, w0: number, g: number, m0: number, v0: number, w1: number, m1: number, v1: number,
    b1: number, c1: number, b2: number, c2: number, d1: number, d2: number, eps: number, negLr: number,
  ): void;
  /** C[M,N] = A[M,K]·B[K,N]; arguments after the sizes are byte offsets in the heap. */
  gemm_nn(M: number, N: number, K: number, A: number, B: number, C: number): void;
  /** C[M,N] = Aᵀ·B, A stored [K,M]. */
  gemm_tn(M: number, N: number, K: number, A: number, B: number, C: number): void;
  /** C[M,N] = A·Bᵀ, B stored [N,K]. */
  gemm_nt(M: number, N: number, K: number, A: number, B: number, C: number): void;
  /**
   * One part of a convolution (conv-threads.ts' PART kinds: direct forward, input gradient,
   * filter gradient, Winograd forward, Winograd filter gradient). Sizes as the layer has them;
   * a, b, out and scratch are offsets.
   */
  conv_part(
    kind: number, N: number, H: number, W: number, Ci: number, OH: number, OW: number, Co: number, KH: number, KW: number,
    sh: number, sw: number, pt: number, pl: number, a: number, b: number, out: number, scratch: number,
  ): void;
  /** 1 if this build's convolution kernels fuse their multiply-adds (the *-fma builds), else 0. */
  conv_fused(): number;
  /** Floats of scratch the Winograd kinds need per thread for C input and K output channels. */
  winograd_scratch(C: number, K: number): number;
  /** V [16,I,O] = G g Gᵀ of w [3,3,Ci,Co]; flip = 1 gives the input gradient's filter (I = Co, O = Ci). */
  winograd_filter(Ci: number, Co: number, w: number, V: number, flip: number): void;
  /** dx of max-pooling from the input x and dy (offsets). */
  max_pool_grad(
    N: number, H: number, W: number, C: number, OH: number, OW: number, FH: number, FW: number,
    sh: number, sw: number, pt: number, pl: number, x: number, dy: number, dx: number,
  ): void;
  /** out[c] = Σ_r x[r·C + c]. */
  sum_rows(R: number, C: number, x: number, out: number): void;
  /** dh[i] = h[i] > 0 ? dh[i] : 0, in place. */
  relu_grad(n: number, h: number, dh: number): void;
  /** out += bias (bias 0 = none), then ReLU if relu = 1; in place. */
  bias_activation(M: number, N: number, out: number, bias: number, relu: number): void;
}

interface EmscriptenModule {
  asm?: { memory?: { buffer: ArrayBuffer } };
}


const instances = new WeakMap<object, SimdKernels | null>();
const fmaInstances = new WeakMap<object, SimdKernels | null>();
let compiled: object | undefined;

/** The kernels bound to `backend`'s memory, or undefined if that memory is not reachable. */
export function simdKernelsFor(backend: { wasm?: EmscriptenModule }): SimdKernels | undefined {
  // Synchronous compile is fine: the module is ~26 KB.
  return instanceFor(backend, instances, () => (compiled ??= new WA.Module(Buffer.from(SIMD_MODULE_BASE64, "base64"))));
}

/**
 * The kernels the convolutions use: the fused multiply-add build where it runs (fmaModules) and
 * DIGIT_LAB_FMA=off does not ask for the plain one, else the same as simdKernelsFor. Only the
 * convolutions differ between the two builds.
 */
export function convKernelsFor(backend: { wasm?: EmscriptenModule }): SimdKernels | undefined {
  const fma = fmaInUse();
  return (fma && instanceFor(backend, fmaInstances, () => fma.simd)) ?? simdKernelsFor(backend);
}

function instanceFor(
  backend: { wasm?: EmscriptenModule }, cache: WeakMap<object, SimdKernels | null>, module: () => object,
): SimdKernels | undefined {
  const emscripten = backend.wasm;
  const memory = emscripten?.asm?.memory;
  if (!emscripten || !memory) return undefined;
  let kernels = cache.get(emscripten);
  if (kernels === undefined) {
    try {
      kernels = new WA.Instance(module(), { env: { memory } }).exports as unknown as SimdKernels;
    } catch {
      // E.g. the multi-threaded wasm binary, whose memory is shared: our module declares a
      // plain one. Callers then use the stock kernels.
      kernels = null;
    }
    cache.set(emscripten, kernels);
  }
  return kernels ?? undefined;
}

/** The fused multiply-add builds, when the engine runs them and DIGIT_LAB_FMA=off does not ask for the plain ones. */
export function fmaInUse(): ReturnType<typeof fmaModules> {
  return process.env.DIGIT_LAB_FMA === "off" ? undefined : fmaModules();
}

/** The memory the kernels work in (`backend`'s heap) as it is now: it moves whenever the heap grows. */
export function heapBufferOf(backend: { wasm?: EmscriptenModule }): ArrayBuffer {
  const memory = backend.wasm?.asm?.memory;
  if (!memory) throw new Error("the wasm backend's memory is not reachable");
  return memory.buffer;
}
