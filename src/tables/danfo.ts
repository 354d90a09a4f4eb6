/**
 * danfojs-node, loaded on first use: importing it takes about a second (it brings its
 * own copy of the tfjs API), which notebooks and CLI commands that never build a
 * table should not pay. Checked: importing it prints nothing and leaves the tfjs
 * backend chosen by src/backend alone (its "@tensorflow/tfjs-node" is pure tfjs
 * sharing the one tfjs-core engine).
 */
import * as util from "node:util";
import type { DataFrame } from "danfojs-node";
import { formatTable, type TableLike } from "./format";

export type { DataFrame };

type Danfo = typeof import("danfojs-node");

let cached: Danfo | undefined;

export function danfo(): Danfo {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  if (!cached) {
    cached = require("danfojs-node") as Danfo;
    printAsTables(cached);
  }
  return cached;
}

/** Rows a printed DataFrame shows before it elides the middle (pandas shows 60). */
export const INSPECT_MAX_ROWS = 40;

/**
 * Makes DataFrames and Series print as aligned tables wherever Node inspects them: a tslab
 * cell's last value (tslab console.logs it) and console.log. By default they print danfo's
 * internals ($data, $config, …). Frames derived by loc, sortValues & co. are danfojs-base
 * classes, the parents of danfojs-node's, so every class up the chain gets it.
 */
function printAsTables(dfd: Danfo): void {
  for (const cls of [dfd.DataFrame, dfd.Series]) {
    for (let proto = cls.prototype; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      Object.defineProperty(proto, util.inspect.custom, { value: inspectTable, configurable: true, writable: true });
    }
  }
}

function inspectTable(this: TableLike): string {
  try {
    return tableText(this);
  } catch (err) {
    return `[table that cannot be printed: ${(err as Error).message}]`;
  }
}

/** A table as printed text: all rows up to INSPECT_MAX_ROWS, else the first and last half with "…" between. */
export function tableText(df: TableLike): string {
  const values = df.values as unknown[];
  if (values.length <= INSPECT_MAX_ROWS) return formatTable(df);
  const half = INSPECT_MAX_ROWS / 2;
  const pick = <T>(a: T[]) => [...a.slice(0, half), ...a.slice(a.length - half)];
  const lines = formatTable({ columns: df.columns, values: pick(values), index: pick(df.index) }, { showIndex: true }).split("\n");
  lines.splice(2 + half, 0, "…");
  return `${lines.join("\n")}\n\n[${values.length} rows × ${df.columns.length} columns]`;
}

/** A DataFrame from column arrays, with an optional index (row labels). */
export function frame(columns: Record<string, unknown[]>, index?: (string | number)[]): DataFrame {
  const names = Object.keys(columns);
  const rows = names.length ? columns[names[0]].length : 0;
  const data = Array.from({ length: rows }, (_, r) => names.map((n) => columns[n][r]));
  const dfd = danfo();
  return new dfd.DataFrame(data, { columns: names, index: index ?? Array.from({ length: rows }, (_, i) => i) });
}
