export { runBenchmark, median, peakRssMb, DEFAULT_BENCH_MODELS, type BenchOptions, type BenchResult } from "./run";
export { benchMarkdown } from "./table";
