/** How `train` names the settings it runs: `--model cnn` must not read as the tuned cnn recipe. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { settingsLabel } from "../../src/cli/model-report";
import { defaultRecipe, getRecipe } from "../../src/recipes";

test("a named recipe is named; --model NAME is default settings, and says so when a recipe shares the name", () => {
  assert.equal(settingsLabel(getRecipe("seed-001")), "recipe seed-001");
  assert.equal(settingsLabel(getRecipe("cnn")), "recipe cnn");
  assert.equal(settingsLabel(defaultRecipe("dense-128")), "default settings");
  assert.equal(settingsLabel(defaultRecipe("cnn")), "default settings (not the cnn recipe: --recipe cnn)");
});
