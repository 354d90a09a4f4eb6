/**
 * Table builders: danfo DataFrames from training history, evaluation and comparisons.
 * Show them with `showTable(df)` (notebook) or `formatTable(df)` (terminal text).
 */
import { pixelStats } from "../data/stats";
import { UsageError } from "../errors";
import type { ClassificationReport, ClassMetrics, ComparisonRow, EpochLog } from "../types";
import { DataFrame, frame } from "./danfo";

export { danfo, frame } from "./danfo";
export type { DataFrame } from "./danfo";
export { formatTable, tableHtml, formatCell } from "./format";
export type { TableLike, FormatOptions } from "./format";

const missing = (v: number | undefined): number => (v === undefined || v === null ? NaN : v);

/**
 * One row per epoch, Keras' column names: epoch, loss, accuracy, val_loss, val_accuracy, seconds,
 * and learning_rate when a schedule changed it (a constant rate is the recipe's, not news per epoch).
 */
export function historyTable(history: EpochLog[]): DataFrame {
  const columns: Record<string, unknown[]> = {
    epoch: history.map((e) => e.epoch),
    loss: history.map((e) => e.loss),
    accuracy: history.map((e) => e.accuracy),
    val_loss: history.map((e) => missing(e.valLoss)),
    val_accuracy: history.map((e) => missing(e.valAccuracy)),
    seconds: history.map((e) => e.seconds),
  };
  const rates = new Set(history.map((e) => e.learningRate).filter((r) => r !== undefined));
  if (rates.size > 1) columns.learning_rate = history.map((e) => missing(e.learningRate));
  return frame(columns);
}

/**
 * Like scikit-learn's classification_report: one row per class, then "accuracy"
 * (in the f1-score column), "macro avg" and "weighted avg".
 */
export function classificationTable(report: ClassificationReport, options: { classNames?: readonly string[] } = {}): DataFrame {
  const rows: [string, ClassMetrics | null][] = report.classes.map((c) => [options.classNames?.[c.label] ?? String(c.label), c]);
  const support = report.classes.reduce((a, c) => a + c.support, 0);
  const index = [...rows.map((r) => r[0]), "accuracy", "macro avg", "weighted avg"];
  const all: (ClassMetrics | null)[] = [...rows.map((r) => r[1]), null, report.macro, report.weighted];
  return frame(
    {
      precision: all.map((m) => (m ? m.precision : NaN)),
      recall: all.map((m) => (m ? m.recall : NaN)),
      "f1-score": all.map((m) => (m ? m.f1 : report.accuracy)),
      support: all.map((m) => (m ? m.support : support)),
    },
    index,
  );
}

/** One row per model, in the order given (sort with `{ sortBy: "testAccuracy" }`: best first). */
export function comparisonTable(rows: ComparisonRow[], options: { sortBy?: keyof ComparisonRow } = {}): DataFrame {
  const key = options.sortBy;
  const sorted = key
    ? [...rows].sort((a, b) => {
        const x = a[key], y = b[key];
        if (typeof x === "number" && typeof y === "number") return key === "testAccuracy" ? y - x : x - y;
        return String(x).localeCompare(String(y));
      })
    : rows;
  return frame({
    model: sorted.map((r) => r.model),
    params: sorted.map((r) => r.params),
    seconds_per_epoch: sorted.map((r) => r.secondsPerEpoch),
    best_epoch: sorted.map((r) => r.bestEpoch),
    test_accuracy: sorted.map((r) => r.testAccuracy),
    test_loss: sorted.map((r) => missing(r.testLoss)),
    train_val_gap: sorted.map((r) => r.trainValGap),
  });
}

/** A DataFrame from plain records (the keys of the first record are the columns). */
export function recordsTable(records: Record<string, unknown>[], options: { index?: (string | number)[] } = {}): DataFrame {
  const names = records.length ? Object.keys(records[0]) : [];
  const columns: Record<string, unknown[]> = {};
  for (const n of names) columns[n] = records.map((r) => (r[n] === undefined ? NaN : r[n]));
  return frame(columns, options.index);
}

/** Pixel statistics of named sets, e.g. `pixelStatsTable({ train: data.train.images, test: data.test.images })`. */
export function pixelStatsTable(sets: Record<string, Uint8Array>, options: { pixelsPerImage?: number } = {}): DataFrame {
  const names = Object.keys(sets);
  const rows = names.map((n) => {
    const s = pixelStats(sets[n], options.pixelsPerImage);
    return { images: s.images, mean: s.mean, std: s.std, min: s.min, max: s.max, zero_share: s.zeroShare, ink_pixels_per_image: s.inkPixelsPerImage };
  });
  return recordsTable(rows, { index: names });
}
