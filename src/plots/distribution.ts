/** How many examples of each class each set holds: grouped bars, one group per class. */
import { UsageError } from "../errors";
import { labelCounts } from "../data/stats";
import { Figure, Trace, axisTitle, classLabel, colorAt, legendUnderneath, percent, round, title } from "./figure";

/**
 * Label distribution of several sets, e.g. `labelDistribution({ train: data.train.labels,
 * test: data.test.labels })`. `normalize` plots shares instead of counts (sets differ in size).
 */
export function labelDistribution(
  sets: Record<string, ArrayLike<number>>,
  options: { normalize?: boolean; classNames?: readonly string[]; title?: string } = {},
): Figure {
  const names = Object.keys(sets);
  if (names.length === 0) throw new UsageError("labelDistribution needs at least one set of labels");
  const classes = options.classNames?.length ?? 10;
  const x = Array.from({ length: classes }, (_, c) => classLabel(c, options.classNames));
  const data: Trace[] = names.map((name, k) => {
    const counts = labelCounts(sets[name], classes);
    const total = sets[name].length || 1;
    return {
      type: "bar",
      name,
      x,
      y: options.normalize ? counts.map((c) => round(c / total, 5)) : counts,
      marker: { color: colorAt(k) },
      hovertext: counts.map((c, i) => `${name}, class ${x[i]}: ${c.toLocaleString("en-US")} images (${percent(c / total)})`),
      hoverinfo: "text",
    };
  });
  return {
    data,
    layout: {
      title: title(options.title ?? `Label distribution (${names.join(" vs ")})`),
      barmode: "group",
      xaxis: { title: axisTitle("class"), type: "category" },
      yaxis: { title: axisTitle(options.normalize ? "share of images" : "number of images"), tickformat: options.normalize ? ".0%" : undefined },
      legend: { orientation: "h", y: -0.2 },
      height: 420,
      // Read by the chart script (display/chart-html): on a phone, slim side margins and the legend
      // at the bottom, clear of the "class" axis title.
      meta: { digitLabNarrow: { below: 600, layout: { margin: { l: 60, r: 12, t: 100, b: 100 }, legend: legendUnderneath() } } },
    },
  };
}
