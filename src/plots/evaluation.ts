/**
 * Figures of a trained model's results: confusion matrix, per-class precision / recall /
 * F1, the gallery of mistakes and the class probabilities of one image.
 */
import { UsageError } from "../errors";
import type { ClassificationReport, ConfusionMatrix, Misclassified } from "../types";
import {
  Figure, Layout, Trace, INK_COLORSCALE, RIGHT_COLOR, WRONG_COLOR, axisTitle, classLabel, colorAt,
  escapeLabel, legendUnderneath, percent, round, title,
} from "./figure";
import { GridCell, imageGridFigure, toRows } from "./images";

/** White (0) to dark blue (1), like matplotlib's "Blues" (Plotly's own "Blues" runs the other way). */
/** White to dark red: a confusion matrix's mistakes, light for rare ones, dark for the worst. */
const REDS: [number, string][] = [[0, "#fff5f0"], [0.25, "#fcbba1"], [0.5, "#fb6a4a"], [0.75, "#cb181d"], [1, "#67000d"]];
/** The confusion matrix's diagonal: a light, neutral tone that leaves the eye on the mistakes. */
const DIAGONAL_COLOR = "#dde3ea";

/**
 * Heatmap of counts[true][predicted] with each count written in its cell. Colours follow the
 * share of each true class (row-normalized), so rare and common classes read alike. The
 * mistakes have a scale of their own, from 0 to the largest mistake: on one scale with the
 * diagonal's 95–99% every mistake would be a near-white cell, and the pairs a model confuses
 * would not stand out. The diagonal (the correct predictions) is drawn in one neutral tone.
 */
export function confusionMatrix(
  counts: ConfusionMatrix,
  options: { classNames?: readonly string[]; title?: string } = {},
): Figure {
  const n = counts.length;
  if (n === 0 || counts.some((row) => row.length !== n)) {
    throw new UsageError(`confusion matrix must be square and non-empty, got ${n} rows of lengths ${counts.map((r) => r.length).join(",")}`);
  }
  const names = Array.from({ length: n }, (_, c) => escapeLabel(classLabel(c, options.classNames)));
  const rowTotals = counts.map((row) => row.reduce((a, b) => a + b, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const correct = counts.reduce((a, row, i) => a + row[i], 0);
  const shares = counts.map((row, i) => row.map((c) => round(rowTotals[i] ? c / rowTotals[i] : 0, 4)));
  const hover = counts.map((row, t) =>
    row.map((c, p) => `true ${names[t]}, predicted ${names[p]}: ${c} (${percent(rowTotals[t] ? c / rowTotals[t] : 0)} of true ${names[t]})`),
  );
  // One trace for the mistakes and one for the diagonal; each leaves the other's cells empty
  // (a null number is a gap, and gaps get no hover; text must be "", or Plotly writes "null").
  const offDiagonal = <T>(m: T[][], empty: T | null = null) => m.map((row, t) => row.map((v, p) => (t === p ? empty : v)));
  const diagonal = <T>(m: T[][], empty: T | null = null) => m.map((row, t) => row.map((v, p) => (t === p ? v : empty)));
  const text = counts.map((row) => row.map((c) => String(c)));
  const worstMistake = Math.max(0, ...offDiagonal(shares).flat().map((v) => v ?? 0));
  const heading = `Confusion matrix (accuracy ${percent(total ? correct / total : 0, 2)} on ${total.toLocaleString("en-US")} images)`;
  const colorbarTitle = "mistakes: share<br>of true class";
  const cell = { x: names, y: names, texttemplate: "%{text}", hovertemplate: "%{hovertext}<extra></extra>", hoverongaps: false, xgap: 1, ygap: 1 };
  // Diagonal counts run to 4 digits, mistakes to 1–2: on a phone the diagonal's are smaller.
  const fontSize = (narrow: boolean, onDiagonal: boolean) => (n > 12 ? (narrow ? 7 : 8) : narrow ? (onDiagonal ? 8 : 9) : 12);
  // A phone: the colour bar under the matrix instead of beside it and small margins, so the
  // matrix gets the box's width (the chart script scales it to fit), with smaller counts.
  const narrow = {
    below: 600,
    layout: {
      ...(options.title === undefined ? { title: title(heading.replace(" (", "<br>(")) } : {}),
      margin: { l: 56, r: 12, t: 76, b: 130 },
      height: 532 + 76 + 130, // a square plot area at the full 600 px width
    },
    data: [
      {
        textfont: { size: fontSize(true, false) },
        colorbar: {
          orientation: "h", title: { text: "mistakes: % of true class", side: "bottom" }, tickformat: ".1%",
          thickness: 10, x: 0.5, xanchor: "center", yref: "container", y: 0, yanchor: "bottom", ypad: 8,
        },
      },
      { textfont: { size: fontSize(true, true) } },
    ],
  };
  return {
    data: [
      {
        type: "heatmap",
        ...cell,
        name: "mistakes",
        z: offDiagonal(shares),
        text: offDiagonal(text, ""),
        hovertext: offDiagonal(hover, ""),
        textfont: { size: fontSize(false, false) },
        colorscale: REDS,
        zmin: 0,
        // A perfect model has no mistakes to scale to: keep the scale's top above zero.
        zmax: Math.max(worstMistake, 0.01),
        colorbar: { title: { text: colorbarTitle }, tickformat: ".1%" },
      },
      {
        type: "heatmap",
        ...cell,
        name: "correct",
        z: diagonal(shares),
        text: diagonal(text, ""),
        hovertext: diagonal(hover.map((row) => row.map((h) => `${h}, correct`)), ""),
        textfont: { size: fontSize(false, true) },
        colorscale: [[0, DIAGONAL_COLOR], [1, DIAGONAL_COLOR]],
        showscale: false,
      },
    ],
    layout: {
      title: title(options.title ?? heading),
      xaxis: { title: axisTitle("predicted label"), type: "category", side: "bottom", constrain: "domain" },
      yaxis: { title: axisTitle("true label"), type: "category", autorange: "reversed", scaleanchor: "x", constrain: "domain" },
      width: 600,
      height: 560,
      // Read by the chart script (display/chart-html) when the chart box is narrower than 600 px.
      // Counts stay legible down to ~14 px a cell, so a phone's box fits the matrix instead of scrolling.
      meta: { digitLabNarrow: narrow, digitLabMinPlotWidth: 14 * Math.max(n, 10) },
    },
  };
}

/**
 * Precision, recall and F1 of each class (support in the hover text). Good models score
 * between 0.9 and 1, so the axis zooms in on the scores; a zoomed axis cut under bars would
 * make their lengths lie (0.64 drawn a fifth as tall as 0.95), so then each score is a dot,
 * the three of a class side by side. Grouped bars only when the axis starts at 0.
 */
export function classMetricsBars(
  report: ClassificationReport,
  options: { classNames?: readonly string[]; title?: string } = {},
): Figure {
  const names = report.classes.map((c) => escapeLabel(classLabel(c.label, options.classNames)));
  const metrics: ["precision" | "recall" | "f1", string][] = [["precision", "precision"], ["recall", "recall"], ["f1", "F1"]];
  const lowest = Math.min(...report.classes.flatMap((c) => [c.precision, c.recall, c.f1]));
  const from = round(Math.max(0, Math.floor(lowest * 20) / 20 - 0.05), 2);
  const zoomed = from > 0;
  const data: Trace[] = metrics.map(([key, label], k) => ({
    name: label,
    y: report.classes.map((c) => round(c[key], 4)),
    hovertext: report.classes.map((c, i) => `class ${names[i]}: ${label} ${c[key].toFixed(4)}<br>support ${c.support}`),
    hoverinfo: "text",
    ...(zoomed
      ? {
          // Class i at x = i; its three scores a little left, on and right of it.
          type: "scatter",
          mode: "markers",
          x: report.classes.map((_, i) => round(i + (k - 1) * 0.22, 2)),
          marker: { color: colorAt(k), size: 9, symbol: ["circle", "diamond", "square"][k], line: { color: "#333", width: 0.5 } },
        }
      : { type: "bar", x: names, marker: { color: colorAt(k) } }),
  }));
  return {
    data,
    layout: {
      // Two short lines rather than one long one a phone would cut at both ends (the axis title says when it is zoomed).
      title: title(options.title ?? `Per-class precision, recall and F1<br>(accuracy ${percent(report.accuracy, 2)}, macro F1 ${report.macro.f1.toFixed(3)})`),
      ...(zoomed ? {} : { barmode: "group" }),
      xaxis: zoomed
        ? {
            title: axisTitle("class"), tickvals: names.map((_, i) => i), ticktext: names,
            range: [-0.6, names.length - 0.4], zeroline: false, showgrid: false,
          }
        : { title: axisTitle("class"), type: "category" },
      // Zoom in on the interesting range: good models sit between 0.9 and 1.
      yaxis: { title: axisTitle(zoomed ? `score (axis from ${from.toFixed(2)}, not 0)` : "score"), range: [from, 1.005] },
      // Faint bands mark each class's column of three dots.
      shapes: zoomed
        ? names.map((_, i) => i).filter((i) => i % 2 === 0).map((i) => ({
            type: "rect", xref: "x", yref: "paper", x0: i - 0.5, x1: i + 0.5, y0: 0, y1: 1,
            fillcolor: "rgba(0,0,0,0.04)", line: { width: 0 }, layer: "below",
          }))
        : [],
      // Anchored at its top, the legend grows downwards, clear of the "class" axis title.
      legend: { orientation: "h", yanchor: "top", y: -0.22 },
      hovermode: "closest",
      height: 440,
      // Read by the chart script (display/chart-html): on a phone, slim side margins give the 30 dots or bars the width.
      meta: {
        digitLabNarrow: {
          below: 600,
          layout: { margin: { l: 60, r: 12, t: 100, b: 104 }, legend: legendUnderneath() },
          ...(zoomed ? { data: data.map((t) => ({ marker: { ...(t.marker as object), size: 7 } })) } : {}),
        },
      },
    },
  };
}

/**
 * A mistake's confidence as a whole percentage ("87%"), but with one decimal when
 * rounding would reach 100% ("99.8%"): a wrong answer is never shown as certain.
 */
export function confidenceLabel(confidence: number): string {
  const whole = Math.round(confidence * 100);
  if (whole < 100) return `${whole}%`;
  return `${Math.min(99.9, Math.round(confidence * 1000) / 10).toFixed(1)}%`;
}

/**
 * Any class's probability from a model, labelled like `confidenceLabel` and mirrored at the
 * low end: a whole percentage, one decimal when rounding would reach 0% ("0.3%"), "<0.1%"
 * below that. A float32 softmax reaches exactly 1 or 0 by rounding, not certainty, so
 * neither end is ever shown as certain or impossible ("99.9%", "<0.1%").
 */
export function probabilityLabel(probability: number): string {
  if (probability <= 0) return "<0.1%";
  if (Math.round(probability * 100) > 0) return confidenceLabel(probability);
  const tenths = Math.round(probability * 1000) / 10;
  return tenths < 0.1 ? "<0.1%" : `${tenths.toFixed(1)}%`;
}

/** The model's mistakes as an image grid: "true → predicted (confidence)". Keeps the order given. */
export function misclassifiedGallery(
  items: Misclassified[],
  options: { limit?: number; columns?: number; classNames?: readonly string[]; title?: string } = {},
): Figure {
  const limit = options.limit ?? 50;
  const shown = items.slice(0, limit);
  const cells = shown.map((m): GridCell => {
    if (!m.pixels) throw new UsageError(`misclassified example #${m.index} has no pixels to draw`);
    const t = escapeLabel(classLabel(m.trueLabel, options.classNames));
    const p = escapeLabel(classLabel(m.predicted, options.classNames));
    return {
      pixels: m.pixels,
      caption: `${t} → ${p} (${confidenceLabel(m.confidence)})`,
      hover: `image #${m.index}<br>true ${t}<br>predicted ${p} with ${percent(Math.min(m.confidence, 0.999))} confidence`, // one decimal, but a mistake is never "100.0%" sure
      highlight: true,
    };
  });
  return imageGridFigure(cells, {
    title: options.title ?? `Misclassified examples (${shown.length.toLocaleString("en-US")} of ${items.length.toLocaleString("en-US")}; true → predicted, confidence)`,
    columns: options.columns ?? 8,
    cellSize: 96,
  });
}

/**
 * Bar chart of the probability of each class for one image, the top class highlighted
 * (green when it matches `trueLabel`, red when not); with `image` the digit is drawn beside.
 */
export function classProbabilities(
  probabilities: ArrayLike<number>,
  options: { image?: ArrayLike<number>; trueLabel?: number; classNames?: readonly string[]; title?: string; rows?: number; cols?: number } = {},
): Figure {
  const probs = Array.from(probabilities);
  if (probs.length === 0) throw new UsageError("classProbabilities needs at least one probability");
  const names = probs.map((_, c) => escapeLabel(classLabel(c, options.classNames)));
  let top = 0;
  probs.forEach((p, c) => { if (p > probs[top]) top = c; });
  const topColor = options.trueLabel === undefined ? colorAt(1) : top === options.trueLabel ? RIGHT_COLOR : WRONG_COLOR;
  const colors = probs.map((_, c) => (c === top ? topColor : "#9fb4c7"));
  const withImage = options.image !== undefined;
  const data: Trace[] = [{
    type: "bar",
    name: "probability",
    x: names,
    y: probs.map((p) => round(p, 5)),
    marker: { color: colors, line: { color: probs.map((_, c) => (c === options.trueLabel ? "#000" : "rgba(0,0,0,0)")), width: 2 } },
    // As the title: 0.997 reads "99.7%", not a "100%" bar under a 99.7% title.
    text: probs.map((p) => (p >= 0.01 ? confidenceLabel(p) : "")),
    textposition: "outside",
    // Plotly shrinks a label to its bar's width: on a phone "99.7%" became a few pixels high.
    constraintext: "none",
    cliponaxis: false,
    hovertext: probs.map((p, c) => `class ${names[c]}: ${percent(p, 2)}${c === top ? " (prediction)" : ""}${c === options.trueLabel ? " (true label)" : ""}`),
    hoverinfo: "text",
    xaxis: withImage ? "x2" : "x",
    yaxis: withImage ? "y2" : "y",
  }];
  const truth = options.trueLabel === undefined ? "" : `, true ${escapeLabel(classLabel(options.trueLabel, options.classNames))}`;
  const layout: Layout = {
    title: title(options.title ?? `Class probabilities: predicted ${names[top]} (${percent(probs[top])})${truth}`),
    showlegend: false,
    height: 380,
  };
  const barAxes = {
    // Every class named, also where Plotly would skip every other label (a phone).
    x: { title: axisTitle("class"), type: "category", tickmode: "linear", dtick: 1 },
    y: { title: axisTitle("probability"), range: [0, 1.12], tickformat: ".0%" },
  };
  if (withImage) {
    const rows = options.rows ?? 28;
    const cols = options.cols ?? 28;
    data.unshift({
      type: "heatmap",
      z: toRows(options.image!, rows, cols, 1),
      colorscale: INK_COLORSCALE, zmin: 0, zmax: 255, showscale: false, name: "image",
      hovertemplate: "pixel (row %{y}, col %{x}) = %{z}<extra></extra>",
    });
    const hidden = { showticklabels: false, ticks: "", showgrid: false, zeroline: false, constrain: "domain" };
    layout.xaxis = { ...hidden, domain: [0, 0.28] };
    layout.yaxis = { ...hidden, autorange: "reversed", scaleanchor: "x" };
    layout.xaxis2 = { ...barAxes.x, domain: [0.36, 1], anchor: "y2" };
    layout.yaxis2 = { ...barAxes.y, anchor: "x2" };
    layout.width = 760;
    // A phone: the digit above its bars, both as wide as the box, instead of a 760 px row.
    const narrow = {
      below: 760,
      layout: {
        width: null,
        height: 600,
        margin: { l: 56, r: 16, t: 90, b: 56 },
        xaxis: { ...hidden, domain: [0, 1] },
        yaxis: { ...hidden, autorange: "reversed", scaleanchor: "x", domain: [0.6, 1] },
        xaxis2: { ...barAxes.x, domain: [0, 1], anchor: "y2" },
        yaxis2: { ...barAxes.y, anchor: "x2", domain: [0, 0.48] },
      },
    };
    layout.meta = { digitLabNarrow: narrow };
  } else {
    layout.xaxis = barAxes.x;
    layout.yaxis = barAxes.y;
    // A phone: Plotly's 80 px side margins would leave the ten bars under 100 px.
    layout.meta = { digitLabNarrow: { below: 500, layout: { margin: { l: 56, r: 16, t: 90, b: 56 } } } };
  }
  return { data, layout };
}
