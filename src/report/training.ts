/**
 * The usual report after training or comparing models: curves, history, evaluation
 * and (for comparisons) the architecture overview, as sections for `writeReport`.
 */
import type { ClassificationReport, ComparisonRow, ConfusionMatrix, LayerKernel, Misclassified, RunHistory } from "../types";
import type { Figure } from "../plots/figure";
import { percent } from "../plots/figure";
import { trainingCurves } from "../plots/training";
import { classMetricsBars, confusionMatrix, misclassifiedGallery } from "../plots/evaluation";
import { architectureComparison } from "../plots/comparison";
import { weightImages } from "../plots/weights";
import { embeddingScatter, type Embedding } from "../plots/embedding";
import { classificationTable, comparisonTable, historyTable } from "../tables";
import type { ReportSection, ReportSpec, ReportTable } from "./index";
import type { TableLike } from "../tables/format";
import { counted } from "../util/format";

/** A run as a report describes it. */
export interface ReportRun extends RunHistory {
  /** Set when the run was interrupted (Ctrl-C) before its end: the epochs it was asked to train. */
  interruptedOf?: number;
}

/** "interrupted (Ctrl-C) after 3 of 30 epochs" */
export function interruptedPhrase(epochs: number, epochsRequested: number): string {
  return `interrupted (Ctrl-C) after ${epochs} of ${counted(epochsRequested, "epoch")}`;
}

export interface TrainingReportInput {
  title?: string;
  subtitle?: string;
  /** Free text for a first "Summary" section (settings, command line, notes). */
  notes?: string;
  /** One run or several (several: curves overlaid, one history table each). */
  runs?: ReportRun | ReportRun[];
  evaluation?: {
    report?: ClassificationReport;
    confusion?: ConfusionMatrix;
    /** Every mistake (not just the ones to draw): the gallery's title counts them all. */
    misclassified?: Misclassified[];
    /** Most mistakes to draw (default 32, most confident first if confidences differ). */
    misclassifiedLimit?: number;
  };
  comparison?: ComparisonRow[];
  /** The trained model's first-layer kernel (`firstLayerKernel(model)`), drawn as weight images. */
  firstLayer?: LayerKernel;
  /**
   * The test images in the last hidden layer, projected by PCA (`pca(layerActivations(model,
   * test).values, width)`), with their labels and the model's probabilities (to ring mistakes).
   */
  hiddenLayer?: { layer: string; width: number; embedding: Embedding; labels: ArrayLike<number>; probabilities?: ArrayLike<number> };
  classNames?: readonly string[];
}

/** Words for the comparison table's field names (the DataFrame keeps its names for code). */
const COMPARISON_HEADERS: Record<string, string> = {
  model: "model",
  params: "parameters",
  seconds_per_epoch: "seconds per epoch",
  best_epoch: "best epoch",
  test_accuracy: "test accuracy",
  test_loss: "test loss",
  train_val_gap: "train − validation accuracy",
};

/** What the gap column means, for the table's caption (it is often negative early in training). */
export const COMPARISON_GAP_NOTE =
  "train − validation accuracy: the last epoch's training accuracy minus its validation accuracy. " +
  "A large positive gap is over-fitting; a negative one (validation scoring higher) is usual after few epochs or with dropout.";

/** The comparison table with readable column headers, for pages; `--json` and DataFrames keep the field names. */
export function readableComparisonTable(rows: ComparisonRow[], options: { sortBy?: keyof ComparisonRow } = {}): TableLike {
  const table = comparisonTable(rows, options);
  return {
    columns: table.columns.map((c) => COMPARISON_HEADERS[c] ?? c.replace(/_/g, " ")),
    values: table.values as unknown[][],
    index: table.index as (string | number)[],
  };
}

export function trainingReport(input: TrainingReportInput): ReportSpec {
  const runs = input.runs === undefined ? [] : Array.isArray(input.runs) ? input.runs : [input.runs];
  const sections: ReportSection[] = [];
  const summary: string[] = [];
  if (input.notes) summary.push(input.notes);
  for (const run of runs) {
    const last = run.history[run.history.length - 1];
    if (!last) continue;
    const val = last.valAccuracy === undefined ? "" : `, validation accuracy ${percent(last.valAccuracy, 2)}`;
    const seconds = run.history.reduce((a, e) => a + e.seconds, 0);
    const kept = run.history.find((e) => e.epoch === run.restoredEpoch);
    // After early stopping put back an earlier epoch, the test figures are that epoch's weights: say so.
    const restored = !kept ? "" : ` Early stopping put back the weights of epoch ${kept.epoch}` +
      (kept.valAccuracy === undefined ? "" : ` (validation accuracy ${percent(kept.valAccuracy, 2)})`) + "; the model holds them, and the test figures are theirs.";
    // "3 of 10 epochs (interrupted by Ctrl-C)": the count said once, not "3 epochs (… after 3 of 10 epochs)".
    const epochs = run.interruptedOf === undefined ? counted(run.history.length, "epoch")
      : `${run.history.length} of ${counted(run.interruptedOf, "epoch")} (interrupted by Ctrl-C)`;
    summary.push(`${run.name}: ${epochs} in ${seconds.toFixed(1)} s; last epoch's training accuracy ${percent(last.accuracy, 2)}${val}.${restored}`);
  }
  const report = input.evaluation?.report;
  if (report) summary.push(`Test accuracy ${percent(report.accuracy, 2)}; macro F1 ${report.macro.f1.toFixed(4)}.`);
  if (summary.length) sections.push({ heading: "Summary", text: summary.join("\n\n") });

  if (runs.length) {
    sections.push({
      heading: "Training",
      text: "Loss and accuracy per epoch: solid lines on the training data, dashed on the validation data.",
      figures: [trainingCurves(runs)],
      tables: runs.map((r): ReportTable => ({ caption: `History of ${r.name}`, table: historyTable(r.history) })),
    });
  }

  const ev = input.evaluation;
  if (ev && (ev.report || ev.confusion || ev.misclassified?.length)) {
    const figures: Figure[] = [];
    const tables: ReportTable[] = [];
    if (ev.confusion) figures.push(confusionMatrix(ev.confusion, { classNames: input.classNames }));
    if (ev.report) {
      figures.push(classMetricsBars(ev.report, { classNames: input.classNames }));
      tables.push({ caption: "Classification report (test set)", table: classificationTable(ev.report, { classNames: input.classNames }) });
    }
    const wrong = (ev.misclassified ?? []).filter((m) => m.pixels);
    if (wrong.length) {
      // Pass every mistake: the gallery's limit picks how many to draw, and the title names the total.
      const sorted = [...wrong].sort((a, b) => b.confidence - a.confidence);
      const limit = ev.misclassifiedLimit ?? 32;
      const total = ev.misclassified!.length;
      const shown = Math.min(sorted.length, limit);
      const what = shown === total ? `All ${total.toLocaleString("en-US")} mistakes` : `${shown} most confident of ${total.toLocaleString("en-US")} mistakes`;
      figures.push(misclassifiedGallery(sorted, { limit, classNames: input.classNames, title: what }));
    }
    sections.push({ heading: "Evaluation", figures, tables });
  }

  if (input.firstLayer) {
    sections.push({
      heading: "What the first layer learned",
      text: input.firstLayer.className === "Conv2D"
        ? "Each filter's weights drawn as an image: the filter slides over the digit, and ink under red weights raises its output, " +
          "ink under blue ones lowers it — small detectors of edges and stroke directions."
        : "Each unit's weights drawn as an image of its input: ink on red pixels raises the unit's input, ink on blue ones lowers it. " +
          "Pixels that no training image inks keep their random initial weights.",
      figures: [weightImages(input.firstLayer, { limit: 32 })],
    });
  }

  if (input.hiddenLayer) {
    const h = input.hiddenLayer;
    sections.push({
      heading: "How the network sees the test digits",
      text: `Each test image as the last hidden layer (${h.layer}, ${counted(h.width, "value")}) represents it, projected by PCA onto the two ` +
        "directions in which those representations differ most; each axis title gives its share of the variance. " +
        "The output layer can only draw flat boundaries in this space, so a well-trained network pulls each class into its own cloud. " +
        "Misclassified images are ringed; click a legend entry to hide a class.",
      figures: [embeddingScatter(h.embedding, h.labels, {
        probabilities: h.probabilities,
        classNames: input.classNames,
        title: `Test images in the last hidden layer (${h.layer}), by PCA`,
      })],
    });
  }

  if (input.comparison?.length) {
    sections.push({
      heading: "Architecture comparison",
      text: "Test accuracy against the number of parameters; bubble area shows seconds per epoch. Best at the top left with small bubbles.",
      figures: [architectureComparison(input.comparison)],
      tables: [{ caption: `Models, best test accuracy first. ${COMPARISON_GAP_NOTE}`, table: readableComparisonTable(input.comparison, { sortBy: "testAccuracy" }) }],
    });
  }

  const title = input.title ?? (runs.length === 1 ? `digit-lab training report: ${runs[0].name}` : input.comparison?.length ? "digit-lab architecture comparison" : "digit-lab training report");
  return { title, subtitle: input.subtitle ?? `Written ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`, sections };
}
