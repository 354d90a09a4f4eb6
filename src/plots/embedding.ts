/**
 * A 2-D map of many images: each image a dot at its first two coordinates (e.g. principal
 * components of its pixels or of a hidden layer's activations), coloured by its true class.
 * One trace per class, so clicking a legend entry hides or shows that digit; with the
 * model's probabilities, its mistakes get a black ring and say what they were read as.
 */
import { UsageError } from "../errors";
import { argmaxRows } from "../eval/metrics";
import { seededPermutation } from "../util/random";
import { Figure, Trace, axisTitle, classLabel, colorAt, escapeLabel, percent, round, title } from "./figure";
import { confidenceLabel } from "./evaluation";

/** Coordinates of `count` points, row-major [count, components]: a `PcaResult` from src/eval fits. */
export interface Embedding {
  count: number;
  components: number;
  scores: ArrayLike<number>;
  /** Each axis's share of the variance (PCA): shown in the axis titles when given. */
  explainedVarianceRatio?: readonly number[];
}

export interface EmbeddingScatterOptions {
  /**
   * The model's probabilities for the same points, row-major [count, classes]: hovers then
   * give each prediction, and misclassified points are ringed.
   */
  probabilities?: ArrayLike<number>;
  classNames?: readonly string[];
  title?: string;
  /** Most points drawn (default 5000, a seeded sample): every point adds ~50 bytes to a saved notebook. */
  maxPoints?: number;
  /** Seed of that sample (default 0). */
  seed?: number;
  /** Axis name before its number (default "PC", principal component). */
  axisName?: string;
}

export const DEFAULT_EMBEDDING_POINTS = 5000;

/** Ring drawn around misclassified points: black reads against all ten class colours. */
const MISTAKE_RING = "#111111";

/**
 * Scatter of the first two coordinates of an embedding, one trace per true class, plus a
 * trace of rings around the misclassified points when `probabilities` are given. Axis
 * titles carry each axis's share of the variance. Draws a seeded sample of at most
 * `maxPoints` points (in index order), so reruns draw the same picture.
 */
export function embeddingScatter(embedding: Embedding, labels: ArrayLike<number>, options: EmbeddingScatterOptions = {}): Figure {
  const { count, components, scores } = embedding;
  if (components < 2) throw new UsageError(`embeddingScatter needs 2 coordinates per point, the embedding has ${components}`);
  if (scores.length !== count * components) {
    throw new UsageError(`embedding of ${count} points × ${components} coordinates needs ${count * components} scores, got ${scores.length}`);
  }
  if (labels.length !== count) throw new UsageError(`embeddingScatter: ${count} points but ${labels.length} labels`);
  const classes = options.probabilities ? options.probabilities.length / count : undefined;
  if (classes !== undefined && !(Number.isInteger(classes) && classes >= 1)) {
    throw new UsageError(`embeddingScatter: ${options.probabilities!.length} probabilities are not a whole number of rows for ${count} points`);
  }
  const maxPoints = options.maxPoints ?? DEFAULT_EMBEDDING_POINTS;
  if (!(Number.isInteger(maxPoints) && maxPoints >= 1)) throw new UsageError(`maxPoints must be a whole number ≥ 1, got ${maxPoints}`);
  const shown = sampleIndices(count, maxPoints, options.seed ?? 0);

  const name = (c: number) => escapeLabel(classLabel(c, options.classNames));
  const predicted = classes === undefined ? undefined : argmaxRows(options.probabilities!, classes);
  const prediction = (i: number): { label: number; confidence: number } | undefined =>
    predicted && { label: predicted[i], confidence: options.probabilities![i * classes! + predicted[i]] };
  const x = (i: number) => round(scores[i * components], 3);
  const y = (i: number) => round(scores[i * components + 1], 3);

  let numClasses = Math.max(classes ?? 0, 10);
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    if (!(Number.isInteger(l) && l >= 0)) throw new UsageError(`embeddingScatter: label ${l} of point ${i} is not a class number`);
    numClasses = Math.max(numClasses, l + 1);
  }
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  const mistakes: { index: number; predicted: number; confidence: number }[] = [];
  for (const i of shown) {
    byClass[labels[i]].push(i);
    const p = prediction(i);
    if (p && p.label !== labels[i]) mistakes.push({ index: i, predicted: p.label, confidence: p.confidence });
  }

  const data: Trace[] = [];
  byClass.forEach((members, c) => {
    if (members.length === 0 && c >= 10) return;
    data.push({
      type: "scatter",
      mode: "markers",
      name: name(c),
      x: members.map(x),
      y: members.map(y),
      hovertext: members.map((i) => {
        const p = prediction(i);
        return `image #${i}: ${name(c)}` + (p ? `, predicted ${name(p.label)} (${confidenceLabel(p.confidence)})` : "");
      }),
      hoverinfo: "text",
      marker: { color: colorAt(c), size: 5, opacity: 0.7 },
    });
  });
  if (classes !== undefined) {
    data.push({
      type: "scatter",
      mode: "markers",
      name: `misclassified (${mistakes.length})`,
      x: mistakes.map((m) => x(m.index)),
      y: mistakes.map((m) => y(m.index)),
      hovertext: mistakes.map((m) =>
        `image #${m.index}: true ${name(labels[m.index])}<br>predicted ${name(m.predicted)} with ${percent(m.confidence)} confidence`),
      hoverinfo: "text",
      marker: { symbol: "circle-open", color: MISTAKE_RING, size: 10, line: { width: 1.5 } },
    });
  }

  const ratios = embedding.explainedVarianceRatio;
  const axisName = options.axisName ?? "PC";
  const axis = (k: number) => ({
    title: axisTitle(`${axisName} ${k + 1}` + (ratios && ratios[k] !== undefined ? ` (${percent(ratios[k])} of variance)` : "")),
    zeroline: false,
  });
  const sampled = shown.length < count ? `${shown.length.toLocaleString("en-US")} of ${count.toLocaleString("en-US")} images` : `${count.toLocaleString("en-US")} images`;
  // MNIST's class names are the digits themselves; Fashion-MNIST's are clothes.
  const digits = !options.classNames || options.classNames.every((n, c) => n === String(c));
  const legendTitle = digits ? "true digit" : "true class";
  // "of them": the mistakes among the points shown, not among all the model's predictions.
  const ringed = classes !== undefined ? `; ${mistakes.length.toLocaleString("en-US")} of them misclassified, ringed` : "";
  const heading = options.title ?? "The first two principal components";
  const subtitle = `<br><sup>${sampled}${ringed}</sup>`;
  return {
    data,
    layout: {
      title: title(heading + subtitle),
      // Same scale on both axes (distances on the map are distances in the projection), kept by
      // widening one axis' range: shrinking the plot area instead left a wide box's map under
      // half its width, a blank band on each side of it.
      xaxis: { ...axis(0), constrain: "range" },
      yaxis: { ...axis(1), scaleanchor: "x", scaleratio: 1, constrain: "range" },
      legend: { title: { text: `${legendTitle}<br>(click to hide)` }, itemsizing: "constant" },
      hovermode: "closest",
      height: 620,
      // Read by the chart script (display/chart-html): on a phone the legend goes in rows under
      // the map and the heading on two lines (the script does not re-wrap a title with a <br>).
      meta: {
        digitLabNarrow: {
          below: 600,
          // Smaller dots, and rings just round them (at full size they hide the dots they mark).
          data: data.map((t) => {
            const marker = t.marker as { symbol?: string };
            return { marker: marker.symbol ? { ...marker, size: 7, line: { width: 1 } } : { ...marker, size: 4 } };
          }),
          // A phone's plot area is about 200 px wide and about as tall (with the legend below), and the
          // equal scale kept by widening an axis' range, not by shrinking the plot area, which would
          // leave empty bands and pull the x axis' title onto its tick labels.
          layout: {
            title: { ...title(splitNearMiddle(heading) + subtitle), font: { size: 14 } },
            xaxis: { ...axis(0), constrain: "range" },
            yaxis: { ...axis(1), scaleanchor: "x", scaleratio: 1, constrain: "range" },
            // The legend's rows under the axis title (in the margin made for them).
            legend: { orientation: "h", yanchor: "top", y: -0.25, title: { text: "" }, entrywidth: 44, entrywidthmode: "pixels" },
            margin: { l: 50, r: 12, t: 110, b: 200 },
            height: 560,
          },
        },
      },
    },
  };
}

/** At most `max` of 0..count-1, a seeded sample, in increasing order. */
function sampleIndices(count: number, max: number, seed: number): number[] {
  if (count <= max) return Array.from({ length: count }, (_, i) => i);
  return Array.from(seededPermutation(count, seed).subarray(0, max)).sort((a, b) => a - b);
}

/** `text` on two lines, broken at the space nearest its middle (unchanged without a space). */
function splitNearMiddle(text: string): string {
  let cut = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === " " && (cut < 0 || Math.abs(i - text.length / 2) < Math.abs(cut - text.length / 2))) cut = i;
  }
  return cut < 0 ? text : `${text.slice(0, cut)}<br>${text.slice(cut + 1)}`;
}
