import * as path from "node:path";
import { type Command, backendFromArgs, floatFlag, intFlag, positiveFlag, printJson, seedFlag, stringFlag } from "../command";
import { cacheDirProblem, compareArchitectures, defaultCacheDir, repeatedModel, type CompareSettings } from "../../compare";
import { loadMnist, parseDatasetName } from "../../data";
import { architectureComparison, trainingCurves } from "../../plots";
import { COMPARISON_GAP_NOTE, readableComparisonTable, writeReport } from "../../report";
import { comparisonTable, formatTable } from "../../tables";
import { UsageError } from "../../errors";
import { parseModelSpec } from "../../models";
import { checkOutputFile } from "../../util/output-paths";
import { runSubtitle } from "../model-report";
import { sayWhenInterrupted } from "../interrupt";
import { checkRegularization } from "../recipe-args";

const DEFAULT_MODELS = "dense-128,dense-128-64,dense-256-128-32";

export const command: Command = {
  name: "compare",
  summary: "train several architectures under one recipe and compare them (cached by settings)",
  help: [
    "usage: digit-lab compare [--models a,b,…] [--epochs N] [--batch-size N] [--seed N] [--learning-rate X]",
    "                         [--dropout X] [--l2 X] [--train-limit N] [--dataset mnist|fashion-mnist] [--retrain]",
    "                         [--report FILE] [--json]",
    "",
    `  --models LIST        model names or dense specs (default ${DEFAULT_MODELS})`,
    "  --epochs N           epochs per model (default 10)",
    "  --batch-size N       default 32;  --seed N  default 42;  --learning-rate X  default 0.001",
    "  --dropout X, --l2 X  the same for every model (default: each model's own: cnn dropout 0.25, else none)",
    "  --train-limit N      train on the first N training images only",
    "  --dataset NAME       mnist (default) or fashion-mnist",
    "  --retrain            ignore cached runs (finished runs are cached by their settings in .cache/runs,",
    "                       or in DIGIT_LAB_CACHE_DIR when it is set; when that folder cannot be written,",
    "                       a warning says so and the comparison still runs)",
    "  --report FILE        also write an offline HTML report with curves, table and chart",
    "  --json               print {\"runs\": [...], \"rows\": [...]}",
  ].join("\n"),
  options: {
    models: { type: "string" },
    epochs: { type: "string" },
    "batch-size": { type: "string" },
    seed: { type: "string" },
    "learning-rate": { type: "string" },
    dropout: { type: "string" },
    l2: { type: "string" },
    "train-limit": { type: "string" },
    dataset: { type: "string" },
    retrain: { type: "boolean" },
    report: { type: "string" },
  },
  async run(args) {
    const variants = (stringFlag(args, "models") ?? DEFAULT_MODELS).split(",").map((s) => s.trim()).filter(Boolean);
    if (variants.length === 0) throw new UsageError("--models needs at least one model name");
    variants.forEach(parseModelSpec); // wrong names are usage errors before any data is read
    const twice = repeatedModel(variants);
    if (twice) throw new UsageError(`--models lists ${twice}; each model is compared once`);
    const settings = {
      variants,
      epochs: intFlag(args, "epochs", 10),
      batchSize: intFlag(args, "batch-size", 32),
      seed: seedFlag(args, "seed", 42),
      learningRate: positiveFlag(args, "learning-rate", 0.001),
      dropout: floatFlag(args, "dropout", undefined),
      l2: floatFlag(args, "l2", undefined),
      trainLimit: intFlag(args, "train-limit", undefined),
      dataset: parseDatasetName(stringFlag(args, "dataset") ?? "mnist"),
    } satisfies CompareSettings;
    checkRegularization(settings);
    const reportFile = stringFlag(args, "report");
    checkOutputFile(reportFile, "--report", "report"); // before any training
    await backendFromArgs(args);
    const data = await loadMnist({ dataset: settings.dataset, dataDir: stringFlag(args, "data-dir") });
    const json = Boolean(args.values.json);
    const log = (line: string) => process.stderr.write(line + "\n");
    sayWhenInterrupted("compare", () => ({
      kept: cacheDirProblem() ? "nothing was written (the runs could not be cached)" : `runs that finished are cached in ${defaultCacheDir()}; the same command reuses them`,
    }));
    const { runs, rows } = await compareArchitectures(settings, { data, retrain: Boolean(args.values.retrain), log, trainOptions: { verbose: 1 } });
    const table = comparisonTable(rows);
    if (reportFile) {
      writeReport(reportFile, {
        title: "digit-lab: architecture comparison",
        subtitle: runSubtitle({
          dataset: settings.dataset, epochs: settings.epochs, batchSize: settings.batchSize, seed: settings.seed,
          trainCount: settings.trainLimit !== undefined ? Math.min(settings.trainLimit, data.train.count) : undefined, backend: runs[0].backend,
        }),
        sections: [
          { heading: "Training curves", figures: [trainingCurves(runs.map((r) => ({ name: r.model, history: r.history })))] },
          {
            heading: "Comparison",
            tables: [{ table: readableComparisonTable(rows), caption: `Test accuracy, size, speed and over-fitting gap per model. ${COMPARISON_GAP_NOTE}` }],
          },
          { heading: "Accuracy vs size vs speed", figures: [architectureComparison(rows)] },
        ],
      });
      log(`report written to ${path.resolve(reportFile)}`);
    }
    if (json) printJson({ runs, rows });
    else process.stdout.write(formatTable(table) + "\n");
    return 0;
  },
};
