/**
 * The training loop: a hand-written replacement for `model.fit`, built for speed and
 * reproducibility. Seeded shuffles and dropout masks (same seed + backend → same weights),
 * batches cut from typed arrays, losses summed on the device and read once per epoch,
 * validation in large batches, early stopping that restores the best weights, learning-rate
 * schedules, and a clean stop from code between batches.
 */
import { repairTornEngine, tf } from "../backend";
import { splitTrainValidation, type ImageSet, type MnistData, type ValidationFrom } from "../data";
import { layerSeed, inputShapeOf } from "../models/variants";
import type { EpochLog } from "../types";
import { createRng, seededPermutation } from "../util/random";
import { batchTensors, emptyLike, prepareSet, reorderInto, reorderShiftedInto, type PreparedSet } from "./batches";
import { defaultReporter, type BatchInfo, type ProgressReporter } from "./progress";
import { PlateauReducer, scheduledLearningRate, type LrSchedule } from "./schedule";
import { convolutionThreads, FastAdam } from "../backend/wasm-kernels";
import { fastTrainStep, startDenseTrainer } from "./fast-step";
import type { TrainStep } from "./step";
import { evaluatePrepared } from "../eval/evaluate";
import { counted } from "../util/format";
import { checkTrainArguments } from "./arguments";
import { watchKernelInterrupt } from "../util/notebook";
import { Interrupted } from "../errors";
import { nextTurn } from "../util/next-turn";

/** Epochs each model has completed in earlier `train` calls (a stopped run with none counts as 0). */
const earlierTraining = new WeakMap<tf.LayersModel, number>();

/**
 * Kernel → Interrupt stopped `train`; `result` is the run up to its last finished epoch. (Here,
 * not in src/errors, which the browser pages share: it names TrainResult.)
 */
export class TrainingInterrupted extends Interrupted {
  declare readonly result: TrainResult;

  constructor(message: string, result: TrainResult) {
    super(message);
    // Not enumerable, as `file`: Node would print the whole history after the message.
    Object.defineProperty(this, "result", { value: result, enumerable: false, configurable: true });
  }
}

/** Each model's latest run, as far as it got (see `lastTrainResult`). */
const lastResults = new WeakMap<tf.LayersModel, TrainResult>();

/**
 * The result of the latest `train(model, …)` run, updated after every epoch: the history of a
 * run that Kernel → Interrupt ended (its `train` call threw `TrainingInterrupted`, and tslab
 * keeps no declaration of a failed cell, so `const result = await train(…)` is lost with it).
 * Undefined until a run of the model finished an epoch or ended.
 */
export function lastTrainResult(model: tf.LayersModel): TrainResult | undefined {
  return lastResults.get(model);
}

export interface EarlyStopping {
  /** What to watch (default valLoss; falls back to the training loss without validation). */
  monitor?: "valLoss" | "valAccuracy";
  /** Epochs without improvement before stopping. */
  patience: number;
  /** Smallest change that counts as improvement (default 0). */
  minDelta?: number;
  /** Put back the weights of the best epoch at the end (default true). */
  restoreBestWeights?: boolean;
}

/** The settings of a run (a Recipe has all of these and more). */
export interface TrainSettings {
  epochs: number;
  /** Default 32. */
  batchSize?: number;
  /** Adam's learning rate, default 0.001. */
  learningRate?: number;
  /** Share held out for validation, default 0.2; 0 for none. */
  validationSplit?: number;
  /** Which examples are held out: a seeded random share (default) or, as Keras, the last ones ("end"). */
  validationFrom?: ValidationFrom;
  /** Seeds the split, the shuffles and the dropout masks. Default 42. */
  seed?: number;
  earlyStopping?: EarlyStopping;
  lrSchedule?: LrSchedule;
  /** Data augmentation of training images (validation and test stay untouched). */
  augment?: { /** Random shift of up to this many pixels in x and y. */ shift?: number };
}

/** Anything with `aborted`: an AbortSignal, or a StopHandle. */
export interface StopSignal {
  readonly aborted: boolean;
}

/** Stops a training run from code: `const h = new StopHandle(); train(…, { signal: h }); h.stop();` */
export class StopHandle implements StopSignal {
  aborted = false;
  stop(): void {
    this.aborted = true;
  }
}

export interface TrainOptions {
  /** 0: silent; 1 (default): progress bar on a terminal, one line per epoch elsewhere. */
  verbose?: 0 | 1;
  /** Replaces the default reporter chosen by `verbose`. */
  reporter?: ProgressReporter;
  onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  /** Called at most every `batchEndIntervalMs` (default 250 ms) with running loss and accuracy. */
  onBatchEnd?: (info: BatchInfo) => void;
  batchEndIntervalMs?: number;
  /**
   * Training ends after the current batch once this is aborted; the history so far is returned
   * (`stopReason: "stopped"`). What the model then holds: see `onStop`. Kernel → Interrupt in a
   * notebook stops a run the same way, but then `train` throws `TrainingInterrupted` (its
   * `result` is what would have been returned), so that the rest of the cell does not run.
   */
  signal?: StopSignal;
  /**
   * The weights a stopped run (`signal`, or Kernel → Interrupt) leaves in the model.
   * "last-epoch" (default): those at the end of the last finished epoch, so that the model matches
   * the history it returns (bit for bit the weights of a run of that many epochs); stopped inside
   * the first epoch, the weights it started with. Early stopping that restores the best weights
   * then does so as after a normal end at that epoch. The partial epoch is lost; an `optimizer`
   * passed in keeps the moments of its steps. Costs one copy of the weights per epoch on the
   * per-batch path, nothing on the DenseTrainer (which copies to the model once per epoch anyway).
   * "as-is": the weights after the last batch that ran, partway into the next epoch.
   */
  onStop?: "last-epoch" | "as-is";
  /**
   * What the cell's "KeyboardInterrupt: …" line says when Kernel → Interrupt stops this run,
   * instead of which weights the model keeps: for a caller whose model is its own
   * (`compareArchitectures` says which run ends the comparison).
   */
  interruptNote?: string;
  /** Validate on this set instead of splitting the training data. */
  validationData?: ImageSet;
  /** Batch size for validation (default 2000). */
  evalBatchSize?: number;
  /**
   * The per-batch step. Default: `fastTrainStep` — one fused kernel for plain dense stacks on
   * wasm, the reference `trainStep` (gradient tape) for everything else. Without this option
   * (and `optimizer`), plain dense stacks on wasm train on a multi-threaded DenseTrainer instead,
   * with the same numbers as `fastTrainStep`; passing a step forces the per-batch path.
   */
  step?: TrainStep;
  /** An optimizer to use instead of a fresh Adam. */
  optimizer?: tf.Optimizer;
  /** Threads for plain dense stacks on wasm (default: DIGIT_LAB_THREADS, else the cores, at most 4). Convolutions use DIGIT_LAB_THREADS (conv-threads.ts). */
  threads?: number;
}

export interface TrainResult {
  /** Completed epochs (a stopped partial epoch is not included). */
  history: EpochLog[];
  /** Why training ended before `epochs`, if it did ("diverged": the loss became NaN or infinite). */
  stopReason?: "early-stopping" | "stopped" | "diverged";
  /** The epoch whose weights the model holds when early stopping restored them. */
  bestEpoch?: number;
  restoredBestWeights: boolean;
  /** `bestEpoch` when its weights were put back (an earlier epoch than the last), else undefined: what `trainingCurves` marks. */
  restoredEpoch?: number;
  /** Mean wall time of the completed epochs. */
  secondsPerEpoch: number;
  trainCount: number;
  validationCount: number;
  /** Threads that trained: several for plain dense stacks and for convolutions on wasm, else 1. */
  threads: number;
}

/**
 * Trains `model` on `data` (a training ImageSet, or MnistData whose `train` is used).
 * Each call starts a fresh Adam (Keras keeps the optimizer state across `fit` calls); pass
 * `options.optimizer` to carry one from call to call. A model trained before goes on from its
 * weights, and the progress output says so (rebuild it with `buildModel` to start over).
 *
 * Kernel → Interrupt in a notebook stops the run after the current batch, as Keras' `fit` on
 * KeyboardInterrupt: the model keeps the weights of its last finished epoch (see `onStop`), the
 * cell's error line says so, and `train` throws `TrainingInterrupted`, so that nothing after
 * `await train(…)` in the cell runs (a `saveModel` there would overwrite a good model).
 * `lastTrainResult(model)` has the run's history afterwards.
 */
export async function train(
  model: tf.LayersModel,
  data: ImageSet | MnistData,
  settings: TrainSettings,
  options: TrainOptions = {},
): Promise<TrainResult> {
  checkTrainArguments(model, data, settings, options);
  repairTornEngine("train");
  const trainSet: ImageSet = "train" in data ? data.train : data;
  const epochs = settings.epochs;
  const batchSize = settings.batchSize ?? 32;
  const initialLr = settings.learningRate ?? 0.001;
  const seed = settings.seed ?? 42;
  const validationSplit = options.validationData ? 0 : settings.validationSplit ?? 0.2;
  if (!(Number.isInteger(epochs) && epochs >= 1)) throw new RangeError(`epochs must be a whole number ≥ 1, got ${epochs}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new RangeError(`batch size must be a whole number ≥ 1, got ${batchSize}`);
  // A NaN or infinite rate would only show up as "diverged", a negative one as gradient ascent.
  if (!(typeof initialLr === "number" && Number.isFinite(initialLr) && initialLr > 0)) {
    throw new RangeError(`learningRate must be a positive number, got ${typeof initialLr === "string" ? JSON.stringify(initialLr) : initialLr}`);
  }

  const split = splitTrainValidation(trainSet.count, { validationFraction: validationSplit, from: settings.validationFrom, seed });
  const trainData = prepareSet(trainSet, split.train);
  const valData: PreparedSet | undefined = options.validationData
    ? prepareSet(options.validationData)
    : split.validation.length > 0
      ? prepareSet(trainSet, split.validation)
      : undefined;
  if (trainData.count === 0) throw new RangeError("no training examples");

  const inputShape = inputShapeOf(model);
  const batches = Math.ceil(trainData.count / batchSize);
  // FastAdam: Adam with one fused kernel per variable on wasm (bit-identical weights), stock Adam elsewhere.
  const optimizer = options.optimizer ?? new FastAdam(initialLr);
  const ownsOptimizer = !options.optimizer;
  const step = options.step ?? fastTrainStep;
  // Dense stacks on wasm (with or without dropout and L2) train on several threads, holding the
  // weights between epochs (without dropout: the same numbers as fastTrainStep); everything else
  // steps through `step`.
  const history: EpochLog[] = [];
  let stopReason: TrainResult["stopReason"];
  let best: { epoch: number; value: number; weights?: tf.Tensor[] } | undefined;
  const keepLastEpoch = (options.onStop ?? "last-epoch") === "last-epoch";
  /** The epoch running now; undefined between epochs. */
  let runningEpoch: number | undefined;
  // Kernel → Interrupt stops the run after the current batch, like a StopHandle, and the kernel's
  // error line says at once (later output would miss the cell) what the model keeps.
  // Watched from before the first await: an interrupt while threads start must stop the run too.
  const interrupt = watchKernelInterrupt(() => {
    if (options.interruptNote !== undefined) return options.interruptNote;
    const when = runningEpoch !== undefined ? `during epoch ${runningEpoch}` : history.length ? `after epoch ${history.length}` : "before its first epoch";
    const restoresBest = best?.weights !== undefined && best.epoch !== history[history.length - 1]?.epoch;
    const kept = !keepLastEpoch ? "the weights of its last batch"
      : restoresBest ? `the weights of epoch ${best!.epoch} (the best so far)`
      : history.length ? `the weights of epoch ${history.length}` : "the weights it started with";
    return `training stopped ${when}; the model keeps ${kept}` + (history.length ? " (lastTrainResult(model) has the history)" : "");
  });
  let trainer: Awaited<ReturnType<typeof startDenseTrainer>>;
  let threads: number;
  try {
    trainer = ownsOptimizer && !options.step ? await startDenseTrainer(model, optimizer, { examples: trainData.count, maxBatch: batchSize, threads: options.threads, validation: valData, seed }) : undefined;
    // Convolutions on wasm split each batch between threads (conv-threads.ts); start them now.
    threads = trainer?.threads ?? (model.layers.some((l) => l.getClassName() === "Conv2D") ? await convolutionThreads() : 1);
  } catch (err) {
    interrupt.stop();
    throw err;
  }
  const epochData = trainer?.epochSet ?? emptyLike(trainData);
  const reporter = options.reporter ?? defaultReporter(options.verbose ?? 1);
  const interval = options.batchEndIntervalMs ?? 250;
  const dropouts = dropoutLayers(model);
  const early = settings.earlyStopping;
  const plateau = settings.lrSchedule?.type === "plateau" ? settings.lrSchedule : undefined;

  const reducer = plateau ? new PlateauReducer(plateau, initialLr) : undefined;
  let lr = initialLr;
  let globalStep = 0;
  let restored = false;
  let changedWeights = false;
  // The weights at the end of the last finished epoch (at first: as the run found them), put back
  // when the run is stopped partway into an epoch. The DenseTrainer needs none: it copies its
  // weights into the model only at the end of an epoch, so skipping that copy leaves them as they were.
  let lastEpochWeights = keepLastEpoch && !trainer ? snapshotWeights(model) : undefined;

  reporter.onTrainBegin?.({
    epochs, batchesPerEpoch: batches, trainCount: trainData.count, validationCount: valData?.count ?? 0, batchSize,
    earlierEpochs: earlierTraining.get(model),
  });
  /** The run so far, as `train` returns it. */
  const resultSoFar = (): TrainResult => ({
    history: history.slice(),
    stopReason,
    bestEpoch: best?.epoch,
    restoredBestWeights: restored,
    ...(restored ? { restoredEpoch: best!.epoch } : {}),
    secondsPerEpoch: history.length ? history.reduce((a, h) => a + h.seconds, 0) / history.length : 0,
    trainCount: trainData.count,
    validationCount: valData?.count ?? 0,
    threads,
  });
  const stopAsked = () => options.signal?.aborted || interrupt.aborted;
  try {
    for (let epoch = 1; epoch <= epochs && !stopReason; epoch++) {
      const started = Date.now();
      runningEpoch = epoch;
      if (!plateau) lr = scheduledLearningRate(settings.lrSchedule, initialLr, epoch, epochs);
      setLearningRate(optimizer, lr);
      const order = seededPermutation(trainData.count, layerSeed(seed, 100_000 + epoch));
      const shift = settings.augment?.shift ?? 0;
      if (shift > 0) reorderShiftedInto(trainData, order, epochData, shift, createRng(layerSeed(seed, 200_000 + epoch)), trainSet.cols);
      else reorderInto(trainData, order, epochData);

      // Running sums: on the device for TrainSteps (read once per report), numbers from the trainer.
      let lossSum = tf.keep(tf.scalar(0));
      let correctSum = tf.keep(tf.scalar(0));
      let trainerLoss = 0;
      let trainerCorrect = 0;
      const totals = () =>
        trainer ? { loss: trainerLoss, correct: trainerCorrect } : { loss: lossSum.dataSync()[0], correct: correctSum.dataSync()[0] };
      let seen = 0;
      let lastReport = Date.now();
      try {
        for (let b = 0; b < batches; b++) {
          if (stopAsked()) {
            stopReason = "stopped";
            break;
          }
          const start = b * batchSize;
          const end = Math.min(trainData.count, start + batchSize);
          if (trainer) {
            const result = trainer.step(start, end, lr);
            trainerLoss += result.lossSum;
            trainerCorrect += result.correct;
          } else {
            reseedDropout(dropouts, seed, globalStep++);
            const { xs, ys } = batchTensors(epochData, start, end, inputShape);
            let result: ReturnType<TrainStep>;
            try {
              result = step(model, optimizer, xs, ys);
            } catch (err) {
              // A step that throws (out of memory, a custom step's bug) must not leave its batch behind.
              tf.dispose([xs, ys]);
              throw err;
            }
            const nextLoss = tf.tidy(() => tf.add(lossSum, tf.mul(result.loss, end - start)) as tf.Scalar);
            const nextCorrect = tf.tidy(() => tf.add(correctSum, result.correct) as tf.Scalar);
            tf.dispose([xs, ys, result.loss, result.correct, lossSum, correctSum]);
            lossSum = tf.keep(nextLoss);
            correctSum = tf.keep(nextCorrect);
          }
          seen = end;
          changedWeights = true;

          const now = Date.now();
          if (now - lastReport >= interval || b === batches - 1) {
            lastReport = now;
            if (reporter.onBatchEnd || options.onBatchEnd) {
              const sums = totals();
              const info: BatchInfo = {
                epoch, epochs, batch: b + 1, batches, seconds: (now - started) / 1000,
                loss: sums.loss / seen, accuracy: sums.correct / seen,
              };
              reporter.onBatchEnd?.(info);
              options.onBatchEnd?.(info);
            }
            // Let timers and signals run (WASM kernels are synchronous and would starve them).
            await nextTurn();
          }
        }
        // An interrupt heard at the last batch's turn stops the run here too: the kernel has already
        // said "during epoch N" and answered the cell, so the epoch must not finish (nor print) after it.
        if (!stopReason && interrupt.aborted) stopReason = "stopped";
        if (stopReason) {
          if (!keepLastEpoch) trainer?.copyToModel();
          else if (lastEpochWeights && seen > 0) model.setWeights(lastEpochWeights);
          // Put back as they were before the run: no weights changed.
          if (keepLastEpoch && history.length === 0) changedWeights = false;
          break;
        }
        trainer?.copyToModel();
        const sums = totals();
        const loss = sums.loss / seen;
        const acc = sums.correct / seen;
        const v = !valData ? undefined : trainer ? trainer.validate() : evaluatePrepared(model, valData, options.evalBatchSize ?? 2000);
        const log: EpochLog = v
          ? { epoch, loss, accuracy: acc, valLoss: v.loss, valAccuracy: v.accuracy, seconds: (Date.now() - started) / 1000, learningRate: lr }
          : { epoch, loss, accuracy: acc, seconds: (Date.now() - started) / 1000, learningRate: lr };
        history.push(log);
        runningEpoch = undefined;
        lastResults.set(model, resultSoFar());
        reporter.onEpochEnd?.(log, epochs);
        await options.onEpochEnd?.(log);
        // Once the loss is NaN or infinite every later epoch is too (as Keras' TerminateOnNaN): stop and say so.
        if (!Number.isFinite(loss)) {
          stopReason = "diverged";
          break;
        }

        if (early) {
          const value = monitored(log, early.monitor ?? "valLoss");
          if (!best || value < best.value - (early.minDelta ?? 0)) {
            tf.dispose(best?.weights);
            best = { epoch, value, weights: restoresBestWeights(early) ? snapshotWeights(model) : undefined };
          } else if (epoch - best.epoch >= early.patience) {
            stopReason = "early-stopping";
          }
        }
        if (plateau && reducer) lr = reducer.update(monitored(log, plateau.monitor ?? "valLoss"));
        if (stopAsked()) stopReason = "stopped";
        else if (lastEpochWeights && !stopReason && epoch < epochs) {
          tf.dispose(lastEpochWeights);
          lastEpochWeights = snapshotWeights(model);
        }
      } finally {
        tf.dispose([lossSum, correctSum]);
      }
    }
    if (best?.weights && best.epoch !== history[history.length - 1]?.epoch) {
      model.setWeights(best.weights);
      restored = true;
    }
  } finally {
    runningEpoch = undefined;
    if (changedWeights) earlierTraining.set(model, (earlierTraining.get(model) ?? 0) + history.length);
    interrupt.stop();
    trainer?.dispose();
    tf.dispose(best?.weights);
    tf.dispose(lastEpochWeights);
    for (const d of dropouts) d.layer.seed = d.original;
    if (ownsOptimizer) optimizer.dispose();
  }

  const note =
    stopReason === "early-stopping"
      ? `early stopping after epoch ${history.length}${restored ? `; restored the weights of epoch ${best!.epoch}` : ""}`
      : stopReason === "stopped"
        ? `stopped after ${counted(history.length, "complete epoch")}` + (!keepLastEpoch ? "; the model holds the weights of its last batch"
          : restored ? `; restored the weights of epoch ${best!.epoch}`
          : history.length ? `; the model holds the weights of epoch ${history.length}` : "; the model holds the weights it started with")
        : stopReason === "diverged"
          ? `training diverged: the loss of epoch ${history.length} is ${history[history.length - 1].loss}, so it stopped there; try a smaller learning rate`
        : restored
          ? `restored the weights of epoch ${best!.epoch}`
          : undefined;
  const result = resultSoFar();
  lastResults.set(model, result);
  if (interrupt.aborted && stopReason === "stopped") {
    // The kernel has already answered the cell, with the line above: anything printed now would
    // land in no cell, or in the next one. Throwing ends the rest of the cell.
    throw new TrainingInterrupted(`training ${note}`, result);
  }
  reporter.onTrainEnd?.(history, note);
  return result;
}

/** Whether early stopping with these settings puts back the best epoch's weights (the default). */
export function restoresBestWeights(early: EarlyStopping | undefined): boolean {
  return early !== undefined && early.restoreBestWeights !== false;
}

/** A copy of every weight of `model` (kept out of tidy scopes), for `setWeights` later. */
function snapshotWeights(model: tf.LayersModel): tf.Tensor[] {
  return model.getWeights().map((w) => tf.keep(w.clone()));
}

/** The value to minimize for a monitor name (accuracy is negated); training loss without validation. */
function monitored(log: EpochLog, monitor: "valLoss" | "valAccuracy"): number {
  if (monitor === "valAccuracy") return -(log.valAccuracy ?? log.accuracy);
  return log.valLoss ?? log.loss;
}

function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  // tfjs optimizers read `learningRate` on every update; it is protected only in the typings.
  (optimizer as unknown as { learningRate: number }).learningRate = lr;
}

interface DropoutState {
  layer: { seed?: number };
  /** Base of the per-step seeds. */
  seed: number;
  /** What to put back (and serialize) after training. */
  original?: number;
}

function dropoutLayers(model: tf.LayersModel): DropoutState[] {
  return model.layers
    .filter((l) => l.getClassName() === "Dropout")
    .map((l, i) => {
      const layer = l as unknown as { seed?: number };
      return { layer, seed: layer.seed ?? layerSeed(0, i), original: layer.seed };
    });
}

/**
 * tfjs' Dropout reuses its fixed seed on every call, which would draw the same mask for
 * every batch. Giving each layer a fresh seed per step derived from (its seed, step) keeps
 * masks varied yet reproducible. The original seeds are put back when training ends.
 */
function reseedDropout(dropouts: DropoutState[], seed: number, step: number): void {
  for (const d of dropouts) d.layer.seed = layerSeed(d.seed ^ seed, step);
}
