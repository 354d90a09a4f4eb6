import { type Command, backendFromArgs, parseSeed, printJson, stringFlag } from "../command";
import { spread } from "../../util/stats";
import { RECIPE_OPTIONS, recipeFromArgs } from "../recipe-args";
import { UsageError } from "../../errors";
import { head, loadMnist } from "../../data";
import { buildModel } from "../../models";
import { recipeNames } from "../../recipes";
import { train } from "../../train";
import { evaluate } from "../../eval";
import { formatTable } from "../../tables";
import { counted, round } from "../../util/format";
import { seedSpread } from "../../plots/seeds";
import { writeReport } from "../../report";
import { checkOutputFile } from "../../util/output-paths";
import { joinChanges, runChanges, runSubtitle } from "../model-report";
import { sayWhenInterrupted } from "../interrupt";

const DEFAULT_SEEDS = "42,1,2,3,4";

const { seed: _seedFlag, ...OPTIONS_WITHOUT_SEED } = RECIPE_OPTIONS;

export const command: Command = {
  name: "seeds",
  summary: "train one recipe once per seed: test accuracy of each, and their mean ± standard deviation",
  help: [
    "usage: digit-lab seeds --model NAME | --recipe NAME [--seeds 42,1,2,3,4] [--epochs N] [--batch-size N]",
    "                       [--learning-rate X] [--dropout X] [--l2 X] [--validation-from random|end]",
    "                       [--train-limit N] [--dataset mnist|fashion-mnist] [--report FILE] [--json]",
    "",
    "A single run's accuracy scatters with the seed (initial weights, split, shuffles, dropout);",
    "before comparing a recipe with a reported number, look at its spread over several seeds.",
    "",
    `  --recipe NAME        a named recipe: ${recipeNames().join(", ")}`,
    "  --model NAME         an architecture (with the default settings, or the recipe's with --recipe)",
    `  --seeds LIST         comma-separated seeds (default ${DEFAULT_SEEDS})`,
    "  --epochs, --batch-size, --learning-rate, --dropout, --l2, --validation-from, --train-limit",
    "                       override the recipe, as for `digit-lab train`",
    "  --report FILE        write an offline HTML page: every seed's accuracy, the mean ± std, and the seed",
    "                       experiment's reported accuracy (for a project recipe: its target) as a line",
    "  --json               print {\"runs\": [...], \"testAccuracy\": {mean, std, min, max}, ...}; progress goes to stderr",
  ].join("\n"),
  options: { ...OPTIONS_WITHOUT_SEED, seeds: { type: "string" }, report: { type: "string" } },
  async run(args) {
    const { recipe, trainLimit, dataset } = recipeFromArgs(args, "seeds");
    const seeds = parseSeeds(stringFlag(args, "seeds") ?? DEFAULT_SEEDS);
    const reportFile = stringFlag(args, "report");
    checkOutputFile(reportFile, "--report", "report"); // before any training
    const backend = await backendFromArgs(args);
    const data = await loadMnist({ dataset, dataDir: stringFlag(args, "data-dir") });
    const trainSet = trainLimit !== undefined ? head(data.train, trainLimit) : data.train;

    const runs: SeedRun[] = [];
    let params = 0;
    // seeds keeps no cache, so an interrupted spread at least says what the finished runs gave.
    sayWhenInterrupted("seeds", () => ({
      when: runs.length < seeds.length ? `during seed ${seeds[runs.length]} (${runs.length + 1} of ${seeds.length})` : `after all ${counted(seeds.length, "run")}`,
      kept: "nothing was written" + (runs.length ? `; finished: ${runs.map((r) => `seed ${r.seed} ${(100 * r.testAccuracy).toFixed(2)}%`).join(", ")}` : ""),
    }));
    for (const [i, seed] of seeds.entries()) {
      process.stderr.write(`${recipe.name}, seed ${seed} (${i + 1} of ${seeds.length})\n`);
      const model = buildModel(recipe.model, { dropout: recipe.dropout, l2: recipe.l2, seed });
      params = model.countParams();
      const result = await train(model, trainSet, { ...recipe, seed }, { verbose: 1 });
      const test = await evaluate(model, data.test);
      model.dispose();
      // The validation accuracy of the weights that were tested (the restored epoch's, else the last).
      const tested = result.restoredEpoch !== undefined ? result.history.find((h) => h.epoch === result.restoredEpoch) : result.history.at(-1);
      runs.push({
        seed,
        valAccuracy: tested?.valAccuracy ?? null,
        testAccuracy: test.accuracy,
        testLoss: test.loss,
        epochs: result.history.length,
        bestEpoch: result.bestEpoch ?? null,
        secondsPerEpoch: round(result.secondsPerEpoch, 3),
      });
    }
    const accuracy = spread(runs.map((r) => r.testAccuracy));
    const name = recipe.defaultSettings ? recipe.model : `${recipe.name} (${recipe.model})`;
    const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
    // The dashed line: what the seed experiment reported, or else what the recipe was designed to reach.
    // A shortened run (fewer epochs, fewer images, …) is not the run the line reports: the page says so.
    const changes = runChanges(recipe, { trainLimit, trainCount: trainSet.count, ignore: ["seed"] });
    const shortened = changes.length > 0;
    const reference = recipe.reportedAccuracy !== undefined
      ? {
          value: recipe.reportedAccuracy,
          label: shortened ? "seed experiment, full recipe" : "seed experiment",
          says: `the ${percent(recipe.reportedAccuracy)} the seed experiment reported for its single run` + (shortened ? " of the full recipe" : ""),
        }
      : recipe.targetAccuracy !== undefined
        ? { value: recipe.targetAccuracy, label: shortened ? "target, full recipe" : "target", says: `the recipe's target, ${percent(recipe.targetAccuracy)}` + (shortened ? ", for the full recipe" : "") }
        : undefined;
    // "…not expected to reach it" only when the page draws a line they could be held to.
    const changed = shortened && !recipe.defaultSettings
      ? ` These runs changed the recipe: ${joinChanges(changes)}${reference ? ", so they are not expected to reach it" : ""}.`
      : shortened ? ` Trained on ${joinChanges(changes)}.` : "";
    const seedCount = counted(runs.length, "seed");
    const stdText = runs.length < 2 ? "std n/a (1 seed)" : `± ${(100 * accuracy.std).toFixed(2)} (standard deviation over ${seedCount})`;
    const reportWritten = reportFile
      ? writeReport(reportFile, {
          title: `digit-lab: ${name} over ${seedCount}`,
          subtitle: runSubtitle({
            dataset, epochs: recipe.epochs, batchSize: recipe.batchSize,
            trainCount: trainLimit !== undefined ? trainSet.count : undefined, backend: backend.name,
          }),
          sections: [{
            heading: "Test accuracy per seed",
            text: "Each dot is one run; the diamond is the mean with one standard deviation either side." +
              (reference ? ` The dashed line is ${reference.says}.` : "") + changed,
            figures: [seedSpread({ name: recipe.name, runs }, { reported: reference?.value, reportedLabel: reference?.label, countReaching: !shortened })],
            tables: [{ caption: "Runs", table: runsTable(runs, percent), digits: 4 }],
          }],
        })
      : undefined;
    if (reportWritten) process.stderr.write(`report written to ${reportWritten}\n`);
    const summary = {
      model: recipe.model,
      recipe: recipe.name,
      // True when --model ran without --recipe: default settings, whatever recipe shares the model's name.
      defaultSettings: recipe.defaultSettings === true,
      params,
      backend: backend.name,
      dataset,
      epochsRequested: recipe.epochs,
      validationFrom: recipe.validationFrom,
      // --train-limit as given (null: all training images), so a shortened spread is told from a full one.
      trainLimit: trainLimit ?? null,
      seeds,
      runs,
      testAccuracy: accuracy,
      valAccuracy: runs.every((r) => r.valAccuracy !== null) ? spread(runs.map((r) => r.valAccuracy!)) : null,
      secondsPerEpoch: round(runs.reduce((s, r) => s + r.secondsPerEpoch, 0) / runs.length, 3),
      ...(reportWritten ? { reportFile: reportWritten } : {}),
    };
    if (args.values.json) printJson(summary);
    else {
      process.stdout.write(
        `${formatTable(runsTable(runs, percent), { caption: `${name} on ${backend.name}` })}\n` +
          `mean ${percent(accuracy.mean)} ${stdText}, ` +
          `range ${percent(accuracy.min)} – ${percent(accuracy.max)}\n`,
      );
    }
    return 0;
  },
};

interface SeedRun {
  seed: number;
  /** Of the tested weights; null without validation. Compare recipes on this to leave the test set alone. */
  valAccuracy: number | null;
  testAccuracy: number;
  testLoss: number;
  epochs: number;
  bestEpoch: number | null;
  secondsPerEpoch: number;
}

/** One row per seed, the accuracy shown as the caller wants it (a fraction in reports, a percentage in text). */
function runsTable(runs: SeedRun[], showAccuracy: (accuracy: number) => number | string) {
  return {
    columns: ["seed", "validation accuracy", "test accuracy", "test loss", "epochs", "s/epoch"],
    values: runs.map((r) => [r.seed, r.valAccuracy === null ? "-" : showAccuracy(r.valAccuracy), showAccuracy(r.testAccuracy), r.testLoss, r.epochs, r.secondsPerEpoch]),
    index: runs.map((_, i) => i),
  };
}

/** "42,1,2" → [42, 1, 2]: whole numbers ≥ 0, no repeats. */
function parseSeeds(raw: string): number[] {
  const parts = raw.split(",").map((s) => s.trim());
  if (parts.some((s) => !/^\d+$/.test(s))) throw new UsageError(`--seeds must be comma-separated whole numbers, got "${raw}"`);
  const seeds = parts.map((s) => parseSeed(s, "each of --seeds"));
  if (new Set(seeds).size !== seeds.length) throw new UsageError(`--seeds lists a seed twice: "${raw}"`);
  return seeds;
}
