import { UsageError } from "../../errors";
import { loadModel } from "../../models/persist";
import { formatPredictions, predictFiles, predictionJson } from "../../predict";
import { modelClasses, notDigitsWarning } from "../../predict/trained-on";
import { backendFromArgs, intFlag, printJson, stringFlag, type Command } from "../command";
import { counted } from "../../util/format";

export const command: Command = {
  name: "predict",
  summary: "predict the digits in your own PNG/JPEG images with a saved model",
  help: `usage: digit-lab predict --model-dir DIR <files or folders…> [--json] [--batch-size N]

Preprocesses each image like MNIST (ink made bright, background removed, cropped,
scaled into 20×20, centred by mass in 28×28, stroke width normalized) and prints the
predicted digit, its confidence and the top 3. Folders are searched for .png, .jpg
and .jpeg files; pictures there in formats digit-lab does not read (HEIC, WebP, GIF,
…) are reported as unreadable. When a name gives the true digit (7.png, 7_abc.png, or a folder
named 7) the accuracy is printed too. A file or folder that cannot be read is reported
on stderr and the others are still predicted; the exit code is then 1. A model whose
metadata says it was trained on another dataset (Fashion-MNIST) still predicts, with a
warning on stderr that names its classes; its answers are shown by class name, and the
digits in file names are not scored against them.

options:
  --model-dir DIR   a saved model (model.json, weights.bin, metadata.json)
  --batch-size N    images per forward pass (default 256)
  --json            print [{"file","digit","confidence","top3":[{"digit","probability"}],"label"?}]
                    ("digit" is the class index; a Fashion-MNIST model's entries add "className")`,
  options: {
    "model-dir": { type: "string" },
    "batch-size": { type: "string" },
  },
  positionals: true,
  async run(args) {
    const modelDir = stringFlag(args, "model-dir");
    if (!modelDir) throw new UsageError(`--model-dir is required\n\n${command.help}`);
    if (args.positionals.length === 0) throw new UsageError(`name at least one image file or folder\n\n${command.help}`);
    const batchSize = intFlag(args, "batch-size", 256);
    await backendFromArgs(args);
    const { model, metadata } = await loadModel(modelDir);
    const warning = notDigitsWarning(metadata, modelDir);
    if (warning) process.stderr.write(`digit-lab predict: warning: ${warning}\n`);
    const classes = modelClasses(metadata);
    const classNames = classes.digits ? undefined : classes.classNames;
    try {
      const result = await predictFiles(model, args.positionals, { batchSize });
      for (const f of result.failures) process.stderr.write(`digit-lab predict: ${f.error}\n`);
      if (args.values.json) printJson(result.predictions.map((p) => predictionJson(p, classNames)));
      else if (result.predictions.length) {
        if (!classes.digits && result.labelled > 0) {
          process.stderr.write(`digit-lab predict: the digits in file names are not scored: this model's classes are ${classes.dataset}'s, not digits\n`);
        }
        process.stdout.write(formatPredictions(result, { classNames, scoreLabels: classes.digits }) + "\n");
      }
      if (result.failures.length) {
        // A failure can be a folder with no pictures or a missing path, so count inputs, not images.
        const read = result.predictions.length;
        process.stderr.write(read === 0
          ? `digit-lab predict: no picture could be read (${counted(result.failures.length, "problem")} above)\n`
          : `digit-lab predict: ${counted(read, "picture")} read, ${counted(result.failures.length, "failure")} (above)\n`);
        return 1;
      }
      return 0;
    } finally {
      model.dispose();
    }
  },
};
