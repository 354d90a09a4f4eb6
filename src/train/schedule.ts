/** Learning-rate schedules, as pure functions of the epoch (and, for "plateau", of the past). */

import { counted } from "../util/format";

export type LrSchedule =
  /** Multiply by `factor` every `every` epochs. */
  | { type: "step"; every: number; factor: number; minLearningRate?: number }
  /** lr0 · decay^(epoch−1). */
  | { type: "exponential"; decay: number; minLearningRate?: number }
  /** Cosine from lr0 down to minLearningRate over all epochs. */
  | { type: "cosine"; minLearningRate?: number }
  /**
   * Multiply by `factor` when the monitored value has not improved by more than `minDelta`
   * (default 0: any improvement counts) for `patience` epochs (Keras' ReduceLROnPlateau).
   */
  | { type: "plateau"; patience: number; factor: number; minDelta?: number; minLearningRate?: number; monitor?: "valLoss" | "valAccuracy" };

/** The learning rate for a 1-based `epoch` of a fixed schedule (not "plateau", which needs history). */
export function scheduledLearningRate(schedule: LrSchedule | undefined, initial: number, epoch: number, epochs: number): number {
  if (!schedule || schedule.type === "plateau") return initial;
  const floor = schedule.minLearningRate ?? 0;
  let lr: number;
  switch (schedule.type) {
    case "step":
      lr = initial * Math.pow(schedule.factor, Math.floor((epoch - 1) / Math.max(1, schedule.every)));
      break;
    case "exponential":
      lr = initial * Math.pow(schedule.decay, epoch - 1);
      break;
    case "cosine": {
      const t = epochs <= 1 ? 0 : (epoch - 1) / (epochs - 1);
      lr = floor + ((initial - floor) * (1 + Math.cos(Math.PI * t))) / 2;
      break;
    }
  }
  return Math.max(floor, lr);
}

/** Describes a schedule in a few words (for logs and recipe listings). */
export function describeSchedule(schedule: LrSchedule | undefined): string {
  if (!schedule) return "constant";
  switch (schedule.type) {
    case "step":
      return `×${schedule.factor} every ${counted(schedule.every, "epoch")}`;
    case "exponential":
      return `×${schedule.decay} per epoch`;
    case "cosine":
      return `cosine to ${schedule.minLearningRate ?? 0}`;
    case "plateau":
      return `×${schedule.factor} after ${counted(schedule.patience, "epoch")} without improvement`;
  }
}

/**
 * Keras' ReduceLROnPlateau as a small state machine: feed it each epoch's monitored value
 * (lower is better) and it returns the learning rate for the next epoch. An improvement is
 * a value below the best by more than `minDelta`, as Keras' min_delta, but its default is 0,
 * as for early stopping (Keras' is 1e-4), so that the recipes' results stay as measured.
 * No cooldown, as Keras' default.
 */
export class PlateauReducer {
  private best = Infinity;
  private wait = 0;
  constructor(
    private readonly schedule: Extract<LrSchedule, { type: "plateau" }>,
    public learningRate: number,
  ) {}

  update(value: number): number {
    if (value < this.best - (this.schedule.minDelta ?? 0)) {
      this.best = value;
      this.wait = 0;
    } else if (++this.wait >= this.schedule.patience) {
      this.learningRate = Math.max(this.schedule.minLearningRate ?? 0, this.learningRate * this.schedule.factor);
      this.wait = 0;
    }
    return this.learningRate;
  }
}
