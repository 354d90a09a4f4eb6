/**
 * The whole experiment in one call, for notebooks and comparisons: build the recipe's model,
 * train it, and score it on the test set.
 */
import type { tf } from "../backend";
import { head, type MnistData } from "../data";
import { evaluate, type Evaluation } from "../eval/evaluate";
import { buildModel } from "../models/variants";
import type { Recipe } from "../recipes";
import { train, type TrainOptions, type TrainResult } from "./loop";

export interface RecipeRun {
  recipe: Recipe;
  model: tf.LayersModel;
  params: number;
  result: TrainResult;
  test: Evaluation;
}

/** Trains `recipe` on `data.train` (optionally only its first `trainLimit` images) and evaluates on `data.test`. */
export async function runRecipe(recipe: Recipe, data: MnistData, options: TrainOptions & { trainLimit?: number } = {}): Promise<RecipeRun> {
  const model = buildModel(recipe.model, { dropout: recipe.dropout, l2: recipe.l2, seed: recipe.seed });
  const trainSet = options.trainLimit !== undefined ? head(data.train, options.trainLimit) : data.train;
  const result = await train(model, trainSet, recipe, options);
  const test = await evaluate(model, data.test);
  return { recipe, model, params: model.countParams(), result, test };
}
