/**
 * `DenseTrainer`: Adam training steps of a dense ReLU/softmax network on several threads.
 *
 * The per-step kernels (dense-grads.ts + FastAdam) run on one core, because the wasm
 * backend's memory cannot be shared with another thread. This trainer keeps a copy of the
 * weights, Adam's moments and the epoch's shuffled examples in its own *shared*
 * WebAssembly memory, and runs simd/dense-trainer.c on the main thread plus worker threads
 * that join every step (L + 2 barriers per step for L layers). The caller copies the weights back into
 * the model whenever it needs them (`read`), e.g. once per epoch for validation.
 *
 * Results do not depend on the number of threads: every number is computed by one thread
 * with the same code in the same order (test/backend/dense-trainer.test.ts).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { trainerModule, WA } from "./webassembly";
import { UsageError } from "../../errors";

export interface DenseLayerInit {
  /** [inputs, units] row-major, as a tfjs Dense kernel. */
  kernel: Float32Array;
  bias: Float32Array;
  inputs: number;
  units: number;
  /** Dropout rate on this (hidden) layer's output while training: 0 (default) for none. */
  dropout?: number;
  /** L2 penalty l2·ΣW² on the kernel, as tf.regularizers.l2: 0 (default) for none. */
  l2?: number;
}

export interface DenseTrainerOptions {
  /** Hidden layers ReLU, last layer softmax. */
  layers: DenseLayerInit[];
  /** Largest batch `step` will be given. */
  maxBatch: number;
  /** Examples the epoch buffers (`epochX`, `epochY`) hold. */
  examples: number;
  /** Examples the evaluation buffers (`evalX`, `evalY`) hold (default 0). */
  evaluationExamples?: number;
  adam: { beta1: number; beta2: number; epsilon: number };
  /** Seeds the dropout masks (default 0): the same seed and steps give the same masks. */
  seed?: number;
  /** Threads per step, main thread included. Default: DIGIT_LAB_THREADS, else the cores (at most 4). */
  threads?: number;
}

// Word indices of the control block; they mirror the enums in simd/dense-trainer.c.
const C_LAYERS = 0, C_THREADS = 1, C_BATCH = 2, C_X = 3, C_Y = 4, C_JOB = 5, C_STOP = 6;
const C_ROW_LOSS = 9, C_CORRECT = 10, C_ABORT = 11, C_EVALUATE = 12, C_SEED = 13, C_STEP = 14, C_PENALTY = 15;
const C_ADAM = 16, C_LAYER0 = 32, C_LAYER_WORDS = 16;
const L_IN = 0, L_OUT = 1, L_W = 2, L_B = 3, L_MW = 4, L_VW = 5, L_MB = 6, L_VB = 7, L_DW = 8, L_DB = 9, L_ACT = 10, L_DZ = 11;
const L_KEEP = 12, L_L2 = 13;

const PAGE = 65536;
/** Below this the module's (unused) shadow stack would live; our arrays start above it. */
const HEAP_START = PAGE;

interface TrainerExports {
  dense_step(ctx: number): number;
  worker_step(ctx: number, thread: number, seen: number): number;
}

// A worker compiles nothing: it instantiates the module the main thread compiled, on the shared memory.
const WORKER_SOURCE = `
const { workerData, parentPort } = require("node:worker_threads");
const { module, memory, ctx, thread, abortIndex } = workerData;
try {
  const kernels = new WebAssembly.Instance(module, { env: { memory } }).exports;
  parentPort.postMessage("ready");
  // Step numbers start at 1: a step posted before this thread got here still runs.
  for (let seen = 0; (seen = kernels.worker_step(ctx, thread, seen)) !== 0; );
} catch (error) {
  const words = new Int32Array(memory.buffer);
  Atomics.store(words, abortIndex, 1);
  Atomics.notify(words, abortIndex);
  throw error;
}`;

/** The most threads DIGIT_LAB_THREADS, or a command's --threads, may ask for. */
export const MAX_THREADS = 64;

/** Whether `n` is a thread count digit-lab takes: a whole number from 1 to MAX_THREADS. */
export function isThreadCount(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= MAX_THREADS;
}

/** DIGIT_LAB_THREADS, else the machine's cores, at most 4. A bad DIGIT_LAB_THREADS is a usage error (the CLI checks it up front). */
export function defaultTrainerThreads(): number {
  const env = process.env.DIGIT_LAB_THREADS;
  if (env !== undefined && env !== "") {
    const n = Number(env);
    if (!isThreadCount(n)) throw new UsageError(`DIGIT_LAB_THREADS must be a whole number from 1 to ${MAX_THREADS}, got "${env}"`);
    return n;
  }
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class DenseTrainer {
  /** The epoch's examples, in training order: fill before the epoch's steps (flattened, 0–1). */
  readonly epochX: Float32Array;
  readonly epochY: Int32Array;
  /** A held-out set for `evaluate`: fill once (flattened, 0–1). */
  readonly evalX: Float32Array;
  readonly evalY: Int32Array;
  readonly threads: number;
  private readonly memory: { buffer: SharedArrayBuffer };
  private readonly words: Int32Array;
  private readonly floats: Float32Array;
  private readonly ctx: number;
  private readonly exports: TrainerExports;
  private readonly workers: Worker[] = [];
  private readonly layers: DenseLayerInit[];
  private readonly maxBatch: number;
  /** Rows per evaluation chunk: activations are allocated for at least this many. */
  private readonly evalChunk: number;
  private readonly adam: { b1: number; c1: number; b2: number; c2: number; eps: number };
  /** β1ᵗ and β2ᵗ as float32, as tfjs' Adam keeps them. */
  private accBeta1: number;
  private accBeta2: number;
  /** Steps taken: numbers the dropout masks. */
  private steps = 0;
  private readonly hasL2: boolean;
  private disposed = false;

  /** Starts the worker threads; resolves once every one is ready. */
  static async create(options: DenseTrainerOptions): Promise<DenseTrainer> {
    const trainer = new DenseTrainer(options);
    try {
      await trainer.startWorkers();
    } catch (error) {
      trainer.dispose();
      throw error;
    }
    return trainer;
  }

  private constructor(options: DenseTrainerOptions) {
    const { layers, maxBatch, examples } = options;
    if (layers.length === 0) throw new RangeError("DenseTrainer needs at least one layer");
    layers.forEach((l, i) => {
      if (l.kernel.length !== l.inputs * l.units || l.bias.length !== l.units) throw new RangeError(`layer ${i}: kernel or bias size does not match ${l.inputs}×${l.units}`);
      if (i > 0 && l.inputs !== layers[i - 1].units) throw new RangeError(`layer ${i} takes ${l.inputs} inputs but layer ${i - 1} gives ${layers[i - 1].units}`);
      const dropout = l.dropout ?? 0;
      if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`layer ${i}: dropout must be in [0, 1), got ${dropout}`);
      if (dropout > 0 && i === layers.length - 1) throw new RangeError(`layer ${i}: dropout applies to hidden layers, not the output layer`);
      if (!((l.l2 ?? 0) >= 0)) throw new RangeError(`layer ${i}: l2 must be ≥ 0, got ${l.l2}`);
    });
    this.hasL2 = layers.some((l) => (l.l2 ?? 0) > 0);
    this.layers = layers;
    this.maxBatch = maxBatch;
    this.evalChunk = Math.max(maxBatch, 512);
    const evaluationExamples = options.evaluationExamples ?? 0;
    this.threads = options.threads ?? defaultTrainerThreads();

    // Lay out every array in one memory (16-byte aligned for SIMD loads).
    let top = HEAP_START;
    const alloc = (bytes: number) => {
      const at = top;
      top += Math.ceil(bytes / 64) * 64;
      return at;
    };
    const ctx = alloc(4 * (C_LAYER0 + C_LAYER_WORDS * layers.length));
    const size = layers[0].inputs;
    const offsets = layers.map((l) => {
      const w = 4 * l.inputs * l.units;
      const b = 4 * l.units;
      return {
        w: alloc(w), b: alloc(b), mw: alloc(w), vw: alloc(w), mb: alloc(b), vb: alloc(b), dw: alloc(w), db: alloc(b),
        act: alloc(4 * this.evalChunk * l.units), dz: alloc(4 * this.evalChunk * l.units),
      };
    });
    const rowLoss = alloc(16 * this.evalChunk);
    const correct = alloc(4 * this.threads);
    const penalty = alloc(8 * this.threads);
    const epochX = alloc(4 * examples * size);
    const epochY = alloc(4 * examples);
    const evalX = alloc(4 * evaluationExamples * size);
    const evalY = alloc(4 * evaluationExamples);
    const pages = Math.ceil(top / PAGE);
    if (pages > 65536) throw new RangeError(`DenseTrainer needs ${(top / 2 ** 30).toFixed(1)} GiB, more than WebAssembly's 4 GiB`);
    const memory = new WA.Memory({ initial: pages, maximum: pages, shared: true });
    this.exports = new WA.Instance(trainerModule(), { env: { memory } }).exports as unknown as TrainerExports;
    this.memory = memory;
    this.ctx = ctx;
    this.words = new Int32Array(memory.buffer);
    this.floats = new Float32Array(memory.buffer);

    const w = this.words;
    const c = ctx >> 2;
    w[c + C_LAYERS] = layers.length;
    w[c + C_THREADS] = this.threads;
    w[c + C_ROW_LOSS] = rowLoss;
    w[c + C_CORRECT] = correct;
    w[c + C_PENALTY] = penalty;
    w[c + C_SEED] = options.seed ?? 0;
    layers.forEach((l, i) => {
      const o = offsets[i];
      const base = c + C_LAYER0 + C_LAYER_WORDS * i;
      w[base + L_IN] = l.inputs;
      w[base + L_OUT] = l.units;
      this.floats[base + L_KEEP] = Math.fround(1 - (l.dropout ?? 0));
      this.floats[base + L_L2] = l.l2 ?? 0;
      [o.w, o.b, o.mw, o.vw, o.mb, o.vb, o.dw, o.db, o.act, o.dz].forEach((offset, k) => (w[base + L_W + k] = offset));
      this.floats.set(l.kernel, o.w >> 2);
      this.floats.set(l.bias, o.b >> 2);
    });
    this.epochX = new Float32Array(memory.buffer, epochX, examples * size);
    this.epochY = new Int32Array(memory.buffer, epochY, examples);
    this.evalX = new Float32Array(memory.buffer, evalX, evaluationExamples * size);
    this.evalY = new Int32Array(memory.buffer, evalY, evaluationExamples);

    const f = Math.fround;
    const { beta1, beta2, epsilon } = options.adam;
    this.adam = { b1: f(beta1), c1: f(1 - beta1), b2: f(beta2), c2: f(1 - beta2), eps: f(epsilon) };
    this.accBeta1 = f(beta1);
    this.accBeta2 = f(beta2);
  }

  private async startWorkers(): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let t = 1; t < this.threads; t++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { module: trainerModule(), memory: this.memory, ctx: this.ctx, thread: t, abortIndex: (this.ctx >> 2) + C_ABORT },
      });
      this.workers.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once("message", () => resolve());
          worker.once("error", reject);
          worker.once("exit", (code) => reject(new Error(`a training thread exited (code ${code}) before it started`)));
        }),
      );
    }
    await Promise.all(ready);
    // A trainer someone forgot to dispose must not keep the process alive (only once they
    // are ready: until then the awaited promise needs the workers to hold the event loop).
    for (const worker of this.workers) worker.unref();
  }

  /**
   * One Adam step on examples [start, end) of the epoch buffers. Returns the summed
   * cross-entropy of those examples (from the logits, as Keras takes it) and how many were right.
   */
  step(start: number, end: number, learningRate: number): { lossSum: number; correct: number } {
    if (this.disposed) throw new Error("DenseTrainer was disposed");
    const batch = end - start;
    if (!(batch >= 1 && batch <= this.maxBatch && start >= 0 && end <= this.epochY.length)) {
      throw new RangeError(`batch [${start}, ${end}) is outside the epoch buffer or larger than ${this.maxBatch}`);
    }
    const f = Math.fround;
    const a = this.adam;
    this.floats.set([a.b1, a.c1, a.b2, a.c2, f(1 - this.accBeta1), f(1 - this.accBeta2), a.eps, f(-learningRate)], (this.ctx >> 2) + C_ADAM);
    this.words[(this.ctx >> 2) + C_STEP] = this.steps++;
    const result = this.run(this.epochX, this.epochY, start, end, false);
    this.accBeta1 = f(this.accBeta1 * a.b1);
    this.accBeta2 = f(this.accBeta2 * a.b2);
    if (this.hasL2) {
      // As Keras reports it: the batch's mean loss plus the penalty (of the weights the step started from).
      const penalties = new Float64Array(this.memory.buffer, this.words[(this.ctx >> 2) + C_PENALTY], this.threads);
      result.lossSum += batch * penalties.reduce((sum, p) => sum + p, 0);
    }
    return result;
  }

  /** Mean loss and accuracy on the first `count` examples of the evaluation buffers (no update). */
  evaluate(count = this.evalY.length): { loss: number; accuracy: number } {
    if (this.disposed) throw new Error("DenseTrainer was disposed");
    if (!(count >= 0 && count <= this.evalY.length)) throw new RangeError(`cannot evaluate ${count} examples: the evaluation buffers hold ${this.evalY.length}`);
    let lossSum = 0;
    let correct = 0;
    for (let start = 0; start < count; start += this.evalChunk) {
      const r = this.run(this.evalX, this.evalY, start, Math.min(count, start + this.evalChunk), true);
      lossSum += r.lossSum;
      correct += r.correct;
    }
    return count ? { loss: lossSum / count + this.penalty(), accuracy: correct / count } : { loss: 0, accuracy: 0 };
  }

  /** The L2 penalty Σ l2·ΣW² of the current weights (0 without L2). */
  private penalty(): number {
    let total = 0;
    this.layers.forEach((l, i) => {
      if (!l.l2) return;
      const at = this.words[(this.ctx >> 2) + C_LAYER0 + C_LAYER_WORDS * i + L_W] >> 2;
      total += l.l2 * this.floats.subarray(at, at + l.inputs * l.units).reduce((sum, v) => sum + v * v, 0);
    });
    return total;
  }

  /** One pass of the threads over rows [start, end) of x/y: a training step, or only the loss. */
  private run(x: Float32Array, y: Int32Array, start: number, end: number, evaluate: boolean): { lossSum: number; correct: number } {
    const c = this.ctx >> 2;
    const w = this.words;
    const batch = end - start;
    w[c + C_BATCH] = batch;
    w[c + C_X] = x.byteOffset + 4 * start * this.layers[0].inputs;
    w[c + C_Y] = y.byteOffset + 4 * start;
    w[c + C_EVALUATE] = evaluate ? 1 : 0;
    if (this.exports.dense_step(this.ctx) !== 0) {
      this.dispose();
      throw new Error("a training thread failed; DIGIT_LAB_THREADS=1 trains on the main thread only");
    }
    let lossSum = 0;
    // Cross-entropy from the logits: per row, log(Σ exp(z − max)) − (z_y − max).
    const rowLoss = new Float64Array(this.memory.buffer, w[c + C_ROW_LOSS], 2 * batch);
    for (let i = 0; i < batch; i++) lossSum += Math.log(rowLoss[2 * i]) - rowLoss[2 * i + 1];
    let correct = 0;
    for (let t = 0; t < this.threads; t++) correct += w[(w[c + C_CORRECT] >> 2) + t];
    return { lossSum, correct };
  }

  /** Copies of the current weights: [kernel0, bias0, kernel1, bias1, …]. */
  read(): Float32Array[] {
    const c = this.ctx >> 2;
    const out: Float32Array[] = [];
    this.layers.forEach((l, i) => {
      const base = c + C_LAYER0 + C_LAYER_WORDS * i;
      const wAt = this.words[base + L_W] >> 2;
      const bAt = this.words[base + L_B] >> 2;
      out.push(this.floats.slice(wAt, wAt + l.inputs * l.units), this.floats.slice(bAt, bAt + l.units));
    });
    return out;
  }

  /** Stops the worker threads. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const c = this.ctx >> 2;
    Atomics.store(this.words, c + C_STOP, 1);
    Atomics.add(this.words, c + C_JOB, 1);
    Atomics.notify(this.words, c + C_JOB);
    for (const worker of this.workers) void worker.terminate();
  }
}
