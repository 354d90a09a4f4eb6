import { test } from "node:test";
import * as assert from "node:assert/strict";
import { quickable } from "../../src/quick";
import { getRecipe } from "../../src/recipes";
import { withEnv } from "../helpers/env";

const withQuick = <T>(value: string | undefined, run: () => T): T => withEnv({ DIGIT_LAB_QUICK: value }, run);

test("quick mode trims a recipe and says so in its description", () => {
  const recipe = getRecipe("seed-001");
  const quick = withQuick("1", () => quickable(recipe));
  assert.equal(quick.epochs, 2);
  assert.equal(quick.trainLimit, 3000);
  assert.equal(quick.description, `${recipe.description} (quick mode: 2 epochs on the first 3,000 training images)`);
  assert.equal(quick.model, recipe.model, "everything else as given");
  assert.deepEqual(withQuick(undefined, () => quickable(recipe)), recipe, "outside quick mode: unchanged");
  assert.deepEqual(withQuick("1", () => quickable({ epochs: 1 })), { epochs: 1, trainLimit: 3000 }, "no description, none added");
});
