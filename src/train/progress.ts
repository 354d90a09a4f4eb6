/**
 * What a person watching training sees. In a terminal: a progress bar with ETA per epoch,
 * then a summary line. In a notebook: a progress bar redrawn in place, and a line per epoch.
 * Anywhere else (a pipe, a log file): one line per epoch.
 * Reporters are plain objects, so callers can plug in their own (a plot, a web page).
 */
import { counted, escapeHtml, formatLoss } from "../util/format";
import type { EpochLog } from "../types";
import { inNotebook, notebookOutput, type NotebookOutput } from "../util/notebook";

export interface TrainBeginInfo {
  epochs: number;
  batchesPerEpoch: number;
  trainCount: number;
  validationCount: number;
  batchSize: number;
  /**
   * Set when this model was trained before by `train` in this process: the epochs those
   * earlier calls completed. The run goes on from those weights (with a fresh Adam).
   */
  earlierEpochs?: number;
}

/** Throttled progress inside an epoch. Loss/accuracy are running means over the epoch so far. */
export interface BatchInfo {
  epoch: number;
  epochs: number;
  /** Batches done in this epoch (1-based count). */
  batch: number;
  batches: number;
  /** Seconds since the epoch started. */
  seconds: number;
  loss: number;
  accuracy: number;
}

export interface ProgressReporter {
  onTrainBegin?(info: TrainBeginInfo): void;
  onBatchEnd?(info: BatchInfo): void;
  onEpochEnd?(log: EpochLog, epochs: number): void;
  /** `note` says why training ended early, if it did. */
  onTrainEnd?(history: EpochLog[], note?: string): void;
}

/** A reporter that says nothing (verbose: 0). */
export const silentReporter: ProgressReporter = {};

/**
 * Said before a run that goes on from weights trained by an earlier `train` call, as
 * re-running a notebook's train cell does: otherwise the new curves silently start low.
 */
export function continuationNote(info: TrainBeginInfo): string | undefined {
  if (info.earlierEpochs === undefined) return undefined;
  const earlier = info.earlierEpochs > 0 ? `${counted(info.earlierEpochs, "epoch")} of earlier training` : "an earlier, stopped run";
  return `continuing from the weights of ${earlier} (history below starts again at epoch 1); build the model again to start over`;
}

/** `epoch 3/10  loss 0.0812  acc 0.9751  val_loss 0.0903  val_acc 0.9730  4.1s` */
export function formatEpochLine(log: EpochLog, epochs: number): string {
  const parts = [`epoch ${log.epoch}/${epochs}`, `loss ${formatLoss(log.loss)}`, `acc ${log.accuracy.toFixed(4)}`];
  if (log.valLoss !== undefined) parts.push(`val_loss ${formatLoss(log.valLoss)}`);
  if (log.valAccuracy !== undefined) parts.push(`val_acc ${log.valAccuracy.toFixed(4)}`);
  parts.push(`${log.seconds.toFixed(1)}s`);
  return parts.join("  ");
}

/** One line per epoch through `write` (default: stderr). */
export function lineReporter(write: (line: string) => void = (l) => process.stderr.write(l + "\n")): ProgressReporter {
  return {
    onTrainBegin: (info) => writeContinuationNote(info, write),
    onEpochEnd: (log, epochs) => write(formatEpochLine(log, epochs)),
    onTrainEnd: (_history, note) => {
      if (note) write(note);
    },
  };
}

interface TtyStream {
  write(s: string): boolean;
  columns?: number;
}

/** A Keras-like progress bar, redrawn in place, for a terminal. */
export function ttyReporter(stream: TtyStream = process.stderr): ProgressReporter {
  let drawn = false;
  const clear = () => {
    if (drawn) stream.write("\r\x1b[2K");
    drawn = false;
  };
  return {
    onTrainBegin: (info) => writeContinuationNote(info, (line) => stream.write(line + "\n")),
    onBatchEnd(info) {
      const width = Math.max(10, Math.min(30, (stream.columns ?? 80) - 70));
      const done = Math.round((width * info.batch) / info.batches);
      const bar = "=".repeat(Math.max(0, done - 1)) + (done > 0 ? (info.batch < info.batches ? ">" : "=") : "") + ".".repeat(width - done);
      const eta = info.batch > 0 ? (info.seconds / info.batch) * (info.batches - info.batch) : 0;
      const count = `${info.batch}`.padStart(String(info.batches).length);
      stream.write(
        `\r\x1b[2Kepoch ${info.epoch}/${info.epochs} [${bar}] ${count}/${info.batches}  ETA ${formatSeconds(eta)}` +
          `  loss ${formatLoss(info.loss)}  acc ${info.accuracy.toFixed(4)}`,
      );
      drawn = true;
    },
    onEpochEnd(log, epochs) {
      clear();
      stream.write(formatEpochLine(log, epochs) + "\n");
    },
    onTrainEnd(_history, note) {
      clear();
      if (note) stream.write(note + "\n");
    },
  };
}

/**
 * For a notebook: one display redrawn in place with a progress bar, ETA and running loss,
 * and a line per epoch on stdout (stderr would be drawn like an error).
 */
export function notebookReporter(
  display: NotebookOutput = notebookOutput({ updatable: true }),
  write: (line: string) => void = (l) => process.stdout.write(l + "\n"),
): ProgressReporter {
  const draw = (epoch: number, epochs: number, done: number, total: number, detail: string) => {
    const text = `epoch ${epoch}/${epochs}  ${done}/${total}  ${detail}`;
    display.send({
      "text/html": `<div style="font-family:monospace"><progress value="${done}" max="${total}" style="width:240px;vertical-align:middle"></progress> ${escapeHtml(text)}</div>`,
      "text/plain": text,
    });
  };
  let batchesPerEpoch = 1; // the finished bar shows the epoch's real count (1/1 before any batch)
  return {
    onTrainBegin: (info) => writeContinuationNote(info, write),
    onBatchEnd(info) {
      batchesPerEpoch = info.batches;
      const eta = info.batch > 0 ? (info.seconds / info.batch) * (info.batches - info.batch) : 0;
      draw(info.epoch, info.epochs, info.batch, info.batches, `ETA ${formatSeconds(eta)}  loss ${formatLoss(info.loss)}  acc ${info.accuracy.toFixed(4)}`);
    },
    onEpochEnd(log, epochs) {
      write(formatEpochLine(log, epochs));
      draw(log.epoch, epochs, batchesPerEpoch, batchesPerEpoch, `done in ${log.seconds.toFixed(1)}s`);
    },
    onTrainEnd(_history, note) {
      if (note) write(note);
    },
  };
}

/** The reporter for `verbose`: silent for 0; for 1 a live bar in a notebook or on a terminal, else lines. */
export function defaultReporter(verbose: 0 | 1 = 1): ProgressReporter {
  if (verbose === 0) return silentReporter;
  if (inNotebook()) return notebookReporter();
  return process.stderr.isTTY ? ttyReporter(process.stderr) : lineReporter();
}

function writeContinuationNote(info: TrainBeginInfo, write: (line: string) => void): void {
  const note = continuationNote(info);
  if (note) write(note);
}

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return "?";
  if (s < 60) return `${Math.round(s)}s`;
  const m = Math.floor(s / 60);
  return `${m}:${String(Math.round(s - 60 * m)).padStart(2, "0")}`;
}
