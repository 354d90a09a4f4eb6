import { seededPermutation } from "../util/random";

export interface SplitOptions {
  /** Share of examples held out for validation (default 0.2, as Keras' validation_split in the seeds). */
  validationFraction?: number;
  seed?: number;
}

export const DEFAULT_SPLIT_SEED = 42;

/**
 * Splits 0..count-1 into training and validation indices. The examples are shuffled
 * with `seed` first, so both parts are representative (MNIST's training file is not in
 * random order near its end), and the same seed always gives the same split.
 */
export function splitTrainValidation(count: number, options: SplitOptions = {}): { train: Int32Array; validation: Int32Array } {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const order = seededPermutation(count, options.seed ?? DEFAULT_SPLIT_SEED);
  const validationCount = Math.round(count * fraction);
  const trainCount = count - validationCount;
  return { train: order.slice(0, trainCount), validation: order.slice(trainCount) };
}
