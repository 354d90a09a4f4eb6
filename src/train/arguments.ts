/**
 * train()'s arguments checked before any work: from a notebook cell a missing data set or a
 * misspelled setting otherwise ends in a bare TypeError deep in the loop, or in a run that
 * silently ignores what was asked (`{ epoch: 5 }`, `{ dropout: 0.5 }`).
 */
import { isImageSet, isMnistData } from "../data/tensors";
import { UsageError } from "../errors";
import type { Recipe } from "../recipes";
import { checkOptionNames, describeValue, type OptionNames } from "../util/options";
import type { EarlyStopping, TrainOptions, TrainSettings } from "./loop";

const SETTINGS: OptionNames<TrainSettings> = {
  epochs: true, batchSize: true, learningRate: true, validationSplit: true, validationFrom: true,
  seed: true, earlyStopping: true, lrSchedule: true, augment: true,
};

/** A whole Recipe may be passed: its other fields describe the run (quick mode adds trainLimit). */
const RECIPE_EXTRAS: OptionNames<Omit<Recipe, keyof TrainSettings>> & { trainLimit: true } = {
  name: true, model: true, description: true, dropout: true, l2: true, targetAccuracy: true, reportedAccuracy: true, defaultSettings: true,
  trainLimit: true,
};

const OPTIONS: OptionNames<TrainOptions> = {
  verbose: true, reporter: true, onEpochEnd: true, onBatchEnd: true, batchEndIntervalMs: true, signal: true,
  validationData: true, evalBatchSize: true, step: true, optimizer: true, threads: true, onStop: true, interruptNote: true,
};

const EARLY_STOPPING: OptionNames<EarlyStopping> = { monitor: true, patience: true, minDelta: true, restoreBestWeights: true };

const SCHEDULES: Record<string, readonly string[]> = {
  step: ["type", "every", "factor", "minLearningRate"],
  exponential: ["type", "decay", "minLearningRate"],
  cosine: ["type", "minLearningRate"],
  plateau: ["type", "patience", "factor", "minDelta", "minLearningRate", "monitor"],
};

/** Settings that belong elsewhere, with where to put them. */
const MISPLACED: Record<string, string> = {
  dropout: "dropout is part of the model: buildModel(spec, { dropout })",
  l2: "l2 is part of the model: buildModel(spec, { l2 })",
  trainLimit: "to train on fewer images pass head(set, n) (from src/data)",
};

export function checkTrainArguments(model: unknown, data: unknown, settings: unknown, options: unknown): void {
  if (!model || typeof (model as { predict?: unknown }).predict !== "function") {
    throw new UsageError(`train needs a model from buildModel() or loadModel() first, got ${describeValue(model)}`);
  }
  if (!isImageSet(data) && !isMnistData(data)) {
    throw new UsageError(`train needs an image set such as mnist.train (or the data from loadMnist()), got ${describeValue(data)}`);
  }
  if (!settings || typeof settings !== "object" || Array.isArray(settings)) {
    throw new UsageError(`train needs settings such as { epochs: 5 }, got ${describeValue(settings)}`);
  }
  const isRecipe = typeof (settings as Recipe).name === "string" && typeof (settings as Recipe).model === "string";
  if (!isRecipe) {
    for (const key of Object.keys(settings)) {
      if (key in MISPLACED && !(key in SETTINGS)) throw new UsageError(`train settings: ${MISPLACED[key]}`);
    }
  }
  checkOptionNames(settings, isRecipe ? [...Object.keys(SETTINGS), ...Object.keys(RECIPE_EXTRAS)] : SETTINGS, "train settings");
  const { earlyStopping, lrSchedule, augment } = settings as TrainSettings;
  checkOptionNames(earlyStopping, EARLY_STOPPING, "train settings.earlyStopping");
  checkOptionNames(augment, ["shift"], "train settings.augment");
  if (lrSchedule !== undefined) {
    const type = lrSchedule && typeof lrSchedule === "object" ? (lrSchedule as { type?: unknown }).type : undefined;
    const names = typeof type === "string" ? SCHEDULES[type] : undefined;
    if (!names) {
      throw new UsageError(`train settings.lrSchedule: type must be one of ${Object.keys(SCHEDULES).join(", ")}, got ${describeValue(type)}`);
    }
    checkOptionNames(lrSchedule, names, `train settings.lrSchedule (${type})`);
  }
  checkOptionNames(options, OPTIONS, "train options");
  const onStop = (options as TrainOptions).onStop;
  if (onStop !== undefined && onStop !== "last-epoch" && onStop !== "as-is") {
    throw new UsageError(`train options.onStop must be "last-epoch" or "as-is", got ${describeValue(onStop)}`);
  }
}
