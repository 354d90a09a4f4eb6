/**
 * The flags that choose a recipe (or a bare model) and override its settings, shared by
 * the commands that train: `train` and `seeds`.
 */
import { type ParsedArgs, floatFlag, intFlag, positiveFlag, seedFlag, stringFlag } from "./command";
import { UsageError } from "../errors";
import { parseDatasetName, type DatasetName, type ValidationFrom } from "../data";
import { parseModelSpec } from "../models";
import { defaultRecipe, getRecipe, type Recipe } from "../recipes";

/** The flags that choose a recipe or model and override its settings (train, seeds). */
export const RECIPE_OPTIONS = {
  model: { type: "string" },
  recipe: { type: "string" },
  epochs: { type: "string" },
  "batch-size": { type: "string" },
  seed: { type: "string" },
  "learning-rate": { type: "string" },
  dropout: { type: "string" },
  l2: { type: "string" },
  "validation-from": { type: "string" },
  "train-limit": { type: "string" },
  dataset: { type: "string" },
} as const;

/**
 * The recipe the flags ask for, with its overrides applied. Every mistake (an unknown recipe
 * or model, a bad number) is a usage error here, before any data is read.
 */
export function recipeFromArgs(args: ParsedArgs, commandName: string): { recipe: Recipe; trainLimit?: number; dataset: DatasetName } {
  const modelFlag = stringFlag(args, "model");
  const recipeFlag = stringFlag(args, "recipe");
  if (!modelFlag && !recipeFlag) throw new UsageError(`give --model NAME or --recipe NAME (see \`digit-lab models\`, \`digit-lab ${commandName} --help\`)`);
  const recipe: Recipe = recipeFlag ? getRecipe(recipeFlag) : defaultRecipe(modelFlag!);
  if (modelFlag) recipe.model = modelFlag;
  recipe.epochs = intFlag(args, "epochs", recipe.epochs);
  recipe.batchSize = intFlag(args, "batch-size", recipe.batchSize);
  recipe.seed = seedFlag(args, "seed", recipe.seed);
  recipe.learningRate = positiveFlag(args, "learning-rate", recipe.learningRate);
  const dropout = floatFlag(args, "dropout", undefined);
  const l2 = floatFlag(args, "l2", undefined);
  checkRegularization({ dropout, l2 });
  if (dropout !== undefined) recipe.dropout = dropout;
  if (l2 !== undefined) recipe.l2 = l2;
  recipe.validationFrom = parseValidationFrom(stringFlag(args, "validation-from") ?? recipe.validationFrom ?? "random");
  const trainLimit = intFlag(args, "train-limit", undefined);
  const dataset = parseDatasetName(stringFlag(args, "dataset") ?? "mnist");
  parseModelSpec(recipe.model); // a wrong name is a usage error before any data is read
  return { recipe, trainLimit, dataset };
}

/**
 * Throws a UsageError naming the flag unless --dropout is in [0, 1) and --l2 is at least 0
 * (undefined: not given). Checked before any data is read, by every command that takes them.
 */
export function checkRegularization(flags: { dropout?: number; l2?: number }): void {
  const { dropout, l2 } = flags;
  if (dropout !== undefined && !(dropout >= 0 && dropout < 1)) throw new UsageError(`--dropout ${dropout}: must be at least 0 and below 1`);
  if (l2 !== undefined && !(l2 >= 0)) throw new UsageError(`--l2 ${l2}: must be at least 0`);
}

function parseValidationFrom(value: string): ValidationFrom {
  if (value === "random" || value === "end") return value;
  throw new UsageError(`--validation-from must be random or end, got "${value}"`);
}
