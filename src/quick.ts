/**
 * Quick mode (`DIGIT_LAB_QUICK=1`): notebooks and commands run on a small subset for a
 * few epochs, so that executing every notebook in `npm test` stays fast. The numbers
 * it gives are only a smoke test, not results.
 */
import { counted } from "./util/format";

export function isQuickMode(): boolean {
  return process.env.DIGIT_LAB_QUICK === "1";
}

/** Training examples used in quick mode (before the validation split). */
export const QUICK_TRAIN_LIMIT = 3000;
export const QUICK_EPOCHS = 2;

/**
 * Applies quick mode to run settings: at most QUICK_EPOCHS epochs on the first
 * QUICK_TRAIN_LIMIT training images, and a description (if any) that says so, since it is
 * shown and saved with the run. Outside quick mode the settings are returned as given.
 */
export function quickable<T extends { epochs: number; trainLimit?: number; description?: string }>(settings: T): T & { trainLimit?: number } {
  if (!isQuickMode()) return settings;
  const epochs = Math.min(settings.epochs, QUICK_EPOCHS);
  const trainLimit = Math.min(settings.trainLimit ?? Infinity, QUICK_TRAIN_LIMIT);
  const quick = `quick mode: ${counted(epochs, "epoch")} on the first ${trainLimit.toLocaleString("en-US")} training images`;
  return {
    ...settings,
    epochs,
    trainLimit,
    ...(typeof settings.description === "string" ? { description: `${settings.description} (${quick})` } : {}),
  };
}
