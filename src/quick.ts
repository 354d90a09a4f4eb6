/**
 * Quick mode (`DIGIT_LAB_QUICK=1`): notebooks and commands run on a small subset for a
 * few epochs, so that executing every notebook in `npm test` stays fast. The numbers
 * it gives are only a smoke test, not results.
 */
export function isQuickMode(): boolean {
  return process.env.DIGIT_LAB_QUICK === "1";
}

/** Training examples used in quick mode (before the validation split). */
export const QUICK_TRAIN_LIMIT = 3000;
export const QUICK_EPOCHS = 2;

/**
 * Applies quick mode to run settings: at most QUICK_EPOCHS epochs on the first
 * QUICK_TRAIN_LIMIT training images. Outside quick mode the settings are returned as given.
 */
export function quickable<T extends { epochs: number; trainLimit?: number }>(settings: T): T & { trainLimit?: number } {
  if (!isQuickMode()) return settings;
  return {
    ...settings,
    epochs: Math.min(settings.epochs, QUICK_EPOCHS),
    trainLimit: Math.min(settings.trainLimit ?? Infinity, QUICK_TRAIN_LIMIT),
  };
}
