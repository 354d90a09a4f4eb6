/**
 * Charts in the live classic Jupyter notebook (the Jupyter installed here): starts a
 * notebook server on a copy of the fixture, runs all cells in headless Chromium, then
 * re-runs a chart cell and the setup cell and checks every chart is still drawn.
 * The copy lives under test-output/ (git-ignored) at the fixture's depth, so its
 * "../../../src" imports resolve the same way.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "display", "charts.ipynb");
const OUT = path.join(ROOT, "test-output");

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let page: Page;
let workDir: string;
let jupyterHome: string;
const errors: string[] = [];
const foreignRequests: string[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

async function waitForServer(url: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch { /* not up yet */ }
    if (Date.now() > end) throw new Error(`notebook server did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

before(async () => {
  workDir = path.join(OUT, `live-${process.pid}`, "charts");
  fs.mkdirSync(workDir, { recursive: true });
  fs.copyFileSync(FIXTURE, path.join(workDir, "charts.ipynb"));
  jupyterHome = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-jupyter-"));
  const port = await freePort();
  const token = "digit-lab-test";
  // Through bin/notebook.js: the same path as `npm start`.
  server = spawn(process.execPath, [
    path.join(ROOT, "bin", "notebook.js"), "--no-browser", `--port=${port}`, `--NotebookApp.token=${token}`,
    `--NotebookApp.notebook_dir=${ROOT}`, "--NotebookApp.open_browser=False",
  ], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "pipe"],
    env: {
      ...process.env,
      JUPYTER_CONFIG_DIR: path.join(jupyterHome, "config"),
      JUPYTER_RUNTIME_DIR: path.join(jupyterHome, "runtime"),
      JUPYTER_DATA_DIR: path.join(jupyterHome, "data"),
    },
  });
  let log = "";
  server.stderr!.on("data", (d) => { log += String(d); });
  await waitForServer(`http://127.0.0.1:${port}/api/status?token=${token}`, 30000).catch((e) => { throw new Error(`${e.message}\n${log}`); });
  browser = await launchChromium();
  // Tall enough to see every output: the notebook scrolls inside #site, not the page.
  page = await browser.newPage({ viewport: { width: 1100, height: 2400 } });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["127.0.0.1", "localhost"].includes(u.hostname) && !["data:", "blob:", "file:"].includes(u.protocol)) foreignRequests.push(r.url());
  });
  const rel = path.relative(ROOT, path.join(workDir, "charts.ipynb")).split(path.sep).join("/");
  await page.goto(`http://127.0.0.1:${port}/notebooks/${rel}?token=${token}`);
  await page.waitForFunction(() => {
    const J = (window as any).Jupyter;
    return J && J.notebook && J.notebook.kernel && J.notebook.kernel.is_connected();
  }, undefined, { timeout: 60000 });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGTERM");
    await new Promise((r) => { server!.once("exit", r); setTimeout(r, 5000); });
  }
  if (workDir) fs.rmSync(path.dirname(workDir), { recursive: true, force: true });
  if (jupyterHome) fs.rmSync(jupyterHome, { recursive: true, force: true });
});

/** Ids of drawn charts, in page order. */
const drawnCharts = () => page.evaluate(() =>
  Array.from(document.querySelectorAll(".digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).map((el) => el.id));

async function waitDrawn(n: number, timeoutMs: number): Promise<string[]> {
  await page.waitForFunction((k) =>
    Array.from(document.querySelectorAll(".digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).length >= k,
  n, { timeout: timeoutMs }).catch(() => undefined);
  return drawnCharts();
}

/** Runs cell `index` and waits until the kernel is idle again. */
async function runCell(index: number): Promise<void> {
  await page.evaluate((i) => (window as any).Jupyter.notebook.get_cell(i).execute(), index);
  await page.waitForFunction(() =>
    (window as any).Jupyter.notebook.get_cells().every((c: any) => c.cell_type !== "code" || c.input_prompt_number !== "*"),
  undefined, { timeout: 120000 });
}

const cellIndex = (pattern: string) => page.evaluate((p) =>
  (window as any).Jupyter.notebook.get_cells().findIndex((c: any) => new RegExp(p).test(c.get_text())), pattern);

test("classic notebook: run all draws every chart; re-running a chart or the setup cell keeps them all", async () => {
  const count = await page.evaluate(() => (window as any).Jupyter.notebook.ncells());
  for (let i = 0; i < count; i++) await runCell(i);
  const first = await waitDrawn(4, 30000);
  await page.screenshot({ path: path.join(OUT, "notebook-live.png"), fullPage: true });
  assert.equal(first.length, 4, "four charts drawn after running all cells (one of them live-updated)");
  const noErrors = await page.evaluate(() => document.querySelectorAll(".output_error").length);
  assert.equal(noErrors, 0);

  // Re-run the curves cell: it gets a new chart, the others keep theirs.
  const curves = await cellIndex("show\\(trainingCurves");
  await runCell(curves);
  const second = await waitDrawn(4, 30000);
  assert.equal(second.length, 4);
  assert.notEqual(second[0], first[0], "the re-run cell drew a fresh chart");
  assert.deepEqual(second.slice(1), first.slice(1), "the other charts are untouched");

  // Re-run the setup cell: harmless.
  await runCell(await cellIndex("setupNotebook\\(\\)"));
  await runCell(await cellIndex("show\\(confusionMatrix"));
  const third = await waitDrawn(4, 30000);
  assert.equal(third.length, 4);
  assert.equal(await page.getByText("Training curves: live after 3 epochs").count(), 1, "the live chart shows its last update");
  assert.equal(await page.getByText("Run the setup cell").count(), 0);
  await page.screenshot({ path: path.join(OUT, "notebook-live-rerun.png"), fullPage: true });
  assert.deepEqual(errors, []);
  assert.deepEqual(foreignRequests, [], "nothing fetched from the internet");
});

test("classic notebook: a failing cell shows a red error output (ename: evalue), not a stderr dump", async () => {
  // show() with a wrong argument throws a digit-lab UsageError; a compile error is a TSError.
  const failing = ['show({ nonsense: true } as any);', 'const n: number = "five";'];
  for (const source of failing) {
    await page.evaluate((text) => (window as any).Jupyter.notebook.insert_cell_at_bottom("code").set_text(text), source);
    await runCell((await page.evaluate(() => (window as any).Jupyter.notebook.ncells())) - 1);
    await page.waitForTimeout(400); // tslab drops requests for 200 ms after an error
  }
  const shown = await page.evaluate(() => {
    const cells = (window as any).Jupyter.notebook.get_cells();
    return cells.slice(-2).map((c: any) => ({
      error: c.output_area.element[0].querySelector(".output_error")?.textContent ?? null,
      stderr: c.output_area.element[0].querySelectorAll(".output_stderr").length,
      ename: c.output_area.outputs[0]?.ename ?? null,
    }));
  });
  await page.evaluate(() => (window as any).Jupyter.notebook.scroll_to_bottom());
  await page.screenshot({ path: path.join(OUT, "notebook-live-errors.png") });
  assert.equal(shown[0].ename, "UsageError");
  assert.match(shown[0].error ?? "", /^UsageError: show\(\) takes a figure/);
  assert.equal(shown[1].ename, "TSError");
  assert.match(shown[1].error ?? "", /1:7 - Type 'string' is not assignable to type 'number'\.\s*1 \| const n: number = "five";/);
  assert.deepEqual(shown.map((s: { stderr: number }) => s.stderr), [0, 0], "no stderr output beside the error");
});
