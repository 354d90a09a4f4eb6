/**
 * Convolutions on several threads.
 *
 * The wasm backend's memory cannot be shared with another thread, so a convolution is split
 * into parts: the main thread computes part 0 in place, in the backend's memory, while each
 * worker computes its part on copies in a *shared* memory that this module owns (the worker
 * runs the same C functions, from the trainer module, which includes kernels.c). The main
 * thread then copies the workers' results back.
 *
 *   forward, input gradient   split by images of the batch: each part is the same call on
 *                             fewer images;
 *   filter gradient           the batch's two halves summed separately, then added.
 *
 * Every part is one call of the C function conv_part(kind, …), on every thread: the direct
 * kernels, or Winograd's (which also take a scratch area per thread).
 *
 * Every number is computed by one thread, with the same code and the same order of additions
 * whatever the number of threads (the filter gradient's halves depend on the batch size only),
 * so results do not depend on the number of threads (test/backend/conv-threads.test.ts).
 * Workers start on first use; until one reports ready, and for small convolutions, the main
 * thread does everything. A worker that fails is replaced by the main thread for good.
 */
import { Worker } from "node:worker_threads";
import { fmaModules, trainerModule, WA } from "./webassembly";
import { defaultTrainerThreads } from "./dense-trainer";
import type { SimdKernels } from "./simd";

/** Sizes of a convolution, in the kernels' argument order. */
export interface ConvDims {
  N: number; H: number; W: number; Ci: number; OH: number; OW: number; Co: number;
  KH: number; KW: number; sh: number; sw: number; pt: number; pl: number;
}

const PAGE = 65536;
/** The module's data and (unused) shadow stack live in page 0; the control block follows it. */
const CONTROL = PAGE;
const CONTROL_WORDS = 1024;
const STAGING = CONTROL + 4 * CONTROL_WORDS;
/**
 * Room for the workers' copies. The memory never grows: a worker's instance learns of a grown
 * shared memory only when V8 interrupts its thread, and a worker that had not yet done so failed
 * reading past the old end. Bigger convolutions go through in rounds instead.
 */
const STAGING_FLOATS = 16 * 2 ** 20; // 64 MiB
/** Below this many multiply-adds a convolution is not worth waking a thread for. */
const MIN_PARALLEL_MACS = 4e6;

// Control words (int32, from CONTROL): a job counter, a stop flag, an abort flag, then per thread.
const W_JOB = 0, W_STOP = 1, W_ABORT = 2;
const SLOT0 = 16, SLOT_WORDS = 32;
// Per thread t at SLOT0 + t·SLOT_WORDS: ready, done (job number), kind, then the arguments.
const S_READY = 0, S_DONE = 1, S_KIND = 2, S_ARGS = 3;
/** conv_part's kinds (simd/kernels.c). */
const PART = { forward: 1, inputGrad: 2, filterGrad: 3, winograd: 4, winogradFilterGrad: 5 } as const;
/** conv_part's arguments after the kind: 13 sizes, 3 arrays and a scratch area. */
const PART_ARGS = 17;
/**
 * Added to a job's kind when the main thread runs the fused multiply-add build (conv_fused()):
 * the worker then runs that build too, so every thread computes with the same code.
 */
const FUSED = 64;

const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, fmaModule, memory, thread, control, slot0, slotWords } = workerData;
const words = new Int32Array(memory.buffer, control, 1024);
const slot = slot0 + thread * slotWords;
try {
  const plain = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const fused = fmaModule && new WebAssembly.Instance(fmaModule, { env: { memory } }).exports;
  Atomics.store(words, slot, 1);
  for (let seen = 0; ; ) {
    // Convolutions of one step follow each other within a few ms: spin briefly, then sleep.
    for (let spins = 0; Atomics.load(words, 0) === seen && spins < 20000; spins++);
    Atomics.wait(words, 0, seen);
    seen = Atomics.load(words, 0);
    if (Atomics.load(words, 1)) break;
    const kind = words[slot + 2];
    if (kind !== 0) (kind & ${FUSED} ? fused : plain).conv_part(kind & ~${FUSED}, ...words.subarray(slot + 3, slot + 3 + ${PART_ARGS}));
    Atomics.store(words, slot + 1, seen);
    Atomics.notify(words, slot + 1);
  }
} catch (error) {
  Atomics.store(words, 2, 1);
  Atomics.notify(words, slot + 1);
  throw error;
}`;

/** A job handed to one worker: the call's arguments, its staging layout and how to copy back. */
interface WorkerJob {
  thread: number;
  kind: number;
  args: number[];
  collect(staged: Float32Array): void;
  /** Computes the part on this thread instead (a worker failed). */
  fallback(): void;
}

class ConvThreads {
  private readonly memory: { buffer: SharedArrayBuffer };
  /** The workers' copies: the filter and, per worker, its images' input and output. */
  readonly staging: Float32Array;
  private readonly words: Int32Array;
  private readonly workers: Worker[] = [];
  private jobs = 0;
  private broken = false;
  /** Parts the workers computed (tests check that they did). */
  workerParts = 0;

  constructor(readonly threads: number, stagingFloats: number) {
    const pages = Math.ceil((STAGING + 4 * stagingFloats) / PAGE);
    this.memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    this.words = new Int32Array(this.memory.buffer, CONTROL, CONTROL_WORDS);
    this.staging = new Float32Array(this.memory.buffer, STAGING, stagingFloats);
    const module = trainerModule();
    const fmaModule = fmaModules()?.conv;
    for (let t = 1; t < threads; t++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module, fmaModule, memory: this.memory, thread: t, control: CONTROL, slot0: SLOT0, slotWords: SLOT_WORDS },
      });
      worker.on("error", () => (this.broken = true));
      // An idle pool must not keep the process alive.
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Threads that can take a part now: the main thread plus the workers that are ready. */
  available(): number {
    if (this.broken || Atomics.load(this.words, W_ABORT)) return 1;
    let ready = 1;
    while (ready < this.threads && Atomics.load(this.words, SLOT0 + ready * SLOT_WORDS + S_READY) === 1) ready++;
    return ready;
  }

  /**
   * Starts `jobs` on the workers, runs `mainPart` here, waits for the workers and lets each
   * job copy its result back. If a worker failed, its part runs here instead.
   */
  run(jobs: WorkerJob[], mainPart: () => void): void {
    const job = ++this.jobs;
    for (let t = 1; t < this.threads; t++) this.words[SLOT0 + t * SLOT_WORDS + S_KIND] = 0;
    for (const j of jobs) {
      const slot = SLOT0 + j.thread * SLOT_WORDS;
      this.words[slot + S_KIND] = j.kind;
      this.words.set(j.args, slot + S_ARGS);
    }
    Atomics.store(this.words, W_JOB, job);
    Atomics.notify(this.words, W_JOB);
    mainPart();
    for (const j of jobs) {
      const done = SLOT0 + j.thread * SLOT_WORDS + S_DONE;
      let current: number;
      for (let spins = 0; (current = Atomics.load(this.words, done)) !== job; spins++) {
        if (this.broken || Atomics.load(this.words, W_ABORT)) break;
        if (spins > 100000) Atomics.wait(this.words, done, current, 100);
      }
      if (current === job) {
        j.collect(this.staging);
        this.workerParts++;
      } else {
        this.broken = true;
        j.fallback();
      }
    }
  }

  dispose(): void {
    Atomics.store(this.words, W_STOP, 1);
    Atomics.add(this.words, W_JOB, 1);
    Atomics.notify(this.words, W_JOB);
    for (const worker of this.workers) void worker.terminate();
  }
}

let pool: ConvThreads | undefined | null;
let settings: { threads?: number; stagingFloats?: number } = {};

/** The process's pool, started on first use; null when one thread is all there is (or wanted). */
function threadPool(): ConvThreads | null {
  if (pool === undefined) {
    const threads = settings.threads ?? defaultTrainerThreads();
    pool = threads > 1 ? new ConvThreads(threads, settings.stagingFloats ?? STAGING_FLOATS) : null;
  }
  return pool;
}

/**
 * For tests and comparisons: the threads (default DIGIT_LAB_THREADS, else the cores, at most 4)
 * and staging size (floats) of the pool that the next convolution starts. Stops the current pool.
 */
export function configureConvThreads(next: { threads?: number; stagingFloats?: number }): void {
  stopConvThreads();
  settings = { ...next };
}

/** Threads of the current pool (1 without one) and the parts its workers have computed. */
export function convThreadStats(): { threads: number; workerParts: number } {
  return { threads: pool ? pool.threads : 1, workerParts: pool ? pool.workerParts : 0 };
}

/**
 * Starts the workers now (rather than at the first convolution) and resolves, once they are
 * ready, with the number of threads convolutions will use (1 if they are not ready in `timeoutMs`).
 */
export async function startConvThreads(timeoutMs = 10_000): Promise<number> {
  const p = threadPool();
  if (!p) return 1;
  for (const until = Date.now() + timeoutMs; p.available() < p.threads && Date.now() < until; ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return p.available();
}

/** Stops the workers (tests; a later convolution starts a new pool). */
export function stopConvThreads(): void {
  pool?.dispose();
  pool = undefined;
}

/** Splits [0, count) into `parts` contiguous ranges of nearly equal size. */
function ranges(count: number, parts: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let p = 0; p < parts; p++) {
    const lo = Math.floor((count * p) / parts), hi = Math.floor((count * (p + 1)) / parts);
    if (hi > lo) out.push([lo, hi]);
  }
  return out;
}

/** conv_part's 13 size arguments. */
type SizeArgs = [number, number, number, number, number, number, number, number, number, number, number, number, number];

function dimsArgs(d: ConvDims, N = d.N): SizeArgs {
  return [N, d.H, d.W, d.Ci, d.OH, d.OW, d.Co, d.KH, d.KW, d.sh, d.sw, d.pt, d.pl];
}

/** How many threads to use for convolution `d` split into at most `maxParts`. */
function partsFor(d: ConvDims, maxParts: number): { pool: ConvThreads; parts: number } | undefined {
  const macs = d.N * d.OH * d.OW * d.Co * d.KH * d.KW * d.Ci;
  if (macs < MIN_PARALLEL_MACS || maxParts < 2) return undefined;
  const p = threadPool();
  const parts = p ? Math.min(p.available(), maxParts) : 1;
  return p && parts > 1 ? { pool: p, parts } : undefined;
}

/** Where a part's scratch lies: `at` on the main thread (bytes in the heap), `floats` per thread. */
interface Scratch {
  at: number;
  floats: number;
}
const NO_SCRATCH: Scratch = { at: 0, floats: 0 };

/**
 * A convolution split by images: `input`/`output` are the per-image arrays (x → y, or dy → dx)
 * and `filter` what every part reads. Offsets are bytes in `heap`. Batches too big for the
 * staging memory go through in rounds, each split between the threads. The staging memory holds
 * the filter, then each worker's scratch, then each worker's images.
 */
function byImages(
  k: SimdKernels, kind: number, heap: ArrayBuffer, d: ConvDims,
  input: { at: number; perImage: number }, filter: { at: number; size: number }, output: { at: number; perImage: number },
  scratch: Scratch,
): void {
  const images = (lo: number, hi: number) =>
    k.conv_part(kind, ...dimsArgs(d, hi - lo), input.at + 4 * lo * input.perImage, filter.at, output.at + 4 * lo * output.perImage, scratch.at);
  const split = partsFor(d, d.N);
  const perImage = input.perImage + output.perImage;
  const workers = split ? split.parts - 1 : 0;
  const shared = filter.size + workers * scratch.floats;
  // Images per worker per round: as many as its share of the staging memory holds.
  const roundImages = split ? Math.min(Math.ceil(d.N / split.parts), Math.floor((split.pool.staging.length - shared) / workers / perImage)) : 0;
  if (!split || roundImages < 1) return images(0, d.N);
  const { staging } = split.pool;
  const heapF32 = new Float32Array(heap);
  staging.set(heapF32.subarray(filter.at >>> 2, (filter.at >>> 2) + filter.size), 0);
  const base = staging.byteOffset;
  for (let start = 0; start < d.N; start += roundImages * split.parts) {
    const [mine, ...theirs] = ranges(Math.min(roundImages * split.parts, d.N - start), split.parts).map(
      ([lo, hi]) => [start + lo, start + hi] as [number, number],
    );
    const jobs: WorkerJob[] = theirs.map(([lo, hi], i) => {
      const inAt = shared + i * roundImages * perImage;
      const outAt = inAt + (hi - lo) * input.perImage;
      const scratchAt = filter.size + i * scratch.floats;
      staging.set(heapF32.subarray((input.at >>> 2) + lo * input.perImage, (input.at >>> 2) + hi * input.perImage), inAt);
      return {
        thread: i + 1,
        kind: kind | (k.conv_fused() ? FUSED : 0),
        args: [...dimsArgs(d, hi - lo), base + 4 * inAt, base, base + 4 * outAt, base + 4 * scratchAt],
        collect: (staged) =>
          heapF32.set(staged.subarray(outAt, outAt + (hi - lo) * output.perImage), (output.at >>> 2) + lo * output.perImage),
        fallback: () => images(lo, hi),
      };
    });
    split.pool.run(jobs, () => images(...mine));
  }
}

/** y [N,OH,OW,Co] = conv(x [N,H,W,Ci], w [KH,KW,Ci,Co]); offsets are bytes in the backend's memory. */
export function conv2dForward(k: SimdKernels, heap: ArrayBuffer, d: ConvDims, x: number, w: number, y: number): void {
  byImages(k, PART.forward, heap, d,
    { at: x, perImage: d.H * d.W * d.Ci }, { at: w, size: d.KH * d.KW * d.Ci * d.Co }, { at: y, perImage: d.OH * d.OW * d.Co }, NO_SCRATCH);
}

/** dx [N,H,W,Ci] from dy [N,OH,OW,Co] and the filter transposed to [KH,KW,Co,Ci]. */
export function conv2dInputGrad(k: SimdKernels, heap: ArrayBuffer, d: ConvDims, dy: number, wt: number, dx: number): void {
  byImages(k, PART.inputGrad, heap, d,
    { at: dy, perImage: d.OH * d.OW * d.Co }, { at: wt, size: d.KH * d.KW * d.Ci * d.Co }, { at: dx, perImage: d.H * d.W * d.Ci }, NO_SCRATCH);
}

/**
 * y [N,OH,OW,Co] = conv(x [N,H,W,Ci], w) by Winograd F(2×2, 3×3), from the transformed filter
 * V [16,Ci,Co] (winograd_filter). `d` is a 3×3, stride-1 convolution; `scratchAt` the main
 * thread's winograd_scratch(Ci, Co) floats.
 */
export function conv2dWinograd(k: SimdKernels, heap: ArrayBuffer, d: ConvDims, x: number, V: number, y: number, scratchAt: number): void {
  byImages(k, PART.winograd, heap, d,
    { at: x, perImage: d.H * d.W * d.Ci }, { at: V, size: 16 * d.Ci * d.Co }, { at: y, perImage: d.OH * d.OW * d.Co },
    { at: scratchAt, floats: k.winograd_scratch(d.Ci, d.Co) });
}

/**
 * dw [KH,KW,Ci,Co] from x [N,H,W,Ci] and dy [N,OH,OW,Co]. Every dw element sums over the whole
 * batch, so the two halves of the batch are summed separately, into `halves` (two dw-sized
 * arrays), and then added; a worker takes the second half. (Splitting dw by output channels
 * instead keeps one sum per element, but both threads then read all of x and dy, and two
 * threads were hardly faster than one.) The halves depend on the batch size only, so the
 * result does not depend on the number of threads. With `winogradScratch` (the main thread's
 * winograd_scratch(Ci, Co) floats; 3×3, stride 1 only) each half is summed by Winograd.
 */
export function conv2dFilterGrad(
  k: SimdKernels, heap: ArrayBuffer, d: ConvDims, x: number, dy: number, dw: number, halves: number, winogradScratch?: number,
): void {
  const xPerImage = d.H * d.W * d.Ci, dyPerImage = d.OH * d.OW * d.Co, size = d.KH * d.KW * d.Ci * d.Co;
  const kind = winogradScratch === undefined ? PART.filterGrad : PART.winogradFilterGrad;
  const scratch = winogradScratch === undefined ? NO_SCRATCH : { at: winogradScratch, floats: k.winograd_scratch(d.Ci, d.Co) };
  const images = (lo: number, hi: number, at: number) =>
    k.conv_part(kind, ...dimsArgs(d, hi - lo), x + 4 * lo * xPerImage, dy + 4 * lo * dyPerImage, at, scratch.at);
  const half = d.N >> 1;
  if (half === 0) return images(0, d.N, dw);
  const rest = d.N - half;
  const split = partsFor(d, 2);
  const staging = split?.pool.staging;
  if (!split || !staging || rest * (xPerImage + dyPerImage) + size + scratch.floats > staging.length) {
    images(0, half, halves);
    images(half, d.N, halves + 4 * size);
  } else {
    const heapF32 = new Float32Array(heap);
    staging.set(heapF32.subarray((x >>> 2) + half * xPerImage, (x >>> 2) + d.N * xPerImage), 0);
    staging.set(heapF32.subarray((dy >>> 2) + half * dyPerImage, (dy >>> 2) + d.N * dyPerImage), rest * xPerImage);
    const dwAt = rest * (xPerImage + dyPerImage);
    const base = staging.byteOffset;
    const job: WorkerJob = {
      thread: 1,
      kind: kind | (k.conv_fused() ? FUSED : 0),
      args: [...dimsArgs(d, rest), base, base + 4 * rest * xPerImage, base + 4 * dwAt, base + 4 * (dwAt + size)],
      collect: (staged) => heapF32.set(staged.subarray(dwAt, dwAt + size), (halves >>> 2) + size),
      fallback: () => images(half, d.N, halves + 4 * size),
    };
    split.pool.run([job], () => images(0, half, halves));
  }
  k.sum_rows(2, size, halves, dw);
}
