/**
 * The notebook's drawing pad (showDrawPad): the cell output it sends, rendered in a real
 * Chromium at a Jupyter cell's width, must show every model's predictions inside the
 * iframe; and running the cell again must stop the server the previous run started.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { showDrawPad } from "../../src/draw/notebook";
import type { DrawServer } from "../../src/draw/server";
import type { MimeBundle } from "../../src/util/notebook";
import { trainedModelDir } from "../predict/trained-model";
import { ONE, drawOnPad } from "../helpers/pad";
import { copySavedModel } from "../helpers/model-copies";

let browser: Browser;
let modelDir: string;
let copyDir: string;
const servers: DrawServer[] = [];

before(async () => {
  modelDir = await trainedModelDir();
  copyDir = copySavedModel(modelDir, fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-nb-pad-")));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  for (const s of servers) await s.close();
  if (copyDir) fs.rmSync(copyDir, { recursive: true, force: true });
});

/** showDrawPad with its output captured instead of sent to a notebook cell. */
async function showCaptured(dirs: string | string[]): Promise<{ server: DrawServer; html: string }> {
  const sent: MimeBundle[] = [];
  const server = await showDrawPad(dirs, { output: { send: (b) => sent.push(b) } });
  servers.push(server);
  assert.equal(sent.length, 1);
  return { server, html: String(sent[0]["text/html"]) };
}

function answers(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    http.get(url, (res) => { res.resume(); resolve(true); }).on("error", () => resolve(false));
  });
}

test("with two models, the predictions are visible inside the notebook's iframe (760-px cell)", async () => {
  const { html } = await showCaptured([modelDir, copyDir]);
  const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
  const failed: string[] = [];
  page.on("requestfailed", (r) => failed.push(`${r.url()}: ${r.failure()?.errorText}`));
  try {
    // A Jupyter output area: 760 px wide, the output's HTML (iframe + sizing script) as sent.
    await page.setContent(`<!doctype html><body style="margin:0;padding:20px;width:760px;font-family:sans-serif">${html}</body>`);
    const frame = page.frames()[1];
    await frame.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
    const pad = (await frame.locator("#pad").boundingBox())!;
    await drawOnPad(page, frame.locator("#pad"), ONE);
    await frame.waitForSelector("body[data-state=predicted]", { timeout: 30_000 });
    await page.waitForTimeout(300); // the frame's height message
    const iframe = (await page.locator("iframe").boundingBox())!;
    const cards = frame.locator("#models .model");
    assert.equal(await cards.count(), 2);
    for (let i = 0; i < 2; i++) {
      const card = (await cards.nth(i).boundingBox())!; // page coordinates (the frame is not scrolled)
      assert.ok(card.y + card.height <= iframe.y + iframe.height, `card ${i} ends at ${card.y + card.height}, below the iframe's bottom ${iframe.y + iframe.height}`);
      assert.ok(card.x + card.width <= iframe.x + iframe.width, `card ${i} is cut off on the right`);
    }
    // The status line does not widen the pad's column (which pushed the cards under the pad).
    const column = (await frame.locator(".pad-column").boundingBox())!;
    assert.ok(column.width <= pad.width + 8, `pad column ${column.width} px wide for a ${pad.width}-px pad`);
    assert.equal(await page.locator(".digit-lab-pad-gone").count(), 0, "a live pad is not reported gone");
    // The check that the server runs reads an answer: no request blocked (a no-cors fetch of the page was, by ORB).
    assert.deepEqual(failed, []);
    const scrolls = await frame.evaluate(() => document.documentElement.scrollHeight > window.innerHeight + 1);
    assert.equal(scrolls, false, "the iframe's page does not need scrolling");
  } finally {
    await page.close();
  }
});

test("one model's folder can be given as it is, not only in a list", async () => {
  const { server, html } = await showCaptured(modelDir);
  assert.equal(server.models.length, 1);
  assert.ok(html.includes(server.url));
});

test("running showDrawPad again stops the server the previous run started", async () => {
  const first = await showCaptured([modelDir]);
  assert.equal(await answers(first.server.url), true);
  const second = await showCaptured([modelDir]);
  assert.equal(await answers(first.server.url), false, "the first pad's server still answers");
  assert.equal(await answers(second.server.url), true);
});

test("a pad whose server has stopped (kernel restarted, close()) says so and what to do, in place of the iframe", async () => {
  const { server, html } = await showCaptured([modelDir]);
  await server.close(); // as a kernel restart does
  const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
  try {
    // The notebook reopened: its saved output, scripts and all, shown again.
    await page.setContent(`<!doctype html><body style="margin:0;padding:20px;width:760px">${html}</body>`);
    const note = page.locator(".digit-lab-pad-gone");
    await note.waitFor({ timeout: 15_000 });
    const text = await note.innerText();
    assert.ok(text.includes(server.url), `names the pad's address: ${text}`);
    assert.match(text, /not answering/);
    assert.match(text, /kernel\s+restarts/);
    assert.match(text, /run this cell again/);
    assert.equal(await page.locator("iframe").count(), 0, "no iframe left showing the browser's connection error");
  } finally {
    await page.close();
  }
});
