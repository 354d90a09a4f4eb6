/**
 * The offline page `train --report` and `evaluate --report` write for one model: its
 * training curves (when known), the test evaluation, the mistakes and its first-layer weights.
 */
import type { tf } from "../backend";
import type { MnistData } from "../data";
import { type DetailedEvaluation, misclassified } from "../eval";
import { firstLayerKernel } from "../models";
import { trainingReport, writeReport } from "../report";
import type { EpochLog } from "../types";

export interface ModelReportInput {
  title: string;
  subtitle: string;
  notes?: string;
  /** The model's name and the history it was trained with (omitted: no training section). */
  run?: { name: string; history: EpochLog[] };
}

/** Writes the report to `file` (atomically) and returns the path written. */
export function writeModelReport(file: string, model: tf.LayersModel, test: DetailedEvaluation, data: MnistData, input: ModelReportInput): string {
  return writeReport(
    file,
    trainingReport({
      title: input.title,
      subtitle: input.subtitle,
      notes: input.notes,
      runs: input.run,
      evaluation: {
        report: test.report,
        confusion: test.confusion,
        misclassified: misclassified(data.test.labels, test.probabilities, { images: data.test.images, limit: 32 }),
      },
      firstLayer: firstLayerKernel(model),
      classNames: data.classNames,
    }),
  );
}
