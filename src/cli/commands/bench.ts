import * as path from "node:path";
import { type Command, type ParsedArgs, backendFromArgs, intFlag, printJson, stringFlag } from "../command";
import { UsageError } from "../../errors";
import { BENCH_PATHS, DEFAULT_BENCH_MODELS, benchMarkdown, runBenchmark, type BenchPath } from "../../bench";
import { MAX_THREADS, isThreadCount } from "../../backend/wasm-kernels/dense-trainer";
import { repeatedModel } from "../../compare";
import { writeFileAtomic } from "../../util/atomic-write";
import { checkOutputFile } from "../../util/output-paths";
import { sayWhenInterrupted } from "../interrupt";

/** The default table goes to the project's reports/ (git-ignored), not to whatever folder the command runs in. */
const PROJECT_REPORTS = path.resolve(__dirname, "..", "..", "..", "reports");

export const command: Command = {
  name: "bench",
  summary: "time training (seconds per epoch, samples/s, memory) for one or more models",
  help: [
    "usage: digit-lab bench [--models a,b,…] [--backend native|wasm|cpu] [--batch-size N] [--epochs N]",
    "                       [--warmup N] [--train-limit N] [--path fast|step|reference] [--threads N]",
    "                       [--markdown FILE] [--data-dir DIR] [--json]",
    "",
    "Trains each model on real MNIST (48,000 training + 12,000 validation images) with the project's",
    "training loop and reports, over the measured epochs (after --warmup unmeasured epochs, default 1):",
    "  secondsPerEpoch       median wall time of an epoch, validation pass included",
    "  trainSecondsPerEpoch  median wall time of an epoch without the validation pass (epoch start to",
    "                        the end of its last batch)",
    "  samplesPerSecond      training images / trainSecondsPerEpoch (validation excluded)",
    "  cpuSecondsPerEpoch    median process CPU time of an epoch, validation included",
    "  peakRssMb             the largest resident memory (RSS, MiB) of the process sampled during that",
    "                        model's run: at its start, about every 250 ms of training, at each epoch's",
    "                        end and after the test evaluation. It includes memory the process already",
    "                        holds (the loaded data, the wasm heap, which never shrinks) but no peak",
    "                        from before the model's run.",
    "and the data-load time, test accuracy and backend.",
    "",
    `  --models       comma-separated model specs (default ${DEFAULT_BENCH_MODELS.join(",")}; also cnn, dense:512-256, …)`,
    "  --batch-size   default 32",
    "  --epochs       measured epochs per model, default 2",
    "  --warmup       warm-up epochs per model, default 1",
    "  --train-limit  use only the first N training images (quick runs)",
    "  --path         fast (default): train() as users call it — on wasm, plain dense stacks on several",
    "                 threads (DenseTrainer), other models with FastAdam and the fused step;",
    "                 step: FastAdam and the fused per-batch dense step on one thread (bit-identical to fast);",
    "                 reference: stock Adam and the gradient-tape step (same results within float rounding)",
    `  --threads      threads of the dense trainer and of convolutions, 1 to ${MAX_THREADS} (default: DIGIT_LAB_THREADS, else the cores, at most 4)`,
    "  --markdown     where to write the markdown table (default: the project's reports/bench.md,",
    "                 or reports/bench-quick.md with --train-limit, so a quick check keeps the full table)",
    "  --json         print [{model, backend, batchSize, secondsPerEpoch, trainSecondsPerEpoch, samplesPerSecond, peakRssMb, …}]",
    "",
    "The machine's other load shows in wall time; cpuSecondsPerEpoch (process CPU time) is steadier.",
  ].join("\n"),
  options: {
    models: { type: "string" },
    "batch-size": { type: "string" },
    epochs: { type: "string" },
    warmup: { type: "string" },
    "train-limit": { type: "string" },
    markdown: { type: "string" },
    path: { type: "string" },
    threads: { type: "string" },
  },
  async run(args) {
    const models = (stringFlag(args, "models") ?? DEFAULT_BENCH_MODELS.join(","))
      .split(",")
      .map((m) => m.trim())
      .filter(Boolean);
    if (models.length === 0) throw new UsageError("--models needs at least one model name");
    // Wrong or repeated names are usage errors before any data is read or any model trains.
    const twice = repeatedModel(models);
    if (twice) throw new UsageError(`--models lists ${twice}; each model is measured once`);
    const batchSize = intFlag(args, "batch-size", 32);
    const epochs = intFlag(args, "epochs", 2);
    const warmupEpochs = intFlag(args, "warmup", 1, 0);
    const trainLimit = intFlag(args, "train-limit", undefined, 10);
    const markdownFile = path.resolve(stringFlag(args, "markdown") ?? path.join(PROJECT_REPORTS, trainLimit === undefined ? "bench.md" : "bench-quick.md"));
    const trainingPath = (stringFlag(args, "path") ?? "fast") as BenchPath;
    if (!BENCH_PATHS.includes(trainingPath)) throw new UsageError(`--path must be one of ${BENCH_PATHS.join(", ")}, got "${trainingPath}"`);
    const threads = threadsFlag(args);
    checkOutputFile(markdownFile, "--markdown", "bench-markdown"); // before the benchmark runs
    // The flag wins over DIGIT_LAB_THREADS, also where the backend and the convolution pool read it.
    if (threads !== undefined) process.env.DIGIT_LAB_THREADS = String(threads);
    await backendFromArgs(args);
    sayWhenInterrupted("bench", () => ({ kept: `nothing was written (${path.basename(markdownFile)} is written once every model is measured)` }));
    const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
    const results = await runBenchmark({ models, batchSize, epochs, warmupEpochs, trainLimit, path: trainingPath, threads, dataDir: stringFlag(args, "data-dir"), log });
    const markdown = benchMarkdown(results);
    writeFileAtomic(markdownFile, markdown);
    if (args.values.json) {
      printJson(results);
      process.stderr.write(`bench: markdown table written to ${markdownFile}\n`);
    } else {
      process.stdout.write(markdown + `\n(written to ${markdownFile})\n`);
    }
    return 0;
  },
};

/** --threads: the rule of DIGIT_LAB_THREADS (a whole number from 1 to 64), in its words. */
function threadsFlag(args: ParsedArgs): number | undefined {
  const raw = stringFlag(args, "threads");
  if (raw === undefined) return undefined;
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || !isThreadCount(n)) {
    throw new UsageError(`--threads must be a whole number from 1 to ${MAX_THREADS}, got "${raw}"`);
  }
  return n;
}
