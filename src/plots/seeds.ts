/**
 * The spread of a recipe's test accuracy over seeds: one dot per run, the mean ± one
 * standard deviation, and (when given) the single number a paper or seed experiment
 * reported, so "did we reproduce it?" is read off the picture instead of one run.
 */
import { UsageError } from "../errors";
import { spread } from "../util/stats";
import { Figure, Trace, axisTitle, colorAt, escapeLabel, percent, round, title } from "./figure";
import { counted } from "../util/format";

/** One set of runs of the same recipe (e.g. digit-lab's, or a reference implementation's). */
export interface SeedRuns {
  name: string;
  runs: readonly { seed: number; testAccuracy: number }[];
}

export interface SeedSpreadOptions {
  /** A single reported accuracy to compare with (e.g. 0.9815), drawn as a dashed line. */
  reported?: number;
  /** What the dashed line is called (default "reported"). */
  reportedLabel?: string;
  /**
   * Count the runs that reach `reported` ("1 of 4 ≥ 98.15%"; default true). False when the runs
   * changed the recipe (fewer epochs, fewer images): the line is then the full recipe's figure,
   * which they are not expected to reach, and counting them against it says nothing.
   */
  countReaching?: boolean;
  title?: string;
}

/**
 * The x range: every run, every mean ± std and the reported line with a small margin, never
 * past 100% (Plotly's autorange spans −20%…180% round a single point, or runs past 100%).
 */
function accuracyRange(groups: readonly SeedRuns[], reported: number | undefined): [number, number] {
  const xs: number[] = [];
  for (const g of groups) {
    const s = spread(g.runs.map((r) => r.testAccuracy));
    xs.push(s.min, s.max, s.mean - s.std, s.mean + s.std);
  }
  if (reported !== undefined) xs.push(reported);
  const [lo, hi] = [Math.min(...xs), Math.max(...xs)];
  const pad = Math.max(0.002, 0.15 * (hi - lo));
  return [round(Math.max(0, lo - pad), 5), round(Math.min(1, hi + pad), 5)];
}

export function seedSpread(sets: SeedRuns | readonly SeedRuns[], options: SeedSpreadOptions = {}): Figure {
  const groups: readonly SeedRuns[] = "runs" in sets ? [sets as SeedRuns] : (sets as readonly SeedRuns[]);
  if (groups.length === 0 || groups.some((g) => g.runs.length === 0)) throw new UsageError("seedSpread needs at least one run in every set");
  const reported = options.reported;
  const label = options.reportedLabel ?? "reported";
  const data: Trace[] = [];
  const summaries: string[] = [];
  groups.forEach((group, k) => {
    const name = escapeLabel(group.name);
    const accuracies = group.runs.map((r) => r.testAccuracy);
    const s = spread(accuracies);
    const reach = reported === undefined || options.countReaching === false ? "" : `${accuracies.filter((a) => a >= reported).length} of ${accuracies.length} ≥ ${percent(reported, 2)}`;
    // A sample standard deviation needs two runs: one seed says nothing about the spread.
    const spreadText = accuracies.length < 2 ? "± n/a" : `± ${(100 * s.std).toFixed(2)}`;
    summaries.push([`${percent(s.mean, 2)} ${spreadText}`, reach].filter(Boolean).join("; "));
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${name} (${counted(group.runs.length, "seed")})`,
      x: accuracies.map((a) => round(a, 5)),
      // A small fixed jitter per run keeps equal accuracies from hiding each other.
      y: group.runs.map((_, i) => round(k + ((i % 5) - 2) * 0.06, 3)),
      marker: { color: colorAt(k), size: 9, opacity: 0.75, line: { color: "#333", width: 0.5 } },
      hovertext: group.runs.map((r) => `${name}, seed ${r.seed}: ${percent(r.testAccuracy, 2)}`),
      hoverinfo: "text",
    });
    data.push({
      type: "scatter",
      mode: "markers",
      name: `${name}: mean ± std`,
      showlegend: false,
      x: [round(s.mean, 5)],
      y: [k - 0.32],
      error_x: { type: "constant", value: round(s.std, 5), color: colorAt(k), thickness: 2, width: 6 },
      marker: { color: colorAt(k), size: 12, symbol: "diamond", line: { color: "#333", width: 1 } },
      hovertext: [accuracies.length < 2
        ? `${name}: ${percent(s.mean, 2)} (1 seed: no standard deviation)`
        : `${name}: mean ${percent(s.mean, 2)} ± ${(100 * s.std).toFixed(2)} (std over ${counted(accuracies.length, "seed")}), range ${percent(s.min, 2)}–${percent(s.max, 2)}`],
      hoverinfo: "text",
    });
  });
  const range = accuracyRange(groups, reported);
  const span = range[1] - range[0];
  const shapes: unknown[] = [];
  const annotations: unknown[] = [];
  if (reported !== undefined) {
    shapes.push({ type: "line", xref: "x", yref: "paper", x0: reported, x1: reported, y0: 0, y1: 1, line: { color: "#444", dash: "dash", width: 1.5 } });
    // The label runs away from the nearer edge so a narrow chart does not cut it off.
    const [lo, hi] = range;
    annotations.push({
      x: reported, xref: "x", y: 1, yref: "paper", yanchor: "bottom", xanchor: reported > (lo + hi) / 2 ? "right" : "left",
      text: `${escapeLabel(label)} ${percent(reported, 2)}`, showarrow: false, font: { size: 11 },
    });
  }
  return {
    data,
    layout: {
      title: title(options.title ?? (groups.length === 1
        ? `${escapeLabel(groups[0].name)} over ${counted(groups[0].runs.length, "seed")}:<br>${summaries[0]}`
        : "Test accuracy over seeds")),
      xaxis: { title: axisTitle("test accuracy"), tickformat: span > 0.05 ? ".0%" : span > 0.005 ? ".1%" : ".2%", zeroline: false, range },
      yaxis: {
        tickvals: groups.map((_, k) => k),
        // Each row's label carries its summary: mean ± std and (unless told not to) how many runs reach the reported number.
        ticktext: groups.map((g, k) => `<b>${escapeLabel(g.name)}</b><br>${summaries[k].replace("; ", "<br>")}`),
        range: [groups.length - 0.4, -0.6], // the first set on top
        zeroline: false,
        automargin: true,
      },
      shapes,
      annotations,
      showlegend: groups.length > 1,
      legend: { orientation: "h", y: -0.25 },
      height: 200 + 90 * groups.length,
      hovermode: "closest",
    },
  };
}
