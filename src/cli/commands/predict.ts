import { UsageError } from "../../errors";
import { loadModel } from "../../models/persist";
import { formatPredictions, predictFiles, predictionJson } from "../../predict";
import { notDigitsWarning } from "../../predict/trained-on";
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
named 7) the accuracy is printed too. A file that cannot be read is reported on
stderr and the others are still predicted; the exit code is then 1. A model whose
metadata says it was trained on another dataset (Fashion-MNIST) still predicts, with a
warning on stderr that names its classes.

options:
  --model-dir DIR   a saved model (model.json, weights.bin, metadata.json)
  --batch-size N    images per forward pass (default 256)
  --json            print [{"file","digit","confidence","top3":[{"digit","probability"}],"label"?}]`,
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
    try {
      const result = await predictFiles(model, args.positionals, { batchSize });
      for (const f of result.failures) process.stderr.write(`digit-lab predict: ${f.error}\n`);
      if (args.values.json) printJson(result.predictions.map(predictionJson));
      else if (result.predictions.length) process.stdout.write(formatPredictions(result) + "\n");
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
