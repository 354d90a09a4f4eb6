/**
 * Whether a saved model was trained on handwritten digits. predict and the drawing pad
 * prepare every picture as a handwritten digit (ink made bright, cropped, centred by
 * mass), which suits MNIST models only; a Fashion-MNIST model still runs, but the user
 * should know what its ten classes mean and that the preparation does not fit.
 */
import { datasetSpec } from "../data/datasets";
import { recordedDataset } from "../models/persist";

export { recordedDataset };

/** A one-line warning when a model's metadata.json records a dataset other than MNIST; undefined otherwise. */
export function notDigitsWarning(metadata: { data?: unknown } | undefined, modelDir: string): string | undefined {
  const dataset = recordedDataset(metadata);
  if (dataset === undefined || dataset === "mnist") return undefined;
  const known = datasetSpec(dataset);
  const classes = known ? `; its classes 0–9 are ${known.classNames.map((name, i) => `${i} ${name}`).join(", ")}` : "";
  return `${modelDir} was trained on ${dataset}, not handwritten digits: pictures are still prepared as digits (ink made bright, cropped, centred), which does not suit it${classes}`;
}

/** What a model's outputs mean: digits, or the classes of the other dataset it was trained on. */
export type ModelClasses =
  | { digits: true }
  | { digits: false; dataset: string; /** When digit-lab knows the dataset. */ classNames?: readonly string[] };

/** The classes of a model, from the dataset its metadata.json records (none recorded: digits). */
export function modelClasses(metadata: { data?: unknown } | undefined): ModelClasses {
  const dataset = recordedDataset(metadata);
  if (dataset === undefined || dataset === "mnist") return { digits: true };
  return { digits: false, dataset, classNames: datasetSpec(dataset)?.classNames };
}
