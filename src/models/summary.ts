/**
 * A Keras-like `model.summary()`: one row per layer (name, type, output shape, parameter
 * count) and the totals, as plain data plus a text rendering.
 */
import { tf } from "../backend";

export interface SummaryRow {
  name: string;
  /** Layer class, e.g. "Dense", "Conv2D". */
  type: string;
  /** Output shape with the batch dimension as null, e.g. [null, 128]. */
  outputShape: (number | null)[];
  params: number;
}

export interface ModelSummary {
  name: string;
  rows: SummaryRow[];
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** The table as Keras prints it. */
  text: string;
}

export function modelSummary(model: tf.LayersModel): ModelSummary {
  const rows: SummaryRow[] = model.layers.map((layer) => ({
    name: layer.name,
    type: layer.getClassName(),
    outputShape: layer.outputShape as (number | null)[],
    params: layer.countParams(),
  }));
  const count = (weights: tf.LayerVariable[]) =>
    weights.reduce((sum, w) => sum + w.shape.reduce<number>((a, b) => a * (b ?? 1), 1), 0);
  const trainableParams = count(model.trainableWeights);
  const nonTrainableParams = count(model.nonTrainableWeights);
  const summary = {
    name: model.name,
    rows,
    totalParams: trainableParams + nonTrainableParams,
    trainableParams,
    nonTrainableParams,
  };
  return { ...summary, text: formatSummary(summary) };
}

/** Renders the summary like Keras: a ruled table, then the three parameter totals. */
export function formatSummary(s: Omit<ModelSummary, "text">): string {
  const head = ["Layer (type)", "Output Shape", "Param #"];
  const cells = s.rows.map((r) => [`${r.name} (${r.type})`, shapeText(r.outputShape), r.params.toLocaleString("en-US")]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)) + 4);
  const width = widths.reduce((a, b) => a + b, 0);
  const line = (c: string[]) => c.map((v, i) => (i === 2 ? v : v.padEnd(widths[i]))).join("").trimEnd();
  const out = [`Model: "${s.name}"`, "_".repeat(width), line(head), "=".repeat(width)];
  cells.forEach((c, i) => {
    out.push(line(c));
    out.push(i === cells.length - 1 ? "=".repeat(width) : "_".repeat(width));
  });
  if (cells.length === 0) out.push("=".repeat(width));
  out.push(`Total params: ${s.totalParams.toLocaleString("en-US")}`);
  out.push(`Trainable params: ${s.trainableParams.toLocaleString("en-US")}`);
  out.push(`Non-trainable params: ${s.nonTrainableParams.toLocaleString("en-US")}`);
  out.push("_".repeat(width));
  return out.join("\n");
}

function shapeText(shape: (number | null)[]): string {
  return `(${shape.map((d) => (d == null ? "None" : String(d))).join(", ")}${shape.length === 1 ? "," : ""})`;
}
