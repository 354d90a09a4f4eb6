import { counted, formatLoss, round } from "../../util/format";
import { type Command, backendFromArgs, printJson, stringFlag } from "../command";
import { RECIPE_OPTIONS, recipeFromArgs } from "../recipe-args";
import { head, loadMnist } from "../../data";
import * as fs from "node:fs";
import * as path from "node:path";
import type { tf } from "../../backend";
import { UsageError } from "../../errors";
import { MODEL_DIR_TARGET, buildModel, nonFiniteProblem, saveModel } from "../../models";
import { recipeNames } from "../../recipes";
import { StopHandle, restoresBestWeights, train } from "../../train";
import { evaluateDetailed } from "../../eval";
import { interruptedLine, sayWhenInterrupted } from "../interrupt";
import { joinChanges, runChanges, runSubtitle, settingsLabel, writeModelReport } from "../model-report";
import { checkOutputDir, checkOutputFile } from "../../util/output-paths";
import { nextTurn } from "../../util/next-turn";

export const command: Command = {
  name: "train",
  summary: "train a model (by name or recipe), report test accuracy, optionally save it",
  help: [
    "usage: digit-lab train --model NAME | --recipe NAME [--epochs N] [--batch-size N] [--seed N]",
    "                       [--learning-rate X] [--dropout X] [--l2 X] [--validation-from random|end] [--train-limit N]",
    "                       [--dataset mnist|fashion-mnist] [--save DIR] [--report FILE] [--json]",
    "",
    "  --model NAME         an architecture from `digit-lab models`, or a dense stack like dense:512-256",
    `  --recipe NAME        a named recipe: ${recipeNames().join(", ")}`,
    "                       (with --model too, the recipe's settings train that model instead)",
    "  --epochs, --batch-size, --seed, --learning-rate, --dropout, --l2   override the recipe",
    "  --validation-from random|end   hold out a seeded random 20% (project recipes) or, as Keras'",
    "                       validation_split, the last 20% of the file (seed recipes)",
    "  --train-limit N      train on the first N training images only (before the validation split)",
    "  --save DIR           write model.json, weights.bin and metadata.json to DIR (a new or empty folder,",
    "                       or a saved model to replace; any other folder or file is refused and left alone).",
    "                       Ctrl-C once an epoch has finished stops training and still tests and saves the model",
    "                       of the last finished epoch (as --report writes its report), with stopReason \"interrupted\"",
    "                       in metadata.json and exit code 130; a second Ctrl-C quits without writing anything",
    "  --report FILE        write an offline HTML report: curves, history, confusion matrix, per-class report, mistakes, first-layer weights,",
    "                       a PCA map of the last hidden layer",
    "                       A run that diverges (the loss becomes NaN) saves no model (a model already in DIR is kept),",
    "                       says so and exits with code 1; --report still writes its page, titled as diverged",
    "  --json               print one JSON object (history, timings, test metrics); progress goes to stderr.",
    "                       trainCount and validationCount: the images trained on and held out, after the split;",
    "                       imagesBeforeSplit: before it (metadata.json's data.trainCount; also data.imagesBeforeSplit,",
    "                       data.trainCountAfterSplit, data.validationCount). savedTo is null when nothing was saved",
  ].join("\n"),
  options: {
    ...RECIPE_OPTIONS,
    save: { type: "string" },
    report: { type: "string" },
  },
  async run(args) {
    const { recipe, trainLimit, dataset } = recipeFromArgs(args, "train");
    const save = stringFlag(args, "save");
    const reportFile = stringFlag(args, "report");
    // Output paths are checked before any data is read: a wrong one must not cost a training run.
    checkOutputDir(save, "--save", MODEL_DIR_TARGET, recipe.model.replace(/[^\w.-]+/g, "-"));
    checkOutputFile(reportFile, "--report", "report");
    if (save && reportFile) {
      const relative = path.relative(path.resolve(save), path.resolve(reportFile));
      if (!relative.startsWith("..") && !path.isAbsolute(relative)) {
        throw new UsageError(`--report ${reportFile}: is inside the --save folder ${save}; put the report elsewhere`);
      }
    }
    // A saved model already there (checkOutputDir allows only that, an empty folder or none): kept if training diverges.
    const savedBefore = save !== undefined && fs.existsSync(save) && fs.readdirSync(save).length > 0;
    const backend = await backendFromArgs(args);
    const data = await loadMnist({ dataset, dataDir: stringFlag(args, "data-dir") });
    const trainSet = trainLimit !== undefined ? head(data.train, trainLimit) : data.train;
    const model = buildModel(recipe.model, { dropout: recipe.dropout, l2: recipe.l2, seed: recipe.seed });
    const params = model.countParams();
    let stage = "during the first epoch";
    let kept = "nothing was written";
    // With something to write, a Ctrl-C after an epoch stops training there (train() puts back that
    // epoch's weights) and the model is tested and written as after a normal end: a long run keeps
    // its finished epochs. Before the first epoch ends, or with nothing to write, it quits at once.
    const stop = new StopHandle();
    let training = true;
    let finished = 0; // epochs finished, or about to: all batches of an epoch ran, so train() completes it
    const restoresBest = restoresBestWeights(recipe.earlyStopping);
    const interrupt = sayWhenInterrupted("train", () => ({ when: stage, kept }), () => {
      if (!(save || reportFile) || !training || finished === 0) return undefined;
      stop.stop();
      const which = restoresBest ? "the model of the best epoch so far" : `the model of epoch ${finished}`;
      const work = save ? `testing and saving ${which}${reportFile ? " and writing its report" : ""}` : `testing ${which} and writing its report`;
      return `stopping after epoch ${finished} of ${recipe.epochs}: ${work} (Ctrl-C again to quit without ${save ? "saving" : "a report"})`;
    });
    // Said once Ctrl-C is handled: from this line on, a Ctrl-C gets the answer described above.
    process.stderr.write(
      `training ${recipe.model} (${params.toLocaleString("en-US")} params) with ${settingsLabel(recipe)}: ` +
        `${counted(recipe.epochs, "epoch")}, batch ${recipe.batchSize}, lr ${recipe.learningRate}, seed ${recipe.seed}, ` +
        `${trainSet.count.toLocaleString("en-US")} training image${trainSet.count === 1 ? "" : "s"} before the ${recipe.validationSplit} validation split ` +
        `(${recipe.validationFrom === "end" ? "the last examples, as Keras" : "seeded random"})\n`,
    );
    const result = await train(model, trainSet, recipe, {
      verbose: 1,
      signal: stop,
      onBatchEnd: (info) => void (info.batch === info.batches && (finished = info.epoch)),
      onEpochEnd: (log) => {
        finished = log.epoch;
        stage = `after ${log.epoch} of ${counted(recipe.epochs, "epoch")}`;
      },
    });
    training = false;
    const interrupted = interrupt.windingDown;
    if (!interrupted) stage = "after training, while testing";
    const restoredEpoch = result.restoredEpoch;
    // Let a second Ctrl-C in before testing (which lets it in between its batches too).
    if (interrupted) await nextTurn();
    const test = await evaluateDetailed(model, data.test);
    process.stderr.write(`test loss ${formatLoss(test.loss)}  test accuracy ${test.accuracy.toFixed(4)} (${test.count.toLocaleString("en-US")} images)\n`);

    if (interrupted) await nextTurn(); // a second Ctrl-C during testing quits before anything is written
    const stopReason = interrupted ? "interrupted" : result.stopReason;
    // A diverged run's weights (or outputs) are NaN: such a model is refused by every command that
    // loads it, so it is not saved, and a good model already in the --save folder is kept.
    // (Early stopping may have put back an earlier epoch's finite weights: those are saved.)
    const notNumbers = nonFiniteModel(model, test.probabilities);
    const diverged = notNumbers && {
      cause: result.stopReason === "diverged" ? `the loss of epoch ${result.history.length} is ${result.history.at(-1)?.loss}` : `the ${notNumbers}`,
      outcome: `the model's ${notNumbers}, so ` + (save ? `nothing saved (${savedBefore ? `the model in ${save} is unchanged` : `${save} was not written`})` : "its test figures mean nothing")
        + "; try a smaller --learning-rate",
    };
    if (save && !notNumbers) {
      // The same fields a notebook's saveModel(model, dir, { data, trainSet, result, evaluation }) records (runMetadata).
      await saveModel(model, save, {
        model: recipe.model, recipe, data, trainSet, result, evaluation: test,
        ...(stopReason ? { stopReason } : {}), // "interrupted" (Ctrl-C) rather than train's own "stopped"
        backend: backend.name,
      });
      process.stderr.write(`saved to ${save}\n`);
      kept = `the model was saved to ${save}`;
      if (!interrupted) stage = "after training and testing";
    }
    if (reportFile) {
      // Every setting that changes the result is on the page: a shortened run must not read as the recipe's.
      const changes = runChanges(recipe, { trainLimit, trainCount: trainSet.count });
      const title = recipe.defaultSettings ? `digit-lab: ${recipe.model}`
        : recipe.name === recipe.model ? `digit-lab: the ${recipe.name} recipe` : `digit-lab: ${recipe.model} trained with ${recipe.name}`;
      // A diverged run's page is still worth having (its curves show where it went wrong), titled as such.
      const divergedNote = diverged ? `Training diverged: ${diverged.cause}; ${diverged.outcome}.` : "";
      const written = writeModelReport(reportFile, model, test, data, {
        title: diverged ? `${title} (training diverged${save ? "; no model saved" : ""})` : title,
        subtitle: runSubtitle({
          dataset, epochs: result.history.length, batchSize: recipe.batchSize, seed: recipe.seed,
          trainCount: trainLimit !== undefined ? trainSet.count : undefined, backend: backend.name,
          interruptedOf: interrupted ? recipe.epochs : undefined,
        }),
        notes: recipe.defaultSettings
          ? [divergedNote, recipe.description, changes.length ? `Trained on ${joinChanges(changes)}.` : ""].filter(Boolean).join("\n\n")
          : [divergedNote, `Recipe ${recipe.name}: ${recipe.description}.`,
              changes.length ? `This run changed the recipe: ${joinChanges(changes)}. Its results are not the full recipe's.` : ""].filter(Boolean).join("\n\n"),
        run: { name: recipe.model, history: result.history, restoredEpoch, interruptedOf: interrupted ? recipe.epochs : undefined },
      });
      process.stderr.write(`report written to ${written}\n`);
    }
    const summary = {
      model: recipe.model,
      recipe: recipe.name,
      // True when --model ran without --recipe: default settings, whatever recipe shares the model's name.
      defaultSettings: recipe.defaultSettings === true,
      params,
      backend: backend.name,
      dataset,
      seed: recipe.seed,
      // trainCount: the images trained on, after the validation split; imagesBeforeSplit: before it
      // (metadata.json's data.trainCount, as --train-limit counts them).
      trainCount: result.trainCount,
      validationCount: result.validationCount,
      imagesBeforeSplit: trainSet.count,
      validationFrom: recipe.validationFrom,
      epochs: result.history.length,
      epochsRequested: recipe.epochs,
      batchSize: recipe.batchSize,
      history: result.history,
      secondsPerEpoch: round(result.secondsPerEpoch, 3),
      bestEpoch: result.bestEpoch ?? null,
      // Whether the tested (and saved) weights are bestEpoch's rather than the last epoch's.
      restoredBestWeights: result.restoredBestWeights,
      // "interrupted": Ctrl-C stopped training; the tested (and saved) weights are the last finished epoch's (or bestEpoch's).
      stopReason: stopReason ?? null,
      testLoss: test.loss,
      testAccuracy: test.accuracy,
      // null when nothing was saved: no --save, or a diverged model (see stopReason).
      savedTo: save && !notNumbers ? save : null,
      reportFile: reportFile ?? null,
    };
    if (args.values.json) printJson(summary);
    else {
      process.stdout.write(
        `${recipe.model}: test accuracy ${(100 * test.accuracy).toFixed(2)}%, test loss ${formatLoss(test.loss)}, ` +
          `${counted(result.history.length, "epoch")}${interrupted ? ` of ${recipe.epochs} (interrupted)` : ""} at ${result.secondsPerEpoch.toFixed(1)} s/epoch on ${backend.name}` +
          (save && !notNumbers ? `, saved to ${save}` : "") + "\n",
      );
    }
    model.dispose();
    if (diverged) {
      process.stderr.write(`digit-lab train: training diverged (${diverged.cause}); ${diverged.outcome}\n`);
      return 1;
    }
    if (!interrupted) return 0;
    const modelOf = `the model of epoch ${restoredEpoch ?? result.history.length}`;
    const written = save
      ? `${modelOf} was saved to ${save}${reportFile ? ` and its report written to ${reportFile}` : ""}`
      : `the report on ${modelOf} was written to ${reportFile}`;
    process.stderr.write(interruptedLine("train", `after ${result.history.length} of ${counted(recipe.epochs, "epoch")}`, written) + "\n");
    return 130;
  },
};

/**
 * What is not a number in a trained model, "weights are NaN" / "outputs are infinite", or undefined
 * when its weights and its test outputs (`probabilities`) are all finite.
 */
function nonFiniteModel(model: tf.LayersModel, probabilities: Float32Array): string | undefined {
  for (const weight of model.getWeights()) {
    const problem = nonFiniteProblem(weight.dataSync() as Float32Array);
    if (problem) return `weights are ${problem}`;
  }
  const problem = nonFiniteProblem(probabilities);
  return problem ? `outputs are ${problem}` : undefined;
}
