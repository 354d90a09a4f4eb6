/**
 * Architecture comparison: test accuracy against size (parameters, log axis), bubble
 * area ∝ seconds per epoch, each model labelled. Good models sit top-left with small bubbles.
 */
import { UsageError } from "../errors";
import type { ComparisonRow } from "../types";
import { Figure, axisTitle, colorAt, escapeLabel, percent, round, title } from "./figure";

/** "500", "20k", "1.5M": short labels for parameter counts. */
export function formatCount(n: number): string {
  const short = (v: number) => String(Number(v.toPrecision(3)));
  if (n >= 1e6) return `${short(n / 1e6)}M`;
  if (n >= 1e3) return `${short(n / 1e3)}k`;
  return short(n);
}

/**
 * Ticks for a log axis from 10^lo to 10^hi, each labelled with its unit: a 1-2-5 sequence
 * (every mantissa when the range is too narrow for three of those, only powers of ten
 * when it spans many decades). Plotly's own log ticks label only the powers of ten.
 */
export function logTicks(lo: number, hi: number): { tickvals: number[]; ticktext: string[] } {
  const pick = (mantissas: number[]) => {
    const vals: number[] = [];
    for (let e = Math.floor(lo); e <= Math.ceil(hi); e++) {
      for (const m of mantissas) {
        const v = m * 10 ** e;
        const x = Math.log10(v);
        if (x >= lo - 1e-9 && x <= hi + 1e-9) vals.push(Number(v.toPrecision(6)));
      }
    }
    return vals;
  };
  let vals = hi - lo > 4 ? pick([1]) : hi - lo > 2.2 ? pick([1, 3]) : pick([1, 2, 5]);
  if (vals.length < 3) vals = pick([1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9]);
  return { tickvals: vals, ticktext: vals.map(formatCount) };
}

/**
 * Labels above their bubbles, except where two bubbles sit close together along the axis:
 * then the second one's label goes below, so neither lands on the other bubble.
 */
export function labelPositions(logParams: number[], axisSpan: number): string[] {
  const order = logParams.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  const positions = new Array<string>(logParams.length);
  order.forEach(({ x, i }, k) => {
    const left = order[k - 1];
    const close = left !== undefined && x - left.x < 0.12 * axisSpan;
    positions[i] = close && positions[left.i] === "top center" ? "bottom center" : "top center";
  });
  return positions;
}

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
      textposition: labelPositions(params.map(Math.log10), hi - lo + 2 * padX),
      // Labels and bubbles at the edges draw into the margin instead of being cut off.
      cliponaxis: false,
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
      title: title(options.title ?? "Test accuracy vs parameters<br>(bubble area = seconds per epoch)"),
      xaxis: {
        title: axisTitle("parameters (log scale)"), type: "log", range: [round(lo - padX, 3), round(hi + padX, 3)],
        ...logTicks(lo - padX, hi + padX),
      },
      yaxis: { title: axisTitle("test accuracy"), tickformat: ".1%", range: [round(aLo - padY, 4), round(Math.min(1.0, aHi + padY * 1.5) + padY * 0.5, 4)] },
      showlegend: false,
      hovermode: "closest",
      height: 480,
    },
  };
}
