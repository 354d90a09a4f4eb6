import * as path from "node:path";
import { type Command, backendFromArgs, printJson, stringFlag, intFlag } from "../command";
import { recordedDataset } from "../../predict/trained-on";
import { ModelFileError, UsageError } from "../../errors";
import { loadMnist, parseDatasetName } from "../../data";
import { DATASET_NAMES, datasetSpec } from "../../data/datasets";
import { DIVERGED_HINT, METADATA_FILE, loadModel, modelDirOf, modelFileOf, nonFiniteProblem } from "../../models";
import { interruptionOf, writeModelReport } from "../model-report";
import { interruptedPhrase } from "../../report/training";
import { checkOutputFile } from "../../util/output-paths";
import { formatLoss } from "../../util/format";
import { evaluateDetailed, formatClassificationReport, formatConfusionMatrix, misclassified } from "../../eval";

export const command: Command = {
  name: "evaluate",
  summary: "evaluate a saved model on the test set: loss, accuracy, per-class report, confusion matrix",
  help: [
    "usage: digit-lab evaluate --model-dir DIR [--dataset mnist|fashion-mnist] [--misclassified N] [--report FILE] [--json]",
    "",
    "  --model-dir DIR      a directory written by `digit-lab train --save DIR`",
    "  --dataset NAME       test set to use (default: the one recorded in the model's metadata, else mnist)",
    "  --misclassified N    also list the N most confident mistakes (default 0; 10 in text mode)",
    "  --report FILE        write an offline HTML report: the training curves recorded with the model, confusion",
    "                       matrix, per-class report, mistakes, first-layer weights, a PCA map of the last hidden layer",
    "  --json               print {\"loss\", \"accuracy\", \"report\", \"confusionMatrix\", \"misclassified\", ...}",
    "                       (and \"interrupted\": {\"epochs\", \"epochsRequested\"} for a model saved after Ctrl-C)",
    "                       (misclassified holds the N of --misclassified N; none by default)",
  ].join("\n"),
  options: { "model-dir": { type: "string" }, dataset: { type: "string" }, misclassified: { type: "string" }, report: { type: "string" } },
  async run(args) {
    const dir = stringFlag(args, "model-dir");
    if (!dir) throw new UsageError("give --model-dir DIR (a directory written by `digit-lab train --save DIR`)");
    const reportFile = stringFlag(args, "report");
    checkOutputFile(reportFile, "--report", "report"); // before the model and the data are loaded
    await backendFromArgs(args);
    const { model, metadata } = await loadModel(dir);
    const trainedOn = recordedDataset(metadata);
    const datasetFlag = stringFlag(args, "dataset");
    if (datasetFlag === undefined && trainedOn !== undefined && !datasetSpec(trainedOn)) {
      // Not a usage error: no flag was given; the model folder records a dataset this version cannot load.
      model.dispose();
      throw new ModelFileError(`records dataset "${trainedOn}", which digit-lab does not know (it knows ${DATASET_NAMES.join(", ")}): `
        + `pass --dataset to choose the test set`, path.join(modelDirOf(dir), METADATA_FILE));
    }
    const dataset = parseDatasetName(datasetFlag ?? trainedOn ?? "mnist");
    // Another test set than the training set's measures nothing useful; 13% reads like a broken model without this.
    const otherData = trainedOn !== undefined && trainedOn !== dataset
      ? `this model was trained on ${trainedOn} (${path.join(modelDirOf(dir), METADATA_FILE)}), so its accuracy on the ${dataset} test set measures nothing useful`
      : undefined;
    if (otherData) process.stderr.write(`digit-lab evaluate: warning: ${otherData}\n`);
    // A model saved without its data (saveModel with no `data`) would otherwise be scored on digits without a word.
    if (datasetFlag === undefined && trainedOn === undefined) process.stderr.write(`digit-lab evaluate: note: ${modelDirOf(dir)} records no dataset (data.dataset in ${METADATA_FILE}), so it is evaluated as an MNIST model; pass --dataset fashion-mnist if it was trained on Fashion-MNIST\n`);
    // A model saved after Ctrl-C ended its training early says so wherever the run is described.
    const interrupted = interruptionOf(metadata);
    const interruptedNote = interrupted ? `training was ${interruptedPhrase(interrupted.epochs, interrupted.epochsRequested)}` : undefined;
    const data = await loadMnist({ dataset, dataDir: stringFlag(args, "data-dir") });
    const result = await evaluateDetailed(model, data.test);
    const notNumbers = nonFiniteProblem(result.probabilities); // loadModel's probe passed, but some test image did not
    if (notNumbers) process.stderr.write(`digit-lab evaluate: warning: ${modelFileOf(model)}: the model's outputs are ${notNumbers} for some test images, so these metrics are not valid: ${DIVERGED_HINT}\n`);
    const wrongCount = intFlag(args, "misclassified", args.values.json ? 0 : 10, 0);
    const wrong = misclassified(data.test.labels, result.probabilities, { limit: wrongCount });
    const reportWritten = reportFile
      ? writeModelReport(reportFile, model, result, data, {
          title: `digit-lab: ${metadata.model} from ${dir}`,
          subtitle: `evaluated on the ${dataset} test set (${result.count.toLocaleString("en-US")} images)${trainedOnPart(metadata.data?.trainCount, data.train.count)}`
            + (interruptedNote ? `; its ${interruptedNote}` : "")
            + (otherData ? `. Warning: ${otherData}.` : ""),
          run: metadata.history?.length
            ? { name: metadata.model, history: metadata.history, restoredEpoch: metadata.restoredEpoch, interruptedOf: interrupted?.epochsRequested }
            : undefined,
        })
      : undefined;
    model.dispose();
    if (reportWritten) process.stderr.write(`report written to ${reportWritten}\n`);

    if (args.values.json) {
      printJson({
        modelDir: dir,
        model: metadata.model,
        dataset,
        count: result.count,
        loss: result.loss,
        accuracy: result.accuracy,
        report: result.report,
        confusionMatrix: result.confusion,
        misclassified: wrong,
        ...(interrupted ? { interrupted } : {}),
        ...(reportWritten ? { reportFile: reportWritten } : {}),
      });
      return 0;
    }
    const lines = [
      `${metadata.model} from ${dir} on the ${dataset} test set (${result.count.toLocaleString("en-US")} images)`,
      ...(interruptedNote ? [`  its ${interruptedNote}: this is the model of epoch ${metadata.restoredEpoch ?? interrupted!.epochs}`] : []),
      `  loss      ${formatLoss(result.loss)}`,
      `  accuracy  ${result.accuracy.toFixed(4)}  (${(result.count - Math.round(result.accuracy * result.count)).toLocaleString("en-US")} wrong)`,
      "",
      formatClassificationReport(result.report, 4, data.classNames as string[]),
      "",
      "confusion matrix (rows: true class, columns: predicted class)",
      formatConfusionMatrix(result.confusion),
    ];
    if (wrong.length) {
      lines.push("", `most confident mistakes (${wrong.length}):`, "  index  true  predicted  confidence");
      for (const w of wrong) {
        lines.push(`  ${String(w.index).padStart(5)}  ${String(w.trueLabel).padStart(4)}  ${String(w.predicted).padStart(9)}  ${w.confidence.toFixed(4).padStart(10)}`);
      }
    }
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};

/** ", trained on the first N training images" when the saved model saw only part of them. */
function trainedOnPart(trainCount: unknown, available: number): string {
  if (typeof trainCount !== "number" || !(trainCount > 0) || trainCount >= available) return "";
  return `; the model was trained on the first ${trainCount.toLocaleString("en-US")} training images only`;
}
