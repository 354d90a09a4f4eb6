import { seededPermutation } from "../util/random";

/**
 * Where the validation examples come from:
 * - "random": a seeded random share of the examples (both parts representative);
 * - "end": the last examples in file order, unshuffled, as Keras' `validation_split` takes
 *   them (`fit` holds out `x[int(n·(1 − split)):]` before it shuffles).
 */
export type ValidationFrom = "random" | "end";

export interface SplitOptions {
  /** Share of examples held out for validation (default 0.2, as Keras' validation_split in the seeds). */
  validationFraction?: number;
  /** Default "random". */
  from?: ValidationFrom;
  /** Seeds the "random" split. */
  seed?: number;
}

export const DEFAULT_SPLIT_SEED = 42;

/**
 * Splits 0..count-1 into training and validation indices. By default the examples are
 * shuffled with `seed` first, so both parts are random samples whatever the file's order,
 * and the same seed always gives the same split. With `from: "end"` the validation part is
 * the file's last examples, exactly as in Keras.
 */
export function splitTrainValidation(count: number, options: SplitOptions = {}): { train: Int32Array; validation: Int32Array } {
  const fraction = options.validationFraction ?? 0.2;
  if (!(fraction >= 0 && fraction < 1)) throw new RangeError(`validation fraction must be in [0, 1), got ${fraction}`);
  const from = options.from ?? "random";
  if (from === "end") {
    const trainCount = Math.floor(count * (1 - fraction));
    const order = Int32Array.from({ length: count }, (_, i) => i);
    return { train: order.slice(0, trainCount), validation: order.slice(trainCount) };
  }
  if (from !== "random") throw new RangeError(`validation must come from "random" or "end", got ${JSON.stringify(from)}`);
  const order = seededPermutation(count, options.seed ?? DEFAULT_SPLIT_SEED);
  const validationCount = Math.round(count * fraction);
  const trainCount = count - validationCount;
  return { train: order.slice(0, trainCount), validation: order.slice(trainCount) };
}
