/**
 * danfojs-node, loaded on first use: importing it takes about a second (it brings its
 * own copy of the tfjs API), which notebooks and CLI commands that never build a
 * table should not pay. Checked: importing it prints nothing and leaves the tfjs
 * backend chosen by src/backend alone (its "@tensorflow/tfjs-node" is pure tfjs
 * sharing the one tfjs-core engine).
 */
import type { DataFrame } from "danfojs-node";

export type { DataFrame };

type Danfo = typeof import("danfojs-node");

let cached: Danfo | undefined;

export function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (!cached) cached = require("danfojs-node") as Danfo;
  return cached;
}

/** A DataFrame from column arrays, with an optional index (row labels). */
export function frame(columns: Record<string, unknown[]>, index?: (string | number)[]): DataFrame {
  const names = Object.keys(columns);
  const rows = names.length ? columns[names[0]].length : 0;
  const data = Array.from({ length: rows }, (_, r) => names.map((n) => columns[n][r]));
  const dfd = danfo();
  return new dfd.DataFrame(data, { columns: names, index: index ?? Array.from({ length: rows }, (_, i) => i) });
}
