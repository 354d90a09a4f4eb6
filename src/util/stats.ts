/** Summary statistics of a list of numbers. */

/** Mean, sample standard deviation (0 for one value), min and max. */
export function spread(values: readonly number[]): { mean: number; std: number; min: number; max: number } {
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}
