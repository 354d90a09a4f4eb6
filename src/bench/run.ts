/**
 * The training benchmark: trains each model on real MNIST through the project's own
 * training loop (`train`, what users run) and reports seconds per epoch (median of the
 * measured epochs, after warm-up), training throughput, data-load time and the peak memory
 * sampled during each model's run.
 */
import { round } from "../util/format";
import { tf, currentBackend } from "../backend";
import { head, loadMnist, type MnistData } from "../data";
import { evaluatePrepared } from "../eval/evaluate";
import { buildModel } from "../models/variants";
import { prepareSet } from "../train/batches";
import { train, type TrainStep } from "../train";
import { trainStep } from "../train/step";
import { fastTrainStep } from "../train/fast-step";
import { configureConvThreads } from "../backend/wasm-kernels/conv-threads";
import { MAX_THREADS, isThreadCount } from "../backend/wasm-kernels/dense-trainer";
import { runMeter } from "./measure";
import { repeatedModel } from "../compare";
import { UsageError } from "../errors";

const LEARNING_RATE = 0.001;

export const BENCH_PATHS = ["fast", "step", "reference"] as const;
export type BenchPath = (typeof BENCH_PATHS)[number];

export const DEFAULT_BENCH_MODELS = ["dense-128", "dense-128-64", "dense-256-128-32"];

export interface BenchOptions {
  models: string[];
  /** Default 32. */
  batchSize?: number;
  /** Measured epochs (after the warm-up), default 2. */
  epochs?: number;
  /** Unmeasured epochs first (JIT, XNNPACK operator caches, allocator), default 1. */
  warmupEpochs?: number;
  /** Use only the first N training images (before the 80/20 split), for quick runs. */
  trainLimit?: number;
  dataDir?: string;
  /** Data already loaded (skips loading; dataLoadSeconds is then 0). */
  data?: MnistData;
  /** A training step to use instead of the path's own. */
  step?: TrainStep;
  /**
   * "fast" (default): what `train` does by default — plain dense stacks on a multi-threaded
   * DenseTrainer, other models with FastAdam and fastTrainStep. "step": FastAdam and
   * fastTrainStep for every model (a dense net's forward/backward as one kernel call per
   * batch, on the main thread). "reference": stock Adam and the gradient-tape step.
   */
  path?: BenchPath;
  /** Threads of the DenseTrainer (path "fast") and of convolutions on wasm, 1 to 64; default as `train`. */
  threads?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface BenchResult {
  model: string;
  backend: string;
  batchSize: number;
  /** Median wall time of the measured epochs: training plus validation pass. */
  secondsPerEpoch: number;
  /** Median process CPU time of the measured epochs: less disturbed than wall time on a busy machine. */
  cpuSecondsPerEpoch: number;
  path: BenchPath;
  /** Threads that trained (see TrainResult.threads). */
  threads: number;
  /**
   * Median wall time of the measured epochs without the validation pass: from the epoch's start
   * to the end of its last training batch (train()'s last onBatchEnd report of the epoch).
   */
  trainSecondsPerEpoch: number;
  /** Training examples per second: trainSamples / trainSecondsPerEpoch (validation excluded). */
  samplesPerSecond: number;
  /**
   * The largest resident set size (RSS) of the process sampled during this model's run, MiB:
   * at its start, on train()'s onBatchEnd reports (about every 250 ms), at each epoch's end and
   * after the test evaluation. It includes what the process already held (the loaded data, the
   * wasm heap, which never shrinks), but not peaks from before the model's run.
   */
  peakRssMb: number;
  dataLoadSeconds: number;
  trainSamples: number;
  validationSamples: number;
  /** Every epoch's seconds, warm-up first. */
  epochSeconds: number[];
  warmupEpochs: number;
  /** Accuracy on the 10,000 test images after training. */
  testAccuracy: number;
  params: number;
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult[]> {
  // Every spec is checked before the data is read: a typo in the last model would otherwise
  // cost every earlier model's run.
  const twice = repeatedModel(options.models);
  if (twice) throw new UsageError(`runBenchmark options: models lists ${twice}; each model is measured once`);
  const threads = options.threads;
  if (threads !== undefined && !isThreadCount(threads)) {
    throw new UsageError(`runBenchmark options: threads must be a whole number from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const batchSize = options.batchSize ?? 32;
  const epochs = options.epochs ?? 2;
  const warmupEpochs = options.warmupEpochs ?? 1;
  const log = options.log ?? (() => undefined);
  const path = options.path ?? "fast";
  const backend = currentBackend()?.name ?? tf.getBackend();

  let dataLoadSeconds = 0;
  let data = options.data;
  if (!data) {
    const t0 = performance.now();
    data = await loadMnist({ dataDir: options.dataDir });
    dataLoadSeconds = (performance.now() - t0) / 1000;
    log(`loaded MNIST in ${dataLoadSeconds.toFixed(2)} s`);
  }
  const trainSet = options.trainLimit ? head(data.train, options.trainLimit) : data.train;
  const testSet = prepareSet(data.test);

  const results: BenchResult[] = [];
  // Convolutions split between a process-wide pool of threads: size it for this run only.
  if (options.threads !== undefined) configureConvThreads({ threads: options.threads });
  try {
    for (const spec of options.models) {
      const meter = runMeter();
      const model = buildModel(spec);
      const optimizer = path === "reference" ? tf.train.adam(LEARNING_RATE) : undefined;
      const cpuSeconds: number[] = [];
      let cpuMark = process.cpuUsage();
      try {
        const run = await train(model, trainSet, { epochs: warmupEpochs + epochs, batchSize, learningRate: LEARNING_RATE }, {
          verbose: 0,
          step: options.step ?? (path === "reference" ? trainStep : path === "step" ? fastTrainStep : undefined),
          optimizer,
          threads: options.threads,
          onBatchEnd: meter.onBatchEnd,
          onEpochEnd: (e) => {
            meter.onEpochEnd(e);
            const used = process.cpuUsage(cpuMark);
            cpuMark = process.cpuUsage();
            cpuSeconds.push((used.user + used.system) / 1e6);
            log(`${spec}: epoch ${e.epoch}${e.epoch <= warmupEpochs ? " (warm-up)" : ""} ${e.seconds.toFixed(2)} s (training ${meter.trainSeconds[e.epoch - 1].toFixed(2)} s, cpu ${cpuSeconds[cpuSeconds.length - 1].toFixed(2)} s), val acc ${e.valAccuracy?.toFixed(4) ?? "-"}`);
          },
        });
        const epochSeconds = run.history.map((h) => h.seconds);
        const secondsPerEpoch = round(median(epochSeconds.slice(warmupEpochs)), 3);
        const trainSecondsPerEpoch = round(median(meter.trainSeconds.slice(warmupEpochs)), 3);
        const testAccuracy = evaluatePrepared(model, testSet).accuracy;
        meter.sample();
        results.push({
          model: spec,
          backend,
          batchSize,
          secondsPerEpoch,
          cpuSecondsPerEpoch: round(median(cpuSeconds.slice(warmupEpochs)), 3),
          path,
          threads: run.threads,
          trainSecondsPerEpoch,
          samplesPerSecond: Math.round(run.trainCount / trainSecondsPerEpoch),
          peakRssMb: meter.peakRssMb(),
          dataLoadSeconds: round(dataLoadSeconds, 3),
          trainSamples: run.trainCount,
          validationSamples: run.validationCount,
          epochSeconds,
          warmupEpochs,
          testAccuracy,
          params: model.countParams(),
        });
      } finally {
        model.dispose();
        optimizer?.dispose();
      }
    }
  } finally {
    if (options.threads !== undefined) configureConvThreads({});
  }
  return results;
}
