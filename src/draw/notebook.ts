/**
 * The drawing pad inside a notebook: starts the pad's server (127.0.0.1 only) from the
 * kernel and shows the page in an iframe below the cell. Works when the browser runs
 * on the same machine as the kernel (the usual local Jupyter); elsewhere open the
 * printed URL on that machine, or use `digit-lab draw`.
 *
 *   const pad = await showDrawPad(modelDir);     // …draw… (or [dirA, dirB] to compare)
 *   await pad.close();                            // stop serving
 *
 * Running the cell again stops the pad the previous run started, so re-running does
 * not pile up servers.
 */
import { displayBundle } from "../display";
import type { NotebookOutput } from "../util/notebook";
import { ALIVE_PATH, startDrawServer, type DrawServer } from "./server";

// Kept on globalThis (not a module variable) so it survives the module being loaded again.
const OPEN_PADS = Symbol.for("digit-lab.showDrawPad.servers");
type PadRegistry = { [OPEN_PADS]?: DrawServer[] };

export async function showDrawPad(
  /** One saved model's folder, or several to compare side by side. */
  modelDirs: string | string[],
  options: { height?: number; port?: number; /** Where to show it (default: the running cell). */ output?: NotebookOutput } = {},
): Promise<DrawServer> {
  const registry = globalThis as PadRegistry;
  const earlier = registry[OPEN_PADS] ?? [];
  registry[OPEN_PADS] = [];
  await Promise.all(earlier.map((s) => s.close().catch(() => undefined)));
  const server = await startDrawServer({ modelDirs: typeof modelDirs === "string" ? [modelDirs] : modelDirs, port: options.port });
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
 *
 * The server lives in the kernel, so it is gone after a kernel restart or `close()`; an
 * iframe loaded after that (the notebook reopened or reloaded) would show only the
 * browser's "refused to connect". So the output checks that the server answers, when it
 * is shown and whenever the iframe loads, and otherwise puts a note saying why and what
 * to do in the iframe's place. (A pad already loaded keeps working: its models run in the page.)
 */
export function drawPadHtml(url: string, options: { modelCount?: number; height?: number } = {}): string {
  const height = options.height ?? Math.max(580, 120 + 290 * (options.modelCount ?? 1));
  const id = `digit-lab-pad-${Math.random().toString(36).slice(2, 10)}`;
  const fit = options.height === undefined
    ? `window.addEventListener("message",function(e){var d=e.data;` +
      `if(e.source===f.contentWindow&&d&&typeof d.digitLabPadHeight==="number")f.style.height=Math.ceil(d.digitLabPadHeight+4)+"px";});`
    : "";
  const gone = `<b>The drawing pad's server at ${url} is not answering.</b> It runs in the kernel, so it stops when the kernel `
    + "restarts or shuts down, or when <code>close()</code> is called on it: run this cell again for a new pad. "
    + "(If Jupyter runs on another machine or in a container, this browser cannot reach the pad: run "
    + "<code>npx digit-lab draw</code> and open it on that machine.)";
  // A readable (CORS) answer from a route of its own: a no-cors fetch of the pad's HTML page is an
  // opaque response the browser blocks (ORB), a failed request in the console that some browsers
  // may turn into an error, i.e. a live pad reported gone.
  const alive = url.replace(/\/$/, "") + ALIVE_PATH;
  const watch = `function probe(){fetch(${JSON.stringify(alive)},{cache:"no-store"}).then(function(r){if(!r.ok)throw r;}).catch(function(){` +
    `if(!f.parentNode)return;var n=document.createElement("div");n.className="digit-lab-pad-gone";` +
    `n.setAttribute("style","padding:10px 12px;border:1px solid #e0b4b4;border-radius:6px;background:#fff6f6;color:#7a1f1f;font:13px sans-serif;max-width:940px");` +
    `n.innerHTML=${JSON.stringify(gone)};f.parentNode.replaceChild(n,f);});}probe();f.addEventListener("load",probe);`;
  return `<iframe id="${id}" src="${url}" title="digit-lab drawing pad" style="width:100%;max-width:960px;height:${height}px;border:1px solid #ccc;border-radius:6px"></iframe>`
    + `<script>(function(){var f=document.getElementById(${JSON.stringify(id)});if(!f)return;${fit}${watch}})();</script>`
    + `<div style="font-size:12px;color:#555">Drawing pad served at <a href="${url}" target="_blank">${url}</a> (this machine only, while the kernel that started it runs); call <code>close()</code> on the returned server to stop it (running the cell again stops it too).</div>`;
}
