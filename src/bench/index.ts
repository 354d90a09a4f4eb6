export { runBenchmark, median, peakRssMb, BENCH_PATHS, DEFAULT_BENCH_MODELS, type BenchOptions, type BenchPath, type BenchResult } from "./run";
export { benchMarkdown } from "./table";
