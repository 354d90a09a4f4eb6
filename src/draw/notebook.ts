/**
 * The drawing pad inside a notebook: starts the pad's server (127.0.0.1 only) from the
 * kernel and shows the page in an iframe below the cell. Works when the browser runs
 * on the same machine as the kernel (the usual local Jupyter); elsewhere open the
 * printed URL on that machine, or use `digit-lab draw`.
 *
 *   const pad = await showDrawPad([modelDir]);   // …draw…
 *   await pad.close();                            // stop serving
 */
import { displayBundle } from "../display";
import { startDrawServer, type DrawServer } from "./server";

export async function showDrawPad(modelDirs: string[], options: { height?: number; port?: number } = {}): Promise<DrawServer> {
  const server = await startDrawServer({ modelDirs, port: options.port });
  const height = options.height ?? 560;
  displayBundle({
    "text/html": `<iframe src="${server.url}" title="digit-lab drawing pad" style="width:100%;max-width:960px;height:${height}px;border:1px solid #ccc;border-radius:6px"></iframe>`
      + `<div style="font-size:12px;color:#555">Drawing pad served at <a href="${server.url}" target="_blank">${server.url}</a> (this machine only); call <code>close()</code> on the returned server to stop it.</div>`,
    "text/plain": `digit-lab drawing pad: ${server.url}`,
  });
  return server;
}
