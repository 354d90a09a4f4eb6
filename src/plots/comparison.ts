/**
 * Architecture comparison: test accuracy against size (parameters, log axis), bubble
 * area ∝ seconds per epoch, each model labelled. Good models sit top-left with small bubbles.
 */
import { UsageError } from "../errors";
import type { ComparisonRow } from "../types";
import { Figure, axisTitle, colorAt, escapeLabel, percent, round, title } from "./figure";

export function architectureComparison(rows: ComparisonRow[], options: { title?: string } = {}): Figure {
  if (rows.length === 0) throw new UsageError("architectureComparison needs at least one row");
  const maxSeconds = Math.max(...rows.map((r) => r.secondsPerEpoch), 1e-9);
  // Plotly bubble convention: sizemode "area" with sizeref = 2·max/(maxDiameter²).
  const maxDiameter = 60;
  // Room round the extreme points for the bubbles and their labels.
  const params = rows.map((r) => Math.max(1, r.params));
  const accs = rows.map((r) => r.testAccuracy);
  const [lo, hi] = [Math.log10(Math.min(...params)), Math.log10(Math.max(...params))];
  const padX = Math.max(0.15, (hi - lo) * 0.12);
  const [aLo, aHi] = [Math.min(...accs), Math.max(...accs)];
  const padY = Math.max(0.002, (aHi - aLo) * 0.2);
  return {
    data: [{
      type: "scatter",
      mode: "markers+text",
      x: rows.map((r) => r.params),
      y: rows.map((r) => round(r.testAccuracy, 5)),
      text: rows.map((r) => escapeLabel(r.model)),
      textposition: "top center",
      marker: {
        size: rows.map((r) => round(r.secondsPerEpoch, 3)),
        sizemode: "area",
        sizeref: (2 * maxSeconds) / (maxDiameter * maxDiameter),
        sizemin: 6,
        color: rows.map((_, i) => colorAt(i)),
        opacity: 0.75,
        line: { color: "#333", width: 1 },
      },
      hovertext: rows.map((r) => [
        `<b>${escapeLabel(r.model)}</b>`,
        `test accuracy ${percent(r.testAccuracy, 2)}`,
        r.testLoss === undefined ? undefined : `test loss ${r.testLoss.toFixed(4)}`,
        `${r.params.toLocaleString("en-US")} parameters`,
        `${r.secondsPerEpoch.toFixed(1)} s per epoch`,
        `best epoch ${r.bestEpoch}`,
        `train − validation accuracy ${(r.trainValGap * 100).toFixed(2)} points`,
      ].filter(Boolean).join("<br>")),
      hoverinfo: "text",
      name: "models",
    }],
    layout: {
      title: title(options.title ?? "Architectures: test accuracy vs parameters (bubble area = seconds per epoch)"),
      xaxis: { title: axisTitle("parameters (log scale)"), type: "log", range: [round(lo - padX, 3), round(hi + padX, 3)] },
      yaxis: { title: axisTitle("test accuracy"), tickformat: ".1%", range: [round(aLo - padY, 4), round(Math.min(1.0, aHi + padY * 1.5) + padY * 0.5, 4)] },
      showlegend: false,
      hovermode: "closest",
      height: 480,
    },
  };
}
