import { PLOTLY_MIME } from "../../src/display/chart-html";

/**
 * A stand-in for the tslab kernel's displays: replaces tslab's `newDisplay` (required lazily by
 * src/util/notebook) with one that records every bundle each display is sent, for the length
 * of `body`.
 */
export function withStandInDisplays<T>(body: (displays: unknown[][]) => Promise<T>): Promise<T> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tslab = require("tslab") as { newDisplay: unknown };
  const original = tslab.newDisplay;
  const displays: unknown[][] = [];
  tslab.newDisplay = () => {
    const sent: unknown[] = [];
    displays.push(sent);
    return { bundle: (data: unknown) => void sent.push(data) };
  };
  return body(displays).finally(() => {
    tslab.newDisplay = original;
  });
}

type Curve = { legendgroup?: string; x: number[]; xaxis: string; line?: { dash?: string } };

/**
 * What a drawing of training curves (a bundle sent to a live chart's output) shows: each run's
 * legend group with the epochs of its training loss curve, e.g. "dense-128 (train) 1,2" for a
 * single run's chart and "dense-128 1,2" for a comparison's; ["(waiting)"] for the line shown
 * before the first epoch.
 */
export function runsDrawn(bundle: unknown): string[] {
  const fig = (bundle as Record<string, unknown>)[PLOTLY_MIME] as { data: Curve[] } | undefined;
  if (!fig) return ["(waiting)"];
  return fig.data.filter((t) => t.xaxis === "x" && t.line?.dash === "solid").map((t) => `${t.legendgroup} ${t.x.join(",")}`);
}
