export { runBenchmark, median, BENCH_PATHS, DEFAULT_BENCH_MODELS, type BenchOptions, type BenchPath, type BenchResult } from "./run";
export { benchMarkdown } from "./table";
export { runMeter, type RunMeter } from "./measure";
