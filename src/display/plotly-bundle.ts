/**
 * Finds plotly.js on disk for offline charts. Prefers the minified "cartesian" bundle
 * (1.4 MB: bar, scatter, heatmap, histogram, image — all the builders use), so a saved
 * notebook that embeds it once stays far below the 6 MB budget; the full plotly.js-dist
 * (11 MB unminified) is only a fallback.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface PlotlyBundle {
  /** The JavaScript source; defines `window.Plotly` when run in a page. */
  source: string;
  version: string;
  file: string;
}

const CANDIDATES: [pkg: string, file: string][] = [
  ["plotly.js-cartesian-dist-min", "plotly-cartesian.min.js"],
  ["plotly.js-dist-min", "plotly.min.js"],
  ["plotly.js-dist", "plotly.js"],
];

let cached: PlotlyBundle | undefined;

/** node_modules folders from `start` up to the filesystem root, like Node's lookup. */
function nodeModulesDirs(start: string): string[] {
  const dirs: string[] = [];
  let dir = path.resolve(start);
  for (;;) {
    dirs.push(path.join(dir, "node_modules"));
    const parent = path.dirname(dir);
    if (parent === dir) return dirs;
    dir = parent;
  }
}

export function findPlotlyBundle(): string {
  const starts = [__dirname, process.cwd()];
  for (const [pkg, file] of CANDIDATES) {
    for (const start of starts) {
      for (const nm of nodeModulesDirs(start)) {
        const candidate = path.join(nm, pkg, file);
        if (fs.existsSync(candidate)) return candidate;
      }
    }
  }
  throw new Error(
    `plotly.js not found: install plotly.js-cartesian-dist-min (npm install) in the project; looked from ${starts.join(" and ")}`,
  );
}

/** Reads the bundle once per process. */
export function loadPlotlyBundle(): PlotlyBundle {
  if (cached) return cached;
  const file = findPlotlyBundle();
  const source = fs.readFileSync(file, "utf8");
  const version = /plotly\.js[^\n]*?v(\d+\.\d+\.\d+)/.exec(source.slice(0, 400))?.[1] ?? "unknown";
  cached = { source, version, file };
  return cached;
}
