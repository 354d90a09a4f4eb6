/**
 * Comparing architectures: train each variant under the same settings and seed, and keep
 * every finished run in a cache keyed by those settings, so re-running a comparison (or
 * adding one variant) trains only what has not been trained before.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { currentBackend, initBackend } from "../backend";
import { wasmArithmetic } from "../backend/wasm-kernels";
import { head, loadMnist, type DatasetName, type MnistData } from "../data";
import { evaluate } from "../eval";
import { buildModel, defaultDropout, denseHiddenSizes } from "../models";
import { train, TrainingInterrupted, type TrainOptions, type TrainResult } from "../train";
import type { ComparisonRow, EpochLog } from "../types";
import { fileTargetProblem, writeFileAtomic } from "../util/atomic-write";
import { counted } from "../util/format";
import { checkOptionNames, type OptionNames } from "../util/options";
import { DigitLabError, UsageError } from "../errors";

/** What a comparison varies (the variants) and what it holds fixed (the rest). */
export interface CompareSettings {
  variants: string[];
  epochs: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  /** Train on the first N training images only (before the validation split). */
  trainLimit?: number;
  dropout?: number;
  l2?: number;
  dataset?: DatasetName;
}

const COMPARE_SETTINGS: OptionNames<CompareSettings> = {
  variants: true, epochs: true, batchSize: true, learningRate: true, seed: true, trainLimit: true, dropout: true, l2: true, dataset: true,
};

/** One finished run, as cached. */
export interface RunRecord {
  key: string;
  model: string;
  params: number;
  settings: RunSettings;
  backend: string;
  history: EpochLog[];
  secondsPerEpoch: number;
  testLoss: number;
  testAccuracy: number;
  createdAt: string;
}

export type RunSettings = Required<Omit<CompareSettings, "variants" | "trainLimit" | "dataset">> & {
  model: string;
  trainLimit: number | null;
  dataset: DatasetName;
};

/**
 * Bumped whenever training itself changes, so older cached runs are not shown as current.
 * 2: the loss from the logits (Keras'), dropout on the DenseTrainer. 3: convolution filter
 * gradients sum the batch's two halves separately (conv-threads.ts), which changes CNN runs in the last bits.
 * 4: the cnn keeps its own dropout (0.25) unless one is given; the kernels' arithmetic is part of the key.
 */
const CACHE_VERSION = 4;
const PROJECT_CACHE = path.resolve(__dirname, "..", "..", ".cache", "runs");

/** Where cached runs live: DIGIT_LAB_CACHE_DIR, else `<project>/.cache/runs`. */
export function defaultCacheDir(): string {
  return path.resolve(process.env.DIGIT_LAB_CACHE_DIR ?? PROJECT_CACHE);
}

/** The settings of one variant's run, with every default filled in (the cache key's content). */
export function runSettings(settings: CompareSettings, model: string): RunSettings {
  return {
    model,
    epochs: settings.epochs,
    batchSize: settings.batchSize ?? 32,
    learningRate: settings.learningRate ?? 0.001,
    seed: settings.seed ?? 42,
    trainLimit: settings.trainLimit ?? null,
    dropout: settings.dropout ?? defaultDropout(model),
    l2: settings.l2 ?? 0,
    dataset: settings.dataset ?? "mnist",
  };
}

/** A stable key: the same settings, data files and backend give the same key. */
export function runKey(settings: RunSettings, dataChecksum: string, backend: string): string {
  // On wasm the kernels in use change the float32 rounding (Winograd, fused multiply-adds).
  const arithmetic = backend === "wasm" ? wasmArithmetic() : undefined;
  const content = JSON.stringify({ v: CACHE_VERSION, ...settings, data: dataChecksum, backend, arithmetic });
  const digest = crypto.createHash("sha256").update(content).digest("hex").slice(0, 16);
  return `${settings.model.replace(/[^a-z0-9.-]+/gi, "_")}-${digest}`;
}

export interface CompareOptions {
  /** Data already loaded (else loaded with the settings' dataset). */
  data?: MnistData;
  cacheDir?: string;
  /** Ignore cached runs and train again (the cache is refreshed). */
  retrain?: boolean;
  /** Passed to `train` (progress, callbacks). */
  trainOptions?: TrainOptions;
  /** A line per variant: cached or training. Defaults to stdout. */
  log?: (line: string) => void;
  /**
   * Hears the runs as they come: each cached run once, with its whole history; the run in
   * training after every epoch, with its history so far; then once more when it is finished.
   * `liveComparisonCurves().onProgress` (src/display) draws them while the comparison runs.
   */
  onProgress?: (progress: RunProgress) => void;
}

/** A run's state as `onProgress` hears it: its history so far, and the finished record once there is one. */
export type RunProgress =
  | { model: string; state: "training"; history: EpochLog[] }
  | { model: string; state: "cached" | "trained"; history: EpochLog[]; record: RunRecord };

const COMPARE_OPTIONS: OptionNames<CompareOptions> = { data: true, cacheDir: true, retrain: true, trainOptions: true, log: true, onProgress: true };

/**
 * The data a comparison trains on: `options.data` when given, else the settings' dataset.
 * Data of another dataset than the settings name is refused: the runs would be cached and
 * labelled as the one while trained on the other.
 */
async function comparisonData(settings: CompareSettings, options: CompareOptions): Promise<MnistData> {
  const given = options.data;
  if (!given) return loadMnist({ dataset: settings.dataset });
  if (settings.dataset !== undefined && given.dataset !== settings.dataset) {
    throw new UsageError(`compareArchitectures: settings.dataset is "${settings.dataset}" but the data given (options.data) is ${given.dataset}; `
      + `load it with loadMnist({ dataset: "${settings.dataset}" }), or leave options.data out`);
  }
  return given;
}

/**
 * Why finished runs cannot be cached in `dir` (a file in its place, no permission to write
 * there), as a warning to show, or undefined when they can.
 */
export function cacheDirProblem(dir: string = defaultCacheDir()): string | undefined {
  const problem = fileTargetProblem(path.join(path.resolve(dir), "run.json"));
  return problem && `runs will not be cached: ${problem.replace(/^cannot be written: /, "")}`;
}

/**
 * Whether runs are still written to the cache. Shared by a comparison's runs so that a cache
 * that cannot be written is one warning, not one per model.
 */
interface CacheWrites {
  enabled: boolean;
}

/** Trains (or fetches from the cache) one variant under `settings`. */
export function runVariant(model: string, settings: CompareSettings, options: CompareOptions = {}): Promise<RunRecord> {
  return runVariantCaching(model, settings, options, { enabled: true });
}

async function runVariantCaching(model: string, settings: CompareSettings, options: CompareOptions, cache: CacheWrites): Promise<RunRecord> {
  const backend = currentBackend() ?? (await initBackend());
  const data = await comparisonData(settings, options);
  const full = runSettings({ ...settings, dataset: data.dataset }, model);
  const key = runKey(full, data.checksums.trainImages, backend.name);
  const file = path.join(options.cacheDir ?? defaultCacheDir(), `${key}.json`);
  const log = options.log ?? ((line: string) => console.log(line));
  if (!options.retrain && fs.existsSync(file)) {
    let cached: RunRecord | undefined;
    try {
      cached = JSON.parse(fs.readFileSync(file, "utf8")) as RunRecord;
      log(`${model}: cached run (${counted(cached.history.length, "epoch")}, test accuracy ${(cached.testAccuracy * 100).toFixed(2)}%)`);
    } catch {
      // An unreadable cache entry is simply trained again and rewritten.
      cached = undefined;
    }
    // Outside the try: an error from onProgress is the caller's, not a reason to train again.
    if (cached) {
      options.onProgress?.({ model, state: "cached", history: cached.history.slice(), record: cached });
      return cached;
    }
  }
  const images = `${full.trainLimit ? `first ${full.trainLimit.toLocaleString("en-US")} ` : ""}${full.dataset === "mnist" ? "" : `${full.dataset} `}images`;
  log(`${model}: training ${counted(full.epochs, "epoch")}, batch ${full.batchSize}, seed ${full.seed}${images === "images" ? "" : `, ${images}`}`);
  const trainSet = full.trainLimit ? head(data.train, full.trainLimit) : data.train;
  const net = buildModel(model, { seed: full.seed, dropout: full.dropout, l2: full.l2 });
  try {
    const { epochs, batchSize, learningRate, seed } = full;
    const stopped = `${model} stopped; it is not cached, and the comparison ends here (finished runs stay cached)`;
    let result: TrainResult;
    try {
      result = await train(net, trainSet, { epochs, batchSize, learningRate, seed }, { ...reportingEpochs(model, options), interruptNote: stopped });
    } catch (err) {
      // Kernel → Interrupt: the cell's KeyboardInterrupt line said `stopped`; end the comparison.
      if (err instanceof TrainingInterrupted) throw new ComparisonStopped(model, err.result.history.length);
      throw err;
    }
    if (result.stopReason === "stopped") {
      // Stopped from code: not the run these settings describe, so not cached.
      log(`${model}: stopped after ${counted(result.history.length, "epoch")}; not cached, and the comparison ends here`);
      throw new ComparisonStopped(model, result.history.length);
    }
    const test = await evaluate(net, data.test);
    const record: RunRecord = {
      key,
      model,
      params: net.countParams(),
      settings: full,
      backend: backend.name,
      history: result.history,
      secondsPerEpoch: result.secondsPerEpoch,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      createdAt: new Date().toISOString(),
    };
    if (cache.enabled) {
      try {
        writeFileAtomic(file, JSON.stringify(record, null, 2));
      } catch (err) {
        // The run itself is done and good: a cache that cannot be written costs a retraining
        // next time, not this comparison. (writeFileAtomic names the file and what is wrong.)
        if (!(err instanceof DigitLabError)) throw err;
        cache.enabled = false;
        log(`warning: runs will not be cached: ${err.message}`);
      }
    }
    options.onProgress?.({ model, state: "trained", history: record.history.slice(), record });
    return record;
  } finally {
    net.dispose();
  }
}

/** `options.trainOptions`, with `onProgress` told of each epoch after the caller's own `onEpochEnd`. */
function reportingEpochs(model: string, options: CompareOptions): TrainOptions | undefined {
  const { trainOptions, onProgress } = options;
  if (!onProgress) return trainOptions;
  const history: EpochLog[] = [];
  return {
    ...trainOptions,
    async onEpochEnd(log: EpochLog) {
      await trainOptions?.onEpochEnd?.(log);
      history.push({ ...log });
      onProgress({ model, state: "training", history: history.slice() });
    },
  };
}

/** A comparison stopped from code (`trainOptions.signal`) or by Kernel → Interrupt. */
export class ComparisonStopped extends Error {
  constructor(readonly model: string, readonly epochs: number) {
    super(`the comparison was stopped while ${model} trained (after ${counted(epochs, "complete epoch")}); finished runs stay cached`);
    this.name = "ComparisonStopped";
  }
}

/**
 * The network a model spec builds, in one spelling: a named dense stack is the network of its
 * `dense:` spec ("dense-128" is "dense:128", "dense-128x3" is "dense:128-128-128"); other
 * names (cnn) are their own. Throws parseModelSpec's UsageError for an unknown spec.
 */
export function networkOf(spec: string): string {
  const hidden = denseHiddenSizes(spec);
  return hidden ? `dense:${hidden.join("-")}` : spec.trim();
}

/**
 * The first model listed twice in `specs`, by name or as the same network under two names
 * (`dense-128,dense:128`), worded for "… lists ${it}; …": "cnn twice", or
 * "dense-128 and dense:128, the same network". Undefined when each is listed once.
 * Throws parseModelSpec's UsageError for an unknown spec.
 */
export function repeatedModel(specs: readonly string[]): string | undefined {
  const networks = specs.map(networkOf);
  for (let i = 0; i < specs.length; i++) {
    const first = networks.indexOf(networks[i]);
    if (first === i) continue;
    return specs[first].trim() === specs[i].trim() ? `${specs[i].trim()} twice` : `${specs[first].trim()} and ${specs[i].trim()}, the same network`;
  }
  return undefined;
}

/** Runs every variant in turn (cached ones are not retrained) and returns runs and table rows. */
export async function compareArchitectures(settings: CompareSettings, options: CompareOptions = {}): Promise<{ runs: RunRecord[]; rows: ComparisonRow[] }> {
  checkOptionNames(settings, COMPARE_SETTINGS, "compareArchitectures settings");
  checkOptionNames(options, COMPARE_OPTIONS, "compareArchitectures options");
  if (!Array.isArray(settings.variants) || settings.variants.length === 0) {
    throw new UsageError('compareArchitectures settings: variants must list the models to compare, e.g. ["dense-128", "cnn"]');
  }
  const twice = repeatedModel(settings.variants);
  if (twice) throw new UsageError(`compareArchitectures settings: variants lists ${twice}; each model is compared once`);
  // A cache that cannot be written is said once, up front; the comparison still runs.
  const log = options.log ?? ((line: string) => console.log(line));
  const notCached = cacheDirProblem(options.cacheDir ?? defaultCacheDir());
  if (notCached) log(`warning: ${notCached}`);
  const cache: CacheWrites = { enabled: !notCached };
  const data = await comparisonData(settings, options);
  const runs: RunRecord[] = [];
  for (const variant of settings.variants) runs.push(await runVariantCaching(variant, settings, { ...options, data }, cache));
  return { runs, rows: runs.map(comparisonRow) };
}

/** The comparison-table row of a run: size, speed, best epoch, test accuracy, over-fitting gap. */
export function comparisonRow(run: RunRecord): ComparisonRow {
  const last = run.history[run.history.length - 1];
  return {
    model: run.model,
    params: run.params,
    secondsPerEpoch: run.secondsPerEpoch,
    bestEpoch: bestEpoch(run.history),
    testAccuracy: run.testAccuracy,
    testLoss: run.testLoss,
    trainValGap: last && last.valAccuracy !== undefined ? last.accuracy - last.valAccuracy : 0,
  };
}

/** The epoch with the lowest validation loss (training loss when there was no validation). */
export function bestEpoch(history: EpochLog[]): number {
  let best = history[0];
  for (const log of history) if ((log.valLoss ?? log.loss) < (best.valLoss ?? best.loss)) best = log;
  return best ? best.epoch : 0;
}


/**
 * A sentence on over-fitting for one run, from its history: where validation loss
 * bottomed out, how far it has risen since, and the final train–validation gap.
 */
export function describeOverfitting(run: RunRecord): string {
  const h = run.history;
  const last = h[h.length - 1];
  if (!last || last.valLoss === undefined || last.valAccuracy === undefined) return `${run.model}: no validation data to judge over-fitting.`;
  const best = bestEpoch(h);
  const bestLoss = h[best - 1].valLoss as number;
  const rise = (last.valLoss - bestLoss) / bestLoss;
  const gapPoints = (last.accuracy - last.valAccuracy) * 100;
  const where = best === last.epoch ? `validation loss was still falling at the last epoch (${best})` : `validation loss bottomed out at epoch ${best} and rose ${(rise * 100).toFixed(0)}% by epoch ${last.epoch}`;
  const verdict =
    best < last.epoch && (rise > 0.1 || gapPoints > 1.5)
      ? "it is over-fitting: more epochs memorize the training set; early stopping, dropout or L2 would help"
      : gapPoints > 1.5
        ? "the gap between training and validation accuracy is opening: watch for over-fitting"
        : "no clear over-fitting yet";
  return `${run.model}: ${where}; train–validation accuracy gap ${gapPoints.toFixed(2)} points — ${verdict}.`;
}
