/**
 * Whether a saved model was trained on handwritten digits. predict and the drawing pad
 * prepare every picture as a handwritten digit (ink made bright, cropped, centred by
 * mass), which suits MNIST models only; a Fashion-MNIST model still runs, but the user
 * should know what its ten classes mean and that the preparation does not fit.
 */
import { DATASETS, DATASET_NAMES, type DatasetName } from "../data/datasets";

/** A one-line warning when a model's metadata.json records a dataset other than MNIST; undefined otherwise. */
export function notDigitsWarning(metadata: { data?: unknown } | undefined, modelDir: string): string | undefined {
  const dataset = (metadata?.data as { dataset?: unknown } | undefined)?.dataset;
  if (typeof dataset !== "string" || dataset === "mnist") return undefined;
  const known = (DATASET_NAMES as readonly string[]).includes(dataset) ? DATASETS[dataset as DatasetName] : undefined;
  const classes = known ? `; its classes 0–9 are ${known.classNames.map((name, i) => `${i} ${name}`).join(", ")}` : "";
  return `${modelDir} was trained on ${dataset}, not handwritten digits: pictures are still prepared as digits (ink made bright, cropped, centred), which does not suit it${classes}`;
}
