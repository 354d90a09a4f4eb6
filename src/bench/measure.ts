/**
 * What the benchmark measures of one model's run beside train()'s epoch times, through train()'s
 * own callbacks: each epoch's training time without its validation pass, and the resident
 * memory (RSS) sampled while the model runs. The process's high-water mark (maxRSS) would not
 * do: it never goes down, so every model after the hungriest would report that one's peak.
 */
import type { BatchInfo } from "../train/progress";
import type { EpochLog } from "../types";

export interface RunMeter {
  /** train()'s `onBatchEnd`: samples RSS; the report of an epoch's last batch gives its training time. */
  onBatchEnd(info: BatchInfo): void;
  /** Call from train()'s `onEpochEnd`: samples RSS and checks that the epoch's training time was seen. */
  onEpochEnd(log: EpochLog): void;
  /** Samples RSS now (at the start of the run, after the test evaluation). */
  sample(): void;
  /**
   * Per epoch, seconds from its start to the end of its last batch: the epoch's wall time
   * without the validation pass (and the copy of the weights into the model before it).
   */
  readonly trainSeconds: number[];
  /** The largest RSS sampled since the meter was made, MiB (one decimal). */
  peakRssMb(): number;
}

/** `rss` returns the resident set size in bytes (default: the process's, now). */
export function runMeter(rss: () => number = () => process.memoryUsage.rss()): RunMeter {
  const trainSeconds: number[] = [];
  let peakBytes = 0;
  const sample = () => {
    peakBytes = Math.max(peakBytes, rss());
  };
  sample();
  return {
    trainSeconds,
    sample,
    onBatchEnd(info) {
      sample();
      // train() always reports an epoch's last batch, however short the epoch (the others are throttled).
      if (info.batch === info.batches) trainSeconds[info.epoch - 1] = info.seconds;
    },
    onEpochEnd(log) {
      sample();
      if (trainSeconds[log.epoch - 1] === undefined) {
        throw new Error(`bench: train() did not report the last batch of epoch ${log.epoch}, so its training time is unknown`);
      }
    },
    peakRssMb: () => Math.round((peakBytes / 2 ** 20) * 10) / 10,
  };
}
