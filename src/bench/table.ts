/** The benchmark as a markdown table (a pure function of the results). */
import type { BenchResult } from "./run";

export function benchMarkdown(results: BenchResult[], title = "Training benchmark"): string {
  const header = ["model", "backend", "path", "threads", "batch", "s/epoch", "cpu s/epoch", "train s/epoch", "train samples/s", "test acc", "peak RSS MiB (sampled during run)", "data load s", "epochs (s)"];
  const rows = results.map((r) => [
    r.model,
    r.backend,
    r.path,
    String(r.threads),
    String(r.batchSize),
    r.secondsPerEpoch.toFixed(2),
    r.cpuSecondsPerEpoch.toFixed(2),
    r.trainSecondsPerEpoch.toFixed(2),
    Math.round(r.samplesPerSecond).toLocaleString("en-US"),
    r.testAccuracy.toFixed(4),
    r.peakRssMb.toFixed(0),
    r.dataLoadSeconds.toFixed(2),
    r.epochSeconds.map((s, i) => (i < r.warmupEpochs ? `(${s.toFixed(2)})` : s.toFixed(2))).join(" "),
  ]);
  const first = results[0];
  const note = first
    ? `${first.trainSamples.toLocaleString("en-US")} training + ${first.validationSamples.toLocaleString("en-US")} validation images per epoch; ` +
      `s/epoch is the median wall time of the measured epochs (warm-up in parentheses), validation pass included; ` +
      `cpu s/epoch is the process CPU time, steadier when other work shares the machine; ` +
      `train s/epoch is the median wall time without the validation pass (epoch start to the end of its last batch), ` +
      `and train samples/s is training images / train s/epoch. ` +
      `peak RSS MiB (sampled during run) is the largest resident memory of the process (MiB) sampled during that model's run ` +
      `(at its start, about every 250 ms of training, at each epoch's end and after the test evaluation): ` +
      `it includes memory already held (loaded data, the wasm heap, which never shrinks) but no peak from before the run.`
    : "no results";
  return [
    `## ${title}`,
    "",
    `| ${header.join(" | ")} |`,
    `| ${header.map((h, i) => (i < 3 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
    "",
    note,
    "",
  ].join("\n");
}
