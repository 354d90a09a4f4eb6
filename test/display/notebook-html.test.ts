/**
 * Charts in a real notebook: executes test/fixtures/display/charts.ipynb with the
 * digit-lab tslab kernel, exports it with nbconvert and opens the page in headless
 * Chromium with the network cut off. Screenshots go to test-output/ for people to look at.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { chartHtml, PLOTLY_MIME } from "../../src/display";
import { trainingCurves } from "../../src/plots";
import { openOffline, waitForCharts } from "./browser";

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(ROOT, "test", "fixtures", "display", "charts.ipynb");
const OUT = path.join(ROOT, "test-output");
const MB = 1024 * 1024;

interface Output { output_type: string; data?: Record<string, unknown>; text?: string | string[]; ename?: string; evalue?: string }
interface Cell { cell_type: string; source: string | string[]; outputs?: Output[]; id?: string }
interface Notebook { cells: Cell[]; [k: string]: unknown }

const joined = (v: unknown) => (Array.isArray(v) ? v.join("") : String(v ?? ""));
const sourceOf = (c: Cell) => joined(c.source);

let tmp: string;
let executedFile: string;
let executed: Notebook;

function nbconvert(args: string[]): void {
  const r = spawnSync("/usr/bin/python3", ["-m", "nbconvert", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, JUPYTER_PATH: path.join(ROOT, "jupyter") },
    timeout: 240_000,
  });
  assert.equal(r.status, 0, `nbconvert ${args.join(" ")} failed:\n${r.stderr}`);
}

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-display-"));
  fs.mkdirSync(OUT, { recursive: true });
  // The kernel runs in the fixture's folder (so "../../../src" resolves); the result goes to tmp.
  nbconvert(["--to", "notebook", "--execute", FIXTURE, "--output-dir", tmp, "--output", "charts.executed.ipynb",
    "--ExecutePreprocessor.timeout=180"]);
  executedFile = path.join(tmp, "charts.executed.ipynb");
  executed = JSON.parse(fs.readFileSync(executedFile, "utf8"));
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const chartCells = () => executed.cells.filter((c) => c.cell_type === "code" && /(show|showLive)\(/.test(sourceOf(c)) && !/showTable|setupNotebook/.test(sourceOf(c)));

test("the executed notebook ran cleanly, holds plotly once and stays small", () => {
  const size = fs.statSync(executedFile).size;
  assert.ok(size < 6 * MB, `executed notebook is ${(size / MB).toFixed(2)} MB`);
  assert.ok(size < 2 * MB, `cartesian bundle keeps it near 1.5 MB, got ${(size / MB).toFixed(2)} MB`);
  for (const c of executed.cells) {
    for (const o of c.outputs ?? []) {
      assert.notEqual(o.output_type, "error", `cell ${c.id}: ${o.ename}: ${o.evalue}`);
      if (o.output_type === "stream") assert.doesNotMatch(joined(o.text), /error|warn|Hi there/i, `cell ${c.id} printed ${joined(o.text)}`);
    }
  }
  const text = fs.readFileSync(executedFile, "utf8");
  assert.equal(text.split("window.Plotly = Plotly").length - 1, 1, "the plotly bundle is embedded exactly once");
  const setup = executed.cells.find((c) => /setupNotebook\(\)/.test(sourceOf(c)))!;
  assert.match(joined(setup.outputs![0].data!["text/html"]), /plotly\.js \(cartesian - minified\) v3\.7\.0/);
});

test("each chart output is self-contained apart from the shared bundle", () => {
  const cells = chartCells();
  assert.equal(cells.length, 4);
  const ids = new Set<string>();
  for (const c of cells) {
    assert.equal(c.outputs!.length, 1, `cell ${c.id} has one output`);
    const data = c.outputs![0].data!;
    assert.deepEqual(Object.keys(data).sort(), [PLOTLY_MIME, "text/html", "text/plain"].sort(), "one multi-MIME display");
    const html = joined(data["text/html"]);
    const id = /<div id="([^"]+)" class="digit-lab-chart"/.exec(html)![1];
    assert.ok(!ids.has(id), "unique element ids");
    ids.add(id);
    // Only its own element, its own figure, and window.Plotly from outside.
    assert.deepEqual([...new Set([...html.matchAll(/getElementById\((\w+)\)/g)].map((m) => m[1]))].sort(), ["id"]);
    assert.ok(!/src=|require\(|https?:\/\//.test(html), "loads nothing and needs no module loader");
    assert.ok(html.length < 50_000, `chart HTML is ${html.length} bytes (figure JSON only)`);
    const fig = data[PLOTLY_MIME] as { data: { type: string }[]; layout: { title: { text: string } } };
    assert.ok(fig.data.length > 0 && fig.layout.title.text.length > 0);
  }
});

test("showLive: later updates replace the one output in place", () => {
  const live = executed.cells.find((c) => /showLive\(\)/.test(sourceOf(c)))!;
  assert.equal(live.outputs!.length, 1, "three updates, one output");
  const fig = live.outputs![0].data![PLOTLY_MIME] as { layout: { title: { text: string } } };
  assert.equal(fig.layout.title.text, "Training curves: live after 3 epochs");
});

test("showTable takes an array of records, and a DataFrame as a cell's last value prints as a table", () => {
  const records = executed.cells.find((c) => c.id === "cell-records")!;
  assert.equal(records.outputs!.length, 1);
  assert.equal(joined(records.outputs![0].data!["text/plain"]), ["model      accuracy", "---------  --------", "dense-128    0.9774", "cnn          0.9910"].join("\n"));
  const value = executed.cells.find((c) => c.id === "cell-frame-value")!;
  const printed = value.outputs!.map((o) => joined(o.text ?? o.data?.["text/plain"])).join("");
  assert.equal(printed.trimEnd(), ["epoch    loss", "-----  ------", "    1  1.0000", "    2  0.5000", "    3  0.3333", "    4  0.2500", "    5  0.2000"].join("\n"));
});

test("nbconvert's HTML draws every chart offline in Chromium", async () => {
  nbconvert(["--to", "html", executedFile, "--output-dir", tmp, "--output", "charts"]);
  const htmlFile = path.join(tmp, "charts.html");
  const { browser, page, errors, requests } = await openOffline(htmlFile);
  try {
    const drawn = await waitForCharts(page, 4);
    await page.screenshot({ path: path.join(OUT, "notebook-charts.png"), fullPage: true });
    assert.equal(await page.locator(".digit-lab-chart").count(), 4);
    assert.equal(drawn, 4, "every chart has a rendered .main-svg");
    assert.equal(await page.locator(".digit-lab-chart .js-plotly-plot, .digit-lab-chart.js-plotly-plot").count(), 4);
    // Each chart drew its own figure: the grid has three image subplots, the curves two.
    assert.equal(await page.locator(".digit-lab-chart .heatmaplayer image, .digit-lab-chart .hm image").count() >= 4, true);
    assert.match(await page.locator(".digit-lab-setup").innerText(), /charts ready: plotly\.js 3\.7\.0/);
    assert.match(await page.locator("table.digit-lab-table").first().innerText(), /val_accuracy/);
    assert.match(await page.locator("table.digit-lab-table").nth(1).innerText(), /dense-128\s+0\.9774\s+cnn\s+0\.9910/);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), [], "no network requests");
  } finally {
    await browser.close();
  }
});

test("on a phone, nbconvert's HTML draws a fixed-width chart with its narrow layout", async () => {
  // nbconvert puts outputs in table cells, which grow with a fixed-width chart: the chart's
  // box alone would never look narrow there, so the confusion matrix kept its wide margins.
  const htmlFile = path.join(tmp, "charts.html");
  if (!fs.existsSync(htmlFile)) nbconvert(["--to", "html", executedFile, "--output-dir", tmp, "--output", "charts"]);
  const matrixCell = executed.cells.find((c) => /show\(confusionMatrix/.test(sourceOf(c)))!;
  const fig = matrixCell.outputs![0].data![PLOTLY_MIME] as { layout: { width: number; margin?: { l: number }; meta: { digitLabNarrow: { below: number; layout: { margin: { l: number } } } } } };
  const narrow = fig.layout.meta.digitLabNarrow;
  const wideMargin = fig.layout.margin?.l ?? 80; // Plotly's default
  assert.notEqual(narrow.layout.margin.l, wideMargin, "the narrow layout changes the margins");
  const marginsAt = async (width: number) => {
    const { browser, page, errors } = await openOffline(htmlFile, { width, height: 900 });
    try {
      assert.equal(await waitForCharts(page, 4), 4);
      await page.waitForFunction(() => !document.querySelector("[data-digit-lab-resizing]"), undefined, { timeout: 5000 }).catch(() => undefined);
      if (width < 500) await page.screenshot({ path: path.join(OUT, `notebook-charts-${width}.png`), fullPage: true });
      assert.deepEqual(errors, []);
      return await page.evaluate(() => {
        const el = Array.from(document.querySelectorAll(".digit-lab-chart")).find((c: any) => c._fullData?.[0]?.type === "heatmap" && c._fullData[0].z.length === 3) as any;
        return { left: el._fullLayout.margin.l as number };
      });
    } finally {
      await browser.close();
    }
  };
  const phone = await marginsAt(390);
  assert.equal(phone.left, narrow.layout.margin.l, "narrow margins on a 390 px screen");
  assert.equal((await marginsAt(1100)).left, wideMargin, "wide margins on a wide screen");
});

test("re-run cells: a fresh chart output and a chart above the setup cell both draw, the others stay", async () => {
  // Simulates the states a notebook reaches when cells are re-run out of order: the
  // curves cell re-executed (a new output with a new id) and a chart cell that sits,
  // and ran, before the setup cell.
  const nb: Notebook = JSON.parse(JSON.stringify(executed));
  const curves = nb.cells.find((c) => /show\(trainingCurves/.test(sourceOf(c)))!;
  const rerun = trainingCurves({ name: "re-run", history: [{ epoch: 1, loss: 1, accuracy: 0.5, seconds: 1 }, { epoch: 2, loss: 0.5, accuracy: 0.8, seconds: 1 }] });
  const display = (label: string) => ({ output_type: "display_data", metadata: {}, data: { "text/html": chartHtml(rerun), "text/plain": label } });
  curves.outputs = [display("re-run")];
  const early = { cell_type: "code", source: "show(early)", id: "early", metadata: {}, execution_count: null, outputs: [display("early")] };
  nb.cells.splice(1, 0, early);
  const variant = path.join(tmp, "charts.rerun.ipynb");
  fs.writeFileSync(variant, JSON.stringify(nb));
  nbconvert(["--to", "html", variant, "--output-dir", tmp, "--output", "charts.rerun"]);
  const { browser, page, errors, requests } = await openOffline(path.join(tmp, "charts.rerun.html"));
  try {
    const drawn = await waitForCharts(page, 5);
    await page.screenshot({ path: path.join(OUT, "notebook-charts-rerun.png"), fullPage: true });
    assert.equal(drawn, 5);
    assert.equal(await page.getByText("Run the setup cell").count(), 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), []);
  } finally {
    await browser.close();
  }
});

test("without the setup cell's output a chart says how to fix it instead of failing", async () => {
  const nb: Notebook = JSON.parse(JSON.stringify(executed));
  nb.cells.find((c) => /setupNotebook\(\)/.test(sourceOf(c)))!.outputs = [];
  const variant = path.join(tmp, "charts.nosetup.ipynb");
  fs.writeFileSync(variant, JSON.stringify(nb));
  nbconvert(["--to", "html", variant, "--output-dir", tmp, "--output", "charts.nosetup"]);
  const { browser, page, errors } = await openOffline(path.join(tmp, "charts.nosetup.html"));
  try {
    // Each chart gives up waiting for plotly on its own timer: wait until all four have said so.
    await page
      .waitForFunction(() => document.body.innerText.split("Run the setup cell").length - 1 >= 4, undefined, { timeout: 20000 })
      .catch(() => undefined);
    assert.equal(await page.getByText("Run the setup cell").count(), 4);
    assert.equal(await waitForCharts(page, 1, 500), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
