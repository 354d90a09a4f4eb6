/**
 * The offline page `train --report` and `evaluate --report` write for one model: its
 * training curves (when known), the test evaluation, the mistakes and its first-layer weights.
 */
import type { tf } from "../backend";
import type { MnistData } from "../data";
import { type DetailedEvaluation, misclassified, pca } from "../eval";
import { firstLayerKernel, lastHiddenLayer, layerActivations, type ModelMetadata } from "../models";
import { trainingReport, writeReport } from "../report";
import { interruptedPhrase, type ReportRun } from "../report/training";
import { type Recipe, getRecipe, recipeNames } from "../recipes";
import { counted } from "../util/format";
import { UsageError } from "../errors";

export interface ModelReportInput {
  title: string;
  subtitle: string;
  notes?: string;
  /** The model's name and the history it was trained with (omitted: no training section); `interruptedOf` when Ctrl-C ended it early. */
  run?: ReportRun;
}

/** Writes the report to `file` (atomically) and returns the path written. */
export function writeModelReport(file: string, model: tf.LayersModel, test: DetailedEvaluation, data: MnistData, input: ModelReportInput): string {
  const hidden = hiddenLayerMap(model, test, data);
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
        // All of them: the report draws the 32 most confident and counts the rest in the title.
        misclassified: misclassified(data.test.labels, test.probabilities, { images: data.test.images }),
        misclassifiedLimit: 32,
      },
      firstLayer: firstLayerKernel(model),
      hiddenLayer: hidden,
      classNames: data.classNames,
    }),
  );
}

/** The test images in the model's last hidden layer, by PCA; none for a model without a hidden layer. */
function hiddenLayerMap(model: tf.LayersModel, test: DetailedEvaluation, data: MnistData) {
  let layer: string;
  try {
    layer = lastHiddenLayer(model);
  } catch (err) {
    if (err instanceof UsageError) return undefined; // a bare softmax layer: no hidden layer to map
    throw err;
  }
  const hidden = layerActivations(model, data.test, { layer });
  return {
    layer: hidden.layer,
    width: hidden.width,
    embedding: pca(hidden.values, hidden.width),
    labels: data.test.labels,
    probabilities: test.probabilities,
  };
}

/**
 * How a run differs from its named recipe, as phrases ("2 epochs instead of 30", "the first
 * 5,000 training images"), so a report never quotes the recipe's settings for a shortened run.
 * A bare model (no named recipe) has no settings to contradict: only the train limit counts.
 * `ignore` skips settings the command varies itself (seeds: the seed).
 */
export function runChanges(recipe: Recipe, options: { trainLimit?: number; trainCount?: number; ignore?: readonly string[] } = {}): string[] {
  const changes: string[] = [];
  const base = recipeNames().includes(recipe.name) ? getRecipe(recipe.name) : undefined;
  const ignore = new Set(options.ignore ?? []);
  if (base) {
    const differs = (key: keyof Recipe) => !ignore.has(key) && JSON.stringify(recipe[key]) !== JSON.stringify(base[key]);
    const show = (v: unknown) => (v === undefined ? "none" : String(v));
    if (differs("model")) changes.push(`model ${recipe.model} instead of ${base.model}`);
    if (differs("epochs")) changes.push(`${counted(recipe.epochs, "epoch")} instead of ${base.epochs}`);
    if (differs("batchSize")) changes.push(`batch ${recipe.batchSize} instead of ${base.batchSize}`);
    if (differs("learningRate")) changes.push(`learning rate ${recipe.learningRate} instead of ${base.learningRate}`);
    if (differs("dropout")) changes.push(`dropout ${show(recipe.dropout)} instead of ${show(base.dropout)}`);
    if (differs("l2")) changes.push(`L2 ${show(recipe.l2)} instead of ${show(base.l2)}`);
    if (differs("seed")) changes.push(`seed ${recipe.seed} instead of ${base.seed}`);
    const from = (r: Recipe) => (r.validationFrom === "end" ? "the file's end" : "a random split");
    if (!ignore.has("validationFrom") && from(recipe) !== from(base)) changes.push(`validation from ${from(recipe)} instead of ${from(base)}`);
  }
  if (options.trainLimit !== undefined) {
    changes.push(`the first ${(options.trainCount ?? options.trainLimit).toLocaleString("en-US")} training images only`);
  }
  return changes;
}

/** "2 epochs instead of 30 and the first 5,000 training images only" (empty when nothing changed). */
export function joinChanges(changes: readonly string[]): string {
  return changes.length <= 1 ? changes.join("") : `${changes.slice(0, -1).join(", ")} and ${changes[changes.length - 1]}`;
}

/**
 * "recipe seed-001", or for `--model NAME` "default settings", which are not the recipe that
 * may share the model's name ("default settings (not the cnn recipe: --recipe cnn)").
 */
export function settingsLabel(recipe: Recipe): string {
  if (!recipe.defaultSettings) return `recipe ${recipe.name}`;
  return `default settings${recipeNames().includes(recipe.model) ? ` (not the ${recipe.model} recipe: --recipe ${recipe.model})` : ""}`;
}

/**
 * A run's report subtitle: "mnist, 2 epochs, batch 32, seed 42, first 2,000 training images,
 * backend wasm" ("interrupted (Ctrl-C) after 3 of 30 epochs" for a run cut short). `seed` is left out where the runs vary it; `trainCount` is given only for a
 * run limited to the first images.
 */
export function runSubtitle(run: { dataset: string; epochs: number; batchSize: number; seed?: number; trainCount?: number; backend: string; interruptedOf?: number }): string {
  const parts = [run.dataset, run.interruptedOf === undefined ? counted(run.epochs, "epoch") : interruptedPhrase(run.epochs, run.interruptedOf), `batch ${run.batchSize}`];
  if (run.seed !== undefined) parts.push(`seed ${run.seed}`);
  if (run.trainCount !== undefined) parts.push(`first ${run.trainCount.toLocaleString("en-US")} training images`);
  parts.push(`backend ${run.backend}`);
  return parts.join(", ");
}

/** Epochs finished and asked for, when the metadata says Ctrl-C ended the model's training early. */
export function interruptionOf(metadata: ModelMetadata): { epochs: number; epochsRequested: number } | undefined {
  if (metadata.stopReason !== "interrupted" || typeof metadata.epochsRequested !== "number") return undefined;
  return { epochs: metadata.history?.length ?? 0, epochsRequested: metadata.epochsRequested };
}
