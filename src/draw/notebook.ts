/**
 * The drawing pad inside a notebook: starts the pad's server (127.0.0.1 only) from the
 * kernel and shows the page in an iframe below the cell. Works when the browser runs
 * on the same machine as the kernel (the usual local Jupyter); elsewhere open the
 * printed URL on that machine, or use `digit-lab draw`.
 *
 *   const pad = await showDrawPad([modelDir]);   // …draw…
 *   await pad.close();                            // stop serving
 *
 * Running the cell again stops the pad the previous run started, so re-running does
 * not pile up servers.
 */
import { displayBundle } from "../display";
import type { NotebookOutput } from "../util/notebook";
import { startDrawServer, type DrawServer } from "./server";

// Kept on globalThis (not a module variable) so it survives the module being loaded again.
const OPEN_PADS = Symbol.for("digit-lab.showDrawPad.servers");
type PadRegistry = { [OPEN_PADS]?: DrawServer[] };

export async function showDrawPad(
  modelDirs: string[],
  options: { height?: number; port?: number; /** Where to show it (default: the running cell). */ output?: NotebookOutput } = {},
): Promise<DrawServer> {
  const registry = globalThis as PadRegistry;
  const earlier = registry[OPEN_PADS] ?? [];
  registry[OPEN_PADS] = [];
  await Promise.all(earlier.map((s) => s.close().catch(() => undefined)));
  const server = await startDrawServer({ modelDirs, port: options.port });
  try {
    displayBundle({
      "text/html": drawPadHtml(server.url, { modelCount: server.models.length, height: options.height }),
      "text/plain": `digit-lab drawing pad: ${server.url}`,
    }, options.output);
  } catch (err) {
    await server.close(); // nothing shows it (not in a notebook): don't leave it listening
    throw err;
  }
  registry[OPEN_PADS]!.push(server);
  return server;
}

/**
 * The cell output: the pad in an iframe, first sized for its number of models (cards
 * stacked beside or under a 336-px pad), then fitted to the page's real height, which
 * the pad reports with postMessage (when the notebook runs output scripts).
 */
export function drawPadHtml(url: string, options: { modelCount?: number; height?: number } = {}): string {
  const height = options.height ?? Math.max(580, 120 + 290 * (options.modelCount ?? 1));
  const id = `digit-lab-pad-${Math.random().toString(36).slice(2, 10)}`;
  const fit = options.height === undefined
    ? `<script>(function(){var f=document.getElementById(${JSON.stringify(id)});if(!f)return;` +
      `window.addEventListener("message",function(e){var d=e.data;` +
      `if(e.source===f.contentWindow&&d&&typeof d.digitLabPadHeight==="number")f.style.height=Math.ceil(d.digitLabPadHeight+4)+"px";});})();</script>`
    : "";
  return `<iframe id="${id}" src="${url}" title="digit-lab drawing pad" style="width:100%;max-width:960px;height:${height}px;border:1px solid #ccc;border-radius:6px"></iframe>`
    + fit
    + `<div style="font-size:12px;color:#555">Drawing pad served at <a href="${url}" target="_blank">${url}</a> (this machine only); call <code>close()</code> on the returned server to stop it (running the cell again stops it too).</div>`;
}
