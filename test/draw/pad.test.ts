/**
 * The drawing pad in a real (headless) Chromium: draw digits with the mouse, check what
 * the page predicts, check the page preprocesses exactly like Node does, and check the
 * server hands out nothing but its allow-list.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";
import { initBackend } from "../../src/backend";
import { startDrawServer, type DrawServer } from "../../src/draw/server";
import { loadModel } from "../../src/models/persist";
import { predictPixels } from "../../src/predict";
import { preprocess, toGrey } from "../../src/preprocess";
import { PROJECT_ROOT } from "../helpers/paths";
import { trainedModelDir } from "../predict/trained-model";
import { ONE, drawOnPad } from "../helpers/pad";
import { copySavedModel, trainedOn } from "../helpers/model-copies";

let server: DrawServer;
let browser: Browser;
let page: Page;
let modelDir: string;
let copyDir: string;

before(async () => {
  modelDir = await trainedModelDir();
  // A second model beside the first (same weights, another name) to show models side by side.
  copyDir = copySavedModel(modelDir, fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-pad-model-")), (m) => ({ ...m, model: "dense-128-64 (copy)" }));

  server = await startDrawServer({ modelDirs: [modelDir, copyDir], port: 0 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 900, height: 620 } });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForSelector("body[data-state=ready]", { timeout: 60_000 }).catch((err) => {
    throw new Error(`pad did not become ready: ${err.message}; page errors: ${errors.join("; ")}`);
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
  if (copyDir) fs.rmSync(copyDir, { recursive: true, force: true });
});

/** Draws polylines given in the pad's own 280×280 coordinates. */
function draw(strokes: [number, number][][]): Promise<void> {
  return drawOnPad(page, page.locator("#pad"), strokes);
}

async function predictedDigit(): Promise<string> {
  await page.waitForSelector("body[data-state=predicted]", { timeout: 30_000 });
  // Predictions follow the strokes; wait until two consecutive reads agree.
  let last = "";
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(150);
    const now = (await page.getAttribute("body", "data-digit")) ?? "";
    if (now === last) return now;
    last = now;
  }
  return last;
}

async function clear(): Promise<void> {
  await page.click("#clear");
  await page.waitForSelector("body[data-state=empty]");
}

test("the pad loads both models and shows them side by side", async () => {
  assert.equal(await page.locator("#models .model").count(), 2);
  const names = await page.locator("#models .model h2").allTextContents();
  assert.deepEqual(names, ["dense-128-64", "dense-128-64 (copy)"]);
});

test("drawing a 1 (one vertical stroke) is read as 1", async () => {
  await clear();
  await draw([[[140, 40], [136, 240]]]);
  assert.equal(await predictedDigit(), "1");
  const digits = await page.locator("#models .model .digit").allTextContents();
  assert.deepEqual(digits, ["1", "1"], "both models show their prediction");
  // The answer's bar is highlighted as in the notebook's gallery, not in its red for "wrong".
  const fills = await page.locator("#models .model").first().locator(".bar .fill").evaluateAll((els) =>
    els.map((el) => [el.parentElement!.parentElement!.classList.contains("top"), getComputedStyle(el).backgroundColor] as const));
  assert.deepEqual(fills.filter(([top]) => top).map(([, colour]) => colour), ["rgb(76, 120, 168)"]);
  assert.ok(fills.filter(([top]) => !top).every(([, colour]) => colour === "rgb(159, 180, 199)"), JSON.stringify(fills));
});

test("drawing a 7 is read as 7, and the page preprocesses exactly like Node", async () => {
  await clear();
  await draw([[[70, 60], [210, 60], [130, 240]]]);
  assert.equal(await predictedDigit(), "7");
  fs.mkdirSync(path.join(PROJECT_ROOT, "test-output"), { recursive: true });
  await page.screenshot({ path: path.join(PROJECT_ROOT, "test-output", "draw-pad.png") });

  // Same picture, preprocessed in Node: the 28×28 image must match the page's preview.
  const { rgba, preview } = await page.evaluate(() => {
    const pad = document.getElementById("pad") as HTMLCanvasElement;
    const seen = document.getElementById("preview") as HTMLCanvasElement;
    return {
      rgba: Array.from(pad.getContext("2d")!.getImageData(0, 0, 280, 280).data),
      preview: Array.from(seen.getContext("2d")!.getImageData(0, 0, 28, 28).data).filter((_, i) => i % 4 === 0),
    };
  });
  const inNode = preprocess(toGrey(rgba, 280, 280, 4)).pixels;
  const worst = Math.max(...preview.map((v, i) => Math.abs(v - Math.round(inNode[i] * 255))));
  assert.ok(worst <= 1, `page and Node preprocessing differ by up to ${worst}/255`);
  await initBackend({ log: null });
  const { model } = await loadModel(modelDir);
  const [fromNode] = await predictPixels(model, [inNode]);
  model.dispose();
  assert.equal(String(fromNode.digit), "7");
});

test("clearing the pad clears the predictions", async () => {
  await clear();
  assert.equal(await page.getAttribute("body", "data-digit"), null);
  assert.deepEqual(await page.locator("#models .model .digit").allTextContents(), ["–", "–"]);
});

/** A raw request: the path goes out exactly as written (no URL normalization). */
function rawGet(rawPath: string, options: { method?: string; host?: string } = {}): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port: server.port, path: rawPath, method: options.method ?? "GET", headers: { host: options.host ?? `127.0.0.1:${server.port}` } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8", 0, 200), headers: res.headers }));
      },
    );
    req.on("error", reject);
    req.end();
  });
}

test("the server listens on 127.0.0.1 and serves its allow-list", async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  for (const p of ["/", "/pad.js", "/tf.min.js", "/models.json", "/models/0/model.json", "/models/0/weights.bin", "/models/1/model.json", "/alive"]) {
    const { status, headers } = await rawGet(p);
    assert.equal(status, 200, p);
    // Only the liveness answer is readable from other origins (a notebook's pad output asks it).
    assert.equal(headers["access-control-allow-origin"], p === "/alive" ? "*" : undefined, p);
  }
  assert.deepEqual([...server.routes].sort(), ["/", "/alive", "/models.json", "/models/0/model.json", "/models/0/weights.bin", "/models/1/model.json", "/models/1/weights.bin", "/pad.js", "/tf.min.js"]);
});

test("nothing outside the allow-list is readable (no path traversal)", async () => {
  const attempts = [
    "/../package.json", "/..%2fpackage.json", "/%2e%2e/package.json", "/models/0/../../package.json",
    "/models/0/..%2f..%2fpackage.json", "/etc/passwd", "//etc/passwd", "/../../../../etc/passwd",
    "/models/0/metadata.json", "/src/web/pad.ts", "/node_modules/@tensorflow/tfjs/package.json",
    "/tf.min.js/../package.json", "/models/2/model.json", "/pad.js%00.txt", "/.git/config",
  ];
  for (const p of attempts) {
    const { status, body } = await rawGet(p);
    assert.ok(status === 404 || status === 403 || status === 400, `${p} gave ${status}`);
    assert.doesNotMatch(body, /"name": "digit-lab"|root:x:0/, p);
  }
  assert.equal((await rawGet("/", { method: "POST" })).status, 405);
  assert.equal((await rawGet("/", { host: "evil.example:80" })).status, 403, "foreign Host header (DNS rebinding) is refused");
});

/** Dark pixels on the pad at x ≥ `fromX` (pad coordinates). */
async function inkRightOf(p: Page, fromX: number): Promise<number> {
  return p.evaluate((fromX) => {
    const pad = document.getElementById("pad") as HTMLCanvasElement;
    const data = pad.getContext("2d")!.getImageData(0, 0, 280, 280).data;
    let n = 0;
    for (let y = 0; y < 280; y++) for (let x = fromX; x < 280; x++) if (data[(y * 280 + x) * 4] < 128) n++;
    return n;
  }, fromX);
}

test("a second finger (or a resting palm) does not join the strokes: only the first pointer draws", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  try {
    const touchPage = await context.newPage();
    await touchPage.goto(server.url);
    await touchPage.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
    const box = (await touchPage.locator("#pad").boundingBox())!;
    const at = (x: number, y: number, id: number) => ({ x: box.x + x * box.width, y: box.y + y * box.height, id });
    const cdp = await context.newCDPSession(touchPage);
    // Finger 1 draws a vertical line at x = 0.3; finger 2 lands at (0.8, 0.8) and rests there.
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(0.3, 0.2, 1)] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(0.3, 0.2, 1), at(0.8, 0.8, 2)] });
    for (let i = 1; i <= 10; i++) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(0.3, 0.2 + 0.06 * i, 1), at(0.8, 0.8, 2)] });
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await touchPage.waitForSelector("body[data-state=predicted]", { timeout: 30_000 });
    // The line is 16 px wide around x = 84: nothing right of x = 120 may be inked.
    assert.ok((await inkRightOf(touchPage, 0)) > 500, "finger 1's stroke is drawn");
    assert.equal(await inkRightOf(touchPage, 120), 0, "ink away from finger 1's line: the second finger drew or joined the stroke");
    // After both lift, a new touch draws again.
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(0.8, 0.3, 3)] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(0.8, 0.6, 3)] });
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    await touchPage.waitForFunction(() => {
      const data = (document.getElementById("pad") as HTMLCanvasElement).getContext("2d")!.getImageData(224, 120, 1, 1).data;
      return data[0] < 128;
    }, undefined, { timeout: 10_000 });
  } finally {
    await context.close();
  }
});

test("a Fashion-MNIST model shows its dataset, its class names and a visible warning that it does not read digits", async () => {
  const fashionDir = copySavedModel(modelDir, fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-pad-fashion-")),
    (m) => ({ ...trainedOn("fashion-mnist")(m), model: "fashion-dense", test: { accuracy: 0.8123 } }));
  const fashionServer = await startDrawServer({ modelDirs: [modelDir, fashionDir] });
  const fashionPage = await browser.newPage({ viewport: { width: 900, height: 700 } });
  try {
    await fashionPage.goto(fashionServer.url);
    await fashionPage.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
    const [digitCard, fashionCard] = [fashionPage.locator("#models .model").nth(0), fashionPage.locator("#models .model").nth(1)];
    assert.match((await fashionCard.locator(".meta").textContent()) ?? "", /^Fashion-MNIST test accuracy 81\.23%$/);
    assert.ok(await fashionCard.locator(".warning").isVisible(), "the warning is visible on the page");
    assert.match((await fashionCard.locator(".warning").textContent()) ?? "", /fashion-dense was trained on fashion-mnist, not handwritten digits/);
    const labels = await fashionCard.locator(".bar .label").allTextContents();
    assert.deepEqual(labels.slice(0, 4), ["0 T-shirt/top", "1 Trouser", "2 Pullover", "3 Dress"]);
    assert.equal(labels[9], "9 Ankle boot");
    // The MNIST model beside it (its metadata names no dataset: MNIST) is unchanged: digits, no warning.
    assert.equal(await digitCard.locator(".warning").count(), 0);
    assert.deepEqual(await digitCard.locator(".bar .label").allTextContents(), ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

    // Draw a 1: the fashion card names the class it picked, next to its number.
    await drawOnPad(fashionPage, fashionPage.locator("#pad"), ONE);
    await fashionPage.waitForSelector("body[data-state=predicted]", { timeout: 30_000 });
    const index = Number(await fashionCard.locator(".digit").textContent());
    assert.ok(index >= 0 && index <= 9);
    const classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];
    assert.equal(await fashionCard.locator(".class-name").textContent(), classes[index]);
    assert.equal(await digitCard.locator(".class-name").textContent(), "", "digit models show just the digit");
    fs.mkdirSync(path.join(PROJECT_ROOT, "test-output"), { recursive: true });
    await fashionPage.screenshot({ path: path.join(PROJECT_ROOT, "test-output", "draw-pad-fashion.png") });
  } finally {
    await fashionPage.close();
    await fashionServer.close();
    fs.rmSync(fashionDir, { recursive: true, force: true });
  }
});

test("a single tap is 'too small to read', not a confident digit", async () => {
  await clear();
  const box = (await page.locator("#pad").boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector("body[data-state=too-small]", { timeout: 30_000 });
  assert.match((await page.locator("#status").textContent()) ?? "", /too small to read/i);
  assert.equal(await page.getAttribute("body", "data-digit"), null);
  assert.deepEqual(await page.locator("#models .model .digit").allTextContents(), ["–", "–"]);
  // Drawing on from there is read as usual.
  await draw([[[140, 40], [136, 240]]]);
  assert.equal(await predictedDigit(), "1");
});

test("Escape (or C) clears the pad, and a polite live region says what the models read", async () => {
  await clear();
  await draw([[[140, 40], [136, 240]]]);
  assert.equal(await predictedDigit(), "1");
  const live = page.locator("[aria-live=polite]");
  assert.equal(await live.count(), 1);
  assert.match((await live.textContent()) ?? "", /^dense-128-64: 1 \d+\.\d%; dense-128-64 \(copy\): 1 \d+\.\d%$/);
  await page.keyboard.press("Escape");
  await page.waitForSelector("body[data-state=empty]", { timeout: 5_000 });
  await draw([[[140, 40], [136, 240]]]);
  await page.waitForSelector("body[data-state=predicted]", { timeout: 30_000 });
  await page.keyboard.press("c");
  await page.waitForSelector("body[data-state=empty]", { timeout: 5_000 });
  assert.equal(await page.getAttribute("body", "data-digit"), null);
});

test("loading the page requests nothing that fails, and it names an inline icon (no /favicon.ico 404)", async () => {
  const fresh = await browser.newPage();
  const failed: string[] = [];
  fresh.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`); });
  fresh.on("requestfailed", (r) => failed.push(`failed ${r.url()}`));
  fresh.on("console", (m) => { if (m.type() === "error") failed.push(`console: ${m.text()}`); });
  try {
    await fresh.goto(server.url);
    await fresh.waitForSelector("body[data-state=ready]", { timeout: 60_000 });
    assert.deepEqual(failed, []);
    // Headless Chromium never asks for a favicon, so check the page: a browser with a tab
    // icon would otherwise request /favicon.ico, which the server (allow-list) answers 404.
    const icon = await fresh.getAttribute("link[rel=icon]", "href", { timeout: 1_000 }).catch(() => null);
    assert.ok(icon?.startsWith("data:"), `page icon: ${icon}`);
  } finally {
    await fresh.close();
  }
});
