/**
 * Training curves like Keras' history plots: loss (left) and accuracy (right) per epoch,
 * training solid and validation dashed, one colour per run so architectures overlay. Two
 * events a reader looks for are marked: the epoch whose weights early stopping put back (a
 * star on the validation curves), and, for a single run, each learning-rate change (a dotted
 * line before the first epoch at the new rate).
 */
import { UsageError } from "../errors";
import type { EpochLog, RunHistory } from "../types";
import { counted } from "../util/format";
import { Figure, Trace, axisTitle, colorAt, escapeLabel, round, title } from "./figure";

type Metric = "loss" | "accuracy";

function series(history: EpochLog[], metric: Metric, validation: boolean): { x: number[]; y: number[] } {
  const x: number[] = [];
  const y: number[] = [];
  for (const e of history) {
    const v = validation ? (metric === "loss" ? e.valLoss : e.valAccuracy) : e[metric];
    if (v === undefined || v === null || !Number.isFinite(v)) continue;
    x.push(e.epoch);
    y.push(round(v, 5));
  }
  return { x, y };
}

export interface TrainingCurvesOptions {
  title?: string;
  /** The run's name when `runs` is one unnamed history (`result.history` or `result`): default "model". */
  name?: string;
  /**
   * Draw as a comparison even while there is one run: a colour and a legend entry per run, so a
   * live comparison keeps one style as its runs arrive.
   */
  byRun?: boolean;
}

/**
 * What `trainingCurves` draws: one run's history as `train` returns it (`result.history`, or
 * `result` itself, which also brings the epoch early stopping put back), a named run, or
 * several named runs to overlay.
 */
export type TrainingCurvesInput = RunHistory | RunHistory[] | EpochLog[] | { history: EpochLog[]; restoredEpoch?: number; name?: string };

function isEpochLogs(runs: readonly unknown[]): runs is EpochLog[] {
  return runs.length > 0 && runs.every((r) => typeof r === "object" && r !== null && typeof (r as EpochLog).epoch === "number");
}

function runsOf(runs: TrainingCurvesInput, name: string | undefined): RunHistory[] {
  const fallback = name ?? "model";
  if (Array.isArray(runs)) return isEpochLogs(runs) ? [{ name: fallback, history: runs }] : (runs as RunHistory[]);
  if (typeof runs !== "object" || runs === null || !Array.isArray(runs.history)) {
    throw new UsageError("trainingCurves takes result.history (or the result) from train(), or runs { name, history }");
  }
  return [{ ...runs, name: runs.name ?? fallback }];
}

/**
 * Loss and accuracy per epoch, as Keras' history plots: `show(trainingCurves(result))` for one
 * run; `trainingCurves([{ name: "dense-128", history: a.history }, { name: "cnn", history: b.history }])`
 * overlays several, one colour each.
 */
export function trainingCurves(runs: TrainingCurvesInput, options: TrainingCurvesOptions = {}): Figure {
  const list = runsOf(runs, options.name);
  if (list.length === 0) throw new UsageError("trainingCurves needs at least one run");
  const data: Trace[] = [];
  const several = list.length > 1 || options.byRun === true;
  // One tick per epoch while that stays readable.
  const maxEpoch = Math.max(1, ...list.map((r) => r.history.length));
  const dtick = maxEpoch <= 15 ? 1 : undefined;
  list.forEach((run, k) => {
    const color = colorAt(k);
    const name = escapeLabel(run.name);
    (["loss", "accuracy"] as Metric[]).forEach((metric, m) => {
      for (const validation of [false, true]) {
        const { x, y } = series(run.history, metric, validation);
        if (x.length === 0) continue;
        const split = validation ? "validation" : "train";
        data.push({
          type: "scatter",
          mode: x.length > 1 ? "lines+markers" : "markers",
          // Several runs: the legend names the run; its line style tells train from validation.
          name: several && !validation && m === 0 ? name : `${name} (${split})`,
          legendgroup: several ? name : `${name} (${split})`,
          showlegend: m === 0 && (!several || !validation),
          x,
          y,
          xaxis: m === 0 ? "x" : "x2",
          yaxis: m === 0 ? "y" : "y2",
          line: { color, dash: validation ? "dash" : "solid", width: 2 },
          marker: { color, size: 5, symbol: validation ? "circle-open" : "circle" },
          hovertemplate: `${name}<br>${split} ${metric}, epoch %{x}: %{y:${metric === "loss" ? ".4f" : ".2%"}}<extra></extra>`,
        });
      }
    });
  });
  list.forEach((run, k) => data.push(...keptEpochMarkers(run, colorAt(k), several)));
  const rateChanges = several ? [] : learningRateChanges(list[0].history);
  const annotations: Record<string, unknown>[] = [
    { text: "Loss (lower is better)", xref: "x domain", yref: "y domain", x: 0.5, y: 1.02, yanchor: "bottom", showarrow: false },
    { text: "Accuracy (solid: train, dashed: validation)", xref: "x2 domain", yref: "y2 domain", x: 0.5, y: 1.02, yanchor: "bottom", showarrow: false },
    ...rateChanges.map((c) => ({
      text: `lr ${formatRate(c.rate)}`, xref: "x", yref: "y domain", x: c.epoch - 0.5, y: 0.98, xanchor: "right", yanchor: "top",
      textangle: -90, showarrow: false, font: { size: 10, color: RATE_LINE_COLOR },
    })),
  ];
  const shapes = rateChanges.flatMap((c) => ["", "2"].map((axis) => ({
    type: "line", xref: `x${axis}`, yref: `y${axis} domain`, x0: c.epoch - 0.5, x1: c.epoch - 0.5, y0: 0, y1: 1,
    line: { color: RATE_LINE_COLOR, width: 1, dash: "dot" },
  })));
  // Below the x-axis titles, growing downwards (Plotly's default anchor grows a bottom legend upwards, onto them).
  const legend = { orientation: "h", x: 0, xanchor: "left", yanchor: "top", y: -0.22 };
  const narrow = {
    below: 600,
    // A phone: loss above accuracy, each the full width, so neither titles nor ticks overlap.
    layout: {
      xaxis: { domain: [0, 1], title: axisTitle("epoch"), dtick, anchor: "y" },
      yaxis: { domain: [0.6, 1], title: axisTitle("loss"), anchor: "x" },
      xaxis2: { domain: [0, 1], title: axisTitle("epoch"), dtick, anchor: "y2" },
      yaxis2: { domain: [0, 0.4], title: axisTitle("accuracy"), tickformat: ".0%", anchor: "x2" },
      legend: { ...legend, y: -0.12 },
      height: 760,
      margin: { t: 80, l: 60, r: 20 },
    },
  };
  return {
    data,
    layout: {
      title: title(options.title ?? (several ? `Training curves of ${counted(list.length, "run")}` : `Training curves: ${escapeLabel(list[0].name)}`)),
      xaxis: { domain: [0, 0.44], title: axisTitle("epoch"), dtick, anchor: "y" },
      yaxis: { title: axisTitle("loss"), anchor: "x" },
      // The gap leaves room for the accuracy axis' ticks and title, off the loss plot.
      xaxis2: { domain: [0.58, 1], title: axisTitle("epoch"), dtick, anchor: "y2" },
      yaxis2: { title: axisTitle("accuracy"), tickformat: ".0%", anchor: "x2" },
      annotations,
      ...(shapes.length ? { shapes } : {}),
      legend,
      hovermode: "closest",
      height: 470,
      margin: { t: 80 },
      // Read by the chart script (display/chart-html) when the chart box is narrower than 600 px.
      meta: { digitLabNarrow: narrow },
    },
  };
}

const RATE_LINE_COLOR = "#888";

/** Epochs whose learning rate differs from the epoch before, with the new rate. */
function learningRateChanges(history: EpochLog[]): { epoch: number; rate: number }[] {
  const changes: { epoch: number; rate: number }[] = [];
  for (let i = 1; i < history.length; i++) {
    const before = history[i - 1].learningRate;
    const rate = history[i].learningRate;
    if (before !== undefined && rate !== undefined && rate !== before) changes.push({ epoch: history[i].epoch, rate });
  }
  return changes;
}

/** 0.0005, 0.00025, 1.25e-5: three significant digits, without float noise. */
function formatRate(rate: number): string {
  return String(Number(rate.toPrecision(3)));
}

/**
 * A star on each validation curve at the epoch whose weights the model holds, when early
 * stopping put back an earlier epoch than the last: the curves run on past the weights tested.
 */
function keptEpochMarkers(run: RunHistory, color: string, several: boolean): Trace[] {
  const last = run.history[run.history.length - 1];
  const kept = run.history.find((e) => e.epoch === run.restoredEpoch);
  if (!kept || !last || kept.epoch === last.epoch) return [];
  const name = escapeLabel(run.name);
  const label = several ? `${name}: weights of epoch ${kept.epoch}` : `weights kept: epoch ${kept.epoch}`;
  const markers: Trace[] = [];
  ([["loss", kept.valLoss], ["accuracy", kept.valAccuracy]] as const).forEach(([metric, value], m) => {
    if (value === undefined || !Number.isFinite(value)) return;
    markers.push({
      type: "scatter",
      mode: "markers",
      name: label,
      legendgroup: several ? name : "kept",
      showlegend: !several && markers.length === 0,
      x: [kept.epoch],
      y: [round(value, 5)],
      xaxis: m === 0 ? "x" : "x2",
      yaxis: m === 0 ? "y" : "y2",
      marker: { color, size: 14, symbol: "star", line: { color: "white", width: 1 } },
      hovertemplate: `${name}<br>early stopping kept the weights of epoch ${kept.epoch}<br>validation ${metric} %{y:${metric === "loss" ? ".4f" : ".2%"}}<extra></extra>`,
    });
  });
  return markers;
}
