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
 * `minGap` (in decades) thins them for a narrow plot: the roundest values are kept first
 * (powers of ten, then 5s, then 2s, …) and no two kept ticks are closer than that, so
 * their labels never run together ("90k100k").
 */
export function logTicks(lo: number, hi: number, options: { minGap?: number } = {}): { tickvals: number[]; ticktext: string[] } {
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
  const minGap = options.minGap ?? 0;
  if (minGap > 0) {
    const roundness = [1, 5, 2, 3, 1.5, 4, 6, 8, 7, 9];
    const rank = (v: number) => roundness.indexOf(Number((v / 10 ** Math.floor(Math.log10(v) + 1e-9)).toPrecision(3)));
    const kept: number[] = [];
    for (const v of [...vals].sort((a, b) => rank(a) - rank(b) || a - b)) {
      if (kept.every((k) => Math.abs(Math.log10(k) - Math.log10(v)) >= minGap - 1e-9)) kept.push(v);
    }
    vals = kept.sort((a, b) => a - b);
  }
  return { tickvals: vals, ticktext: vals.map(formatCount) };
}

/**
 * Labels above their bubbles, except where two bubbles sit close together along the axis:
 * then one label goes below, so neither lands on the other bubble. Of a close pair, the
 * less accurate (lower) bubble takes its label below (given `accuracies`), so the two labels
 * point away from each other instead of meeting between the bubbles.
 */
export function labelPositions(logParams: number[], axisSpan: number, accuracies?: number[]): string[] {
  const order = logParams.map((x, i) => ({ x, i })).sort((a, b) => a.x - b.x || a.i - b.i);
  // Whether neighbours k and k + 1 along the axis are close enough for their labels to meet.
  const close = (k: number) => order[k] !== undefined && order[k + 1] !== undefined && order[k + 1].x - order[k].x < 0.12 * axisSpan;
  const positions = new Array<string>(logParams.length);
  order.forEach(({ i }, k) => {
    positions[i] = close(k - 1) && positions[order[k - 1].i] === "top center" ? "bottom center" : "top center";
  });
  if (accuracies) {
    // A close pair on its own (no third bubble near): the higher one's label on top.
    for (let k = 0; k + 1 < order.length; k++) {
      const [a, b] = [order[k], order[k + 1]];
      if (close(k) && !close(k - 1) && !close(k + 1) && accuracies[a.i] !== accuracies[b.i]) {
        const [upper, lower] = accuracies[a.i] > accuracies[b.i] ? [a.i, b.i] : [b.i, a.i];
        positions[upper] = "top center";
        positions[lower] = "bottom center";
      }
    }
  }
  return positions;
}

/** The bubble chart's frame: Plotly's default margins, written out because the y range is worked out in pixels. */
const HEIGHT = 480;
const MARGIN = { l: 80, r: 80, t: 100, b: 80 };
/** On a phone (a box narrower than NARROW_BELOW px) the side margins shrink and the x ticks thin out. */
const NARROW_BELOW = 600;
const NARROW_MARGIN = { l: 78, r: 24, t: 120, b: 80 };
/** Label ticks at least this far apart (px), in plot areas at least this wide: 440 px (wide) and 200 px (a 320 px phone). */
const TICK_GAP_PX = 48;
const [WIDE_PLOT_PX, NARROW_PLOT_PX] = [NARROW_BELOW - MARGIN.l - MARGIN.r, 200];
/** Plot width (px) labels are placed for on a phone: a 390 px phone's nbconvert export leaves a 248 px box. */
const PHONE_PLOT_PX = 150;
/** Height (px) of a bubble's text label, plus a little air. */
const LABEL_PX = 20;

/**
 * The accuracy range [lo, hi] that keeps every bubble and its label (above or below it) inside
 * the plot area of `plotPx` pixels: a point needs `below[i]` px under it and `above[i]` over it.
 * Without this a bottom label would sit on the x axis' tick labels.
 */
export function accuracyRange(ys: number[], below: number[], above: number[], plotPx: number, minSpan = 0.004): [number, number] {
  const ends = (span: number): [number, number] => [
    Math.min(...ys.map((y, i) => y - (below[i] / plotPx) * span)),
    Math.max(...ys.map((y, i) => y + (above[i] / plotPx) * span)),
  ];
  // span = hi(span) − lo(span) has one solution while the pixels asked for fit the plot (< plotPx together): iterate to it.
  let span = Math.max(minSpan, Math.max(...ys) - Math.min(...ys));
  for (let k = 0; k < 50; k++) {
    const [lo, hi] = ends(span);
    span = Math.max(minSpan, hi - lo);
  }
  const [lo, hi] = ends(span);
  const slack = (span - (hi - lo)) / 2;
  return [lo - slack, hi + slack];
}

/** Where Plotly writes a point's text, and the rectangle it takes (px, y up) round a bubble at (x, y) of radius r. */
const LABEL_SIDES: { position: string; rect: (x: number, y: number, r: number, w: number) => number[] }[] = [
  { position: "top center", rect: (x, y, r, w) => [x - w / 2, y + r + 2, x + w / 2, y + r + 2 + LABEL_TEXT_PX] },
  { position: "bottom center", rect: (x, y, r, w) => [x - w / 2, y - r - 2 - LABEL_TEXT_PX, x + w / 2, y - r - 2] },
  { position: "middle right", rect: (x, y, r, w) => [x + r + 3, y - LABEL_TEXT_PX / 2, x + r + 3 + w, y + LABEL_TEXT_PX / 2] },
  { position: "middle left", rect: (x, y, r, w) => [x - r - 3 - w, y - LABEL_TEXT_PX / 2, x - r - 3, y + LABEL_TEXT_PX / 2] },
];
/** Bubble labels on a phone: 11 px text, 13 px tall, ~6.4 px a character. */
const PHONE_LABEL_FONT = 11;
const LABEL_TEXT_PX = 13;
const LABEL_CHAR_PX = 6.4;

/**
 * Label sides for a small plot (a phone), where labels are wide next to the gaps between
 * bubbles: each label, from left to right, takes the first side (its `preferred` one first,
 * then above, below, right, left) where it overlaps no label placed before, no bubble, and
 * stays within `[0, widthPx]` (± `spillPx` of margin); if none does, the side where it overlaps least.
 * Points are in px from the plot's bottom-left corner.
 */
export function placeLabels(
  points: { x: number; y: number; radius: number; label: string }[],
  preferred: string[],
  widthPx: number,
  spillPx = 0,
): string[] {
  const overlapArea = (a: number[], b: number[]) =>
    Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const bubbles = points.map((p) => [p.x - p.radius, p.y - p.radius, p.x + p.radius, p.y + p.radius]);
  const placed: number[][] = [];
  const out = new Array<string>(points.length);
  const order = points.map((_, i) => i).sort((a, b) => points[a].x - points[b].x || a - b);
  for (const i of order) {
    const p = points[i];
    const w = p.label.length * LABEL_CHAR_PX;
    const sides = [...LABEL_SIDES].sort((a, b) => Number(b.position === preferred[i]) - Number(a.position === preferred[i]));
    // Overlap (px²) with labels placed before and other bubbles, and how far (px) it reaches out of the plot.
    const cost = (rect: number[]) => ({
      outside: Math.max(0, -spillPx - rect[0], rect[2] - widthPx - spillPx),
      overlap: [...placed, ...bubbles.filter((_, j) => j !== i)].reduce((sum, q) => sum + overlapArea(q, rect), 0),
    });
    const scored = sides.map((s) => {
      const rect = s.rect(p.x, p.y, p.radius, w);
      return { position: s.position, rect, ...cost(rect) };
    });
    const best = scored.find((c) => c.outside === 0 && c.overlap === 0) ??
      [...scored].sort((a, b) => a.outside - b.outside || a.overlap - b.overlap)[0];
    out[i] = best.position;
    placed.push(best.rect);
  }
  return out;
}

export function architectureComparison(rows: ComparisonRow[], options: { title?: string } = {}): Figure {
  if (rows.length === 0) throw new UsageError("architectureComparison needs at least one row");
  const maxSeconds = Math.max(...rows.map((r) => r.secondsPerEpoch), 1e-9);
  // Plotly bubble convention: sizemode "area" with sizeref = 2·max/(maxDiameter²).
  const maxDiameter = 60;
  // Small enough that models 20–100× faster than the slowest still differ (2× the time, 1.4× the width).
  const minDiameter = 3;
  // Room round the extreme points for the bubbles and their labels.
  const params = rows.map((r) => Math.max(1, r.params));
  const accs = rows.map((r) => r.testAccuracy);
  const [lo, hi] = [Math.log10(Math.min(...params)), Math.log10(Math.max(...params))];
  const padX = Math.max(0.15, (hi - lo) * 0.12);
  const xRange = [round(lo - padX, 3), round(hi + padX, 3)];
  const positions = labelPositions(params.map(Math.log10), hi - lo + 2 * padX, accs);
  // Bubble sizes are relative to the slowest model, so the heading says what the largest stands for.
  const largest = maxSeconds >= 10 ? maxSeconds.toFixed(0) : maxSeconds >= 1 ? maxSeconds.toFixed(1) : maxSeconds.toFixed(2);
  const heading = options.title ?? `Test accuracy vs parameters<br>(bubble area = seconds per epoch; the largest is ${largest} s)`;
  // Each bubble's radius in px (Plotly draws the smallest at sizemin).
  const radius = rows.map((r) => Math.max(minDiameter, maxDiameter * Math.sqrt(Math.max(0, r.secondsPerEpoch) / maxSeconds)) / 2);
  const yaxis = (sides: string[]) => {
    const below = radius.map((px, i) => px + 6 + (sides[i] === "bottom center" ? LABEL_PX : 0));
    const above = radius.map((px, i) => px + 6 + (sides[i] === "top center" ? LABEL_PX : 0));
    const [yLo, yHi] = accuracyRange(accs, below, above, HEIGHT - MARGIN.t - MARGIN.b);
    // Never far past 100%: a label above a bubble near the top draws into the margin instead.
    const yRange = [round(yLo, 5), round(Math.min(yHi, Math.max(1, Math.max(...accs)) + 0.02 * (yHi - yLo)), 5)];
    const ySpan = yRange[1] - yRange[0];
    // Decimals to tell ~8 ticks apart: a 0.5-point range steps by 0.05 points.
    return { title: axisTitle("test accuracy"), tickformat: ySpan < 0.008 ? ".2%" : ySpan < 0.08 ? ".1%" : ".0%", range: yRange };
  };
  const wideY = yaxis(positions);
  // A phone's plot is 150–200 px wide, where a label is as wide as the gap between bubbles: each
  // label goes where it meets no other label or bubble, judged in that plot's pixels.
  const plotPx = HEIGHT - MARGIN.t - MARGIN.b;
  const place = (range: number[]) => placeLabels(rows.map((r, i) => ({
    x: ((Math.log10(params[i]) - xRange[0]) / (xRange[1] - xRange[0])) * PHONE_PLOT_PX,
    y: ((accs[i] - range[0]) / (range[1] - range[0])) * plotPx,
    radius: radius[i],
    label: r.model,
  })), positions, PHONE_PLOT_PX, NARROW_MARGIN.r);
  // The y range makes room for labels below or above, so place again in the range the first placing asks for.
  const narrowPositions = place(yaxis(place(wideY.range)).range);
  const xaxis = (plotPx: number) => ({
    title: axisTitle("parameters (log scale)"), type: "log", range: xRange,
    ...logTicks(xRange[0], xRange[1], { minGap: (TICK_GAP_PX / plotPx) * (xRange[1] - xRange[0]) }),
  });
  return {
    data: [{
      type: "scatter",
      mode: "markers+text",
      x: rows.map((r) => r.params),
      y: rows.map((r) => round(r.testAccuracy, 5)),
      text: rows.map((r) => escapeLabel(r.model)),
      textposition: positions,
      // Labels and bubbles at the edges draw into the margin instead of being cut off.
      cliponaxis: false,
      marker: {
        size: rows.map((r) => round(r.secondsPerEpoch, 3)),
        sizemode: "area",
        sizeref: (2 * maxSeconds) / (maxDiameter * maxDiameter),
        sizemin: minDiameter,
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
      title: title(heading),
      xaxis: xaxis(WIDE_PLOT_PX),
      yaxis: wideY,
      showlegend: false,
      hovermode: "closest",
      height: HEIGHT,
      margin: MARGIN,
      // Read by the chart script (display/chart-html): on a phone, slimmer side margins, fewer x
      // ticks, labels placed apart, and the title hung from the top of a taller top margin, so the
      // lines the chart script wraps it to grow down into room it adds, clear of the top label.
      meta: {
        digitLabNarrow: {
          below: NARROW_BELOW,
          layout: {
            margin: NARROW_MARGIN, height: HEIGHT + NARROW_MARGIN.t - MARGIN.t, xaxis: xaxis(NARROW_PLOT_PX), yaxis: yaxis(narrowPositions),
            title: { ...title(heading), yref: "container", y: 1, yanchor: "top", pad: { t: 28 } },
          },
          data: [{ textposition: narrowPositions, textfont: { size: PHONE_LABEL_FONT } }],
        },
      },
    },
  };
}
