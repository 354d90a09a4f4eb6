import { round } from "../../util/format";
import { type Command, stringFlag, printJson } from "../command";
import { labelCounts, loadMnist, parseDatasetName, pixelStats } from "../../data";

export const command: Command = {
  name: "data",
  summary: "verify the dataset files (downloading missing ones) and print their statistics",
  help: [
    "usage: digit-lab data [--dataset mnist|fashion-mnist] [--data-dir DIR] [--json]",
    "",
    "Reads the four IDX files of the dataset from <data-dir>/<dataset>/ (default data dir: DIGIT_LAB_DATA_DIR",
    "or the project's data/), downloading and checksum-verifying any that are missing, then prints the",
    "number of images, image size, per-class counts, and pixel mean and standard deviation (pixels in [0, 1]).",
  ].join("\n"),
  options: { dataset: { type: "string" } },
  async run(args) {
    const dataset = parseDatasetName(stringFlag(args, "dataset") ?? "mnist");
    const data = await loadMnist({ dataset, dataDir: stringFlag(args, "data-dir") });
    const { mean, std } = pixelStats(data.train);
    const summary = {
      dataset,
      dataDir: data.dataDir,
      imageSize: [data.train.rows, data.train.cols],
      train: { count: data.train.count, labelCounts: labelCounts(data.train.labels) },
      test: { count: data.test.count, labelCounts: labelCounts(data.test.labels) },
      pixelMean: round(mean, 6),
      pixelStd: round(std, 6),
      sha256Verified: data.sha256Verified,
    };
    if (args.values.json) {
      printJson(summary);
      return 0;
    }
    const lines = [
      `${dataset} in ${data.dataDir}`,
      `  files      ${data.sha256Verified ? "all four match the published SHA-256" : "NOT verified (decompressed copies cannot be checked against the published checksums)"}`,
      `  images     ${data.train.rows}×${data.train.cols} pixels, 8-bit grey`,
      `  train      ${data.train.count.toLocaleString("en-US")} images`,
      `  test       ${data.test.count.toLocaleString("en-US")} images`,
      `  pixels     mean ${mean.toFixed(4)}, std ${std.toFixed(4)} (scaled to [0, 1], training set)`,
      "",
      "  class  " + data.classNames.map((_, c) => String(c).padStart(6)).join(""),
      "  train  " + summary.train.labelCounts.map((n) => String(n).padStart(6)).join(""),
      "  test   " + summary.test.labelCounts.map((n) => String(n).padStart(6)).join(""),
    ];
    if (dataset !== "mnist") lines.push("", "  classes: " + data.classNames.map((n, c) => `${c} ${n}`).join(", "));
    process.stdout.write(lines.join("\n") + "\n");
    return 0;
  },
};
