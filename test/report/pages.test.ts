/**
 * The report pages the CLI writes, as a user sees them: they state how the run differs from
 * its recipe, and they fit a phone (390 px) without the page scrolling sideways.
 * Tiny real trainings (2,000 MNIST images, 1 epoch).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { launchChromium } from "../helpers/chromium";
import type { Browser, Page } from "playwright-core";
import { afterResize, chartGeometry, overlapping } from "./chart-geometry";

const OUT = path.resolve(__dirname, "..", "..", "test-output");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-pages-"));
const env = { DIGIT_LAB_CACHE_DIR: path.join(tmp, "cache") };
const page = (name: string) => path.join(tmp, `${name}.html`);
const cli = (...args: string[]) => {
  const r = runCli(args, { env, timeout: 240_000 });
  assert.equal(r.code, 0, r.stderr);
  return r;
};
let trainJson: { testAccuracy: number };

before(() => {
  const quick = ["--epochs", "1", "--train-limit", "2000"];
  trainJson = JSON.parse(cli("train", "--recipe", "seed-001", ...quick, "--seed", "7", "--report", page("train"), "--save", path.join(tmp, "model"), "--json").stdout);
  cli("evaluate", "--model-dir", path.join(tmp, "model"), "--report", page("evaluate"));
  cli("train", "--model", "dense-128", ...quick, "--report", page("bare"));
  cli("seeds", "--recipe", "seed-001", ...quick, "--seeds", "3", "--report", page("seeds"));
  cli("compare", "--models", "dense:32,dense-128", ...quick, "--report", page("compare"));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const text = (name: string) => fs.readFileSync(page(name), "utf8");

test("train --report states every change to the recipe and counts all the mistakes", () => {
  const html = text("train");
  assert.match(html, /<h1>digit-lab: dense-128-64 trained with seed-001<\/h1>/);
  assert.match(html, /<p class="subtitle">mnist, 1 epoch, batch 32, seed 7, first 2,000 training images, backend \w+<\/p>/);
  assert.ok(html.includes("This run changed the recipe: 1 epoch instead of 30, seed 7 instead of 42 and the first 2,000 training images only. Its results are not the full recipe&#39;s."));
  const mistakes = Math.round((1 - trainJson.testAccuracy) * 10000);
  assert.ok(html.includes(`32 most confident of ${mistakes.toLocaleString("en-US")} mistakes`), `the gallery counts all ${mistakes} mistakes`);
  // A bare model has no recipe to name twice.
  const bare = text("bare");
  assert.match(bare, /<h1>digit-lab: dense-128<\/h1>/);
  assert.match(bare, /Trained on the first 2,000 training images only\./);
});

test("evaluate --report says the saved model saw only part of the training images", () => {
  assert.match(text("evaluate"), /<p class="subtitle">evaluated on the mnist test set \(10,000 images\); the model was trained on the first 2,000 training images only<\/p>/);
});

test("seeds and compare pages say the runs were shortened", () => {
  const seeds = text("seeds");
  assert.match(seeds, /<h1>digit-lab: seed-001 \(dense-128-64\) over 1 seed<\/h1>/);
  assert.match(seeds, /first 2,000 training images/);
  assert.match(seeds, /seed experiment, full recipe 97\.65%/, "the reference line is the full recipe's");
  assert.match(seeds, /These runs changed the recipe: 1 epoch instead of 30 and the first 2,000 training images only/);
  assert.match(seeds, /± n\/a/, "one seed has no standard deviation");
  assert.doesNotMatch(seeds, /± 0\.00/);
  assert.match(text("compare"), /<th[^>]*>seconds per epoch<\/th>/);
  assert.match(text("compare"), /<p class="subtitle">mnist, 1 epoch, batch 32, seed 42, first 2,000 training images, backend \w+<\/p>/);
});

test("at 390 px no page scrolls sideways, every chart draws, the training curves stack; at 1280 px they sit side by side", async () => {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    for (const name of ["train", "seeds", "compare"]) {
      for (const width of [390, 1280]) {
        const context = await browser.newContext({ viewport: { width, height: 844 }, isMobile: width < 500, hasTouch: width < 500 });
        const tab = await context.newPage();
        const errors: string[] = [];
        tab.on("pageerror", (e) => errors.push(e.message));
        await tab.route("**/*", (route) => (route.request().url().startsWith("file:") ? route.continue() : route.abort()));
        await tab.goto(`file://${page(name)}`);
        const charts = await tab.locator(".digit-lab-chart").count();
        await tab.waitForFunction((n) => document.querySelectorAll(".digit-lab-chart .main-svg").length >= n, charts, { timeout: 20_000 });
        await tab.screenshot({ path: path.join(OUT, `page-${name}-${width}.png`), fullPage: true });
        const m = await tab.evaluate(() => {
          const curves = Array.from(document.querySelectorAll(".digit-lab-chart")).find((el) => /Training curves/.test(el.textContent ?? ""));
          return { scrollWidth: document.documentElement.scrollWidth, curvesHeight: curves ? curves.getBoundingClientRect().height : null };
        });
        assert.ok(m.scrollWidth <= width, `${name} at ${width} px: the page is ${m.scrollWidth} px wide`);
        if (m.curvesHeight !== null) {
          assert.ok(width < 500 ? m.curvesHeight > 700 : m.curvesHeight < 500, `${name} at ${width} px: training curves ${m.curvesHeight} px tall`);
        }
        assert.deepEqual(errors, []);
        await context.close();
      }
    }
  } finally {
    await browser?.close();
  }
});

/** x-domain of the training curves' accuracy plot once it moved to `side` and every chart settled (or after 10 s, as it is). */
async function accuracyDomain(tab: Page, side: "right" | "left"): Promise<number[] | null> {
  await afterResize(tab, (want: string) => {
    const el = Array.from(document.querySelectorAll(".digit-lab-chart")).find((e) => /Training curves/.test(e.textContent ?? "")) as unknown as { _fullLayout?: { xaxis2: { domain: number[] } } };
    const x0 = el?._fullLayout?.xaxis2.domain[0];
    return want === "right" ? x0 !== undefined && x0 > 0.5 : x0 === 0;
  }, side);
  return tab.evaluate(() => {
    const el = Array.from(document.querySelectorAll(".digit-lab-chart")).find((e) => /Training curves/.test(e.textContent ?? "")) as unknown as { _fullLayout?: { xaxis2: { domain: number[] } } };
    return el?._fullLayout ? Array.from(el._fullLayout.xaxis2.domain) : null;
  });
}

test("a page drawn at 1280 px and narrowed to 390 px re-stacks its training curves, and back; at 390 px the matrix and grids fit their boxes", async () => {
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const tab = await browser.newPage({ viewport: { width: 1280, height: 844 } });
    const errors: string[] = [];
    tab.on("pageerror", (e) => errors.push(e.message));
    await tab.goto(`file://${page("train")}`);
    const charts = await tab.locator(".digit-lab-chart").count();
    await tab.waitForFunction((n) => document.querySelectorAll(".digit-lab-chart .main-svg").length >= n, charts, { timeout: 20_000 });
    assert.ok((await accuracyDomain(tab, "right"))![0] > 0.5, "drawn at 1280 px: loss and accuracy side by side");
    // A window narrowed (or a phone rotated) after drawing: no reload.
    await tab.setViewportSize({ width: 390, height: 844 });
    assert.deepEqual(await accuracyDomain(tab, "left"), [0, 1], "narrowed to 390 px: accuracy under loss, full width");
    await tab.screenshot({ path: path.join(OUT, "page-train-1280-to-390.png"), fullPage: true });
    const phone = await chartGeometry(tab);
    const chart = (re: RegExp) => {
      const c = phone.find((g) => re.test(g.title));
      assert.ok(c, `a chart titled ${re}`);
      return c;
    };
    const matrix = chart(/^Confusion matrix/);
    const gallery = chart(/mistakes$/);
    const weights = chart(/looks for/);
    for (const c of [matrix, gallery, weights]) {
      assert.ok(c.scrollWidth <= c.clientWidth, `"${c.title}" fits its ${c.clientWidth} px box (content ${c.scrollWidth} px)`);
    }
    assert.ok(matrix.labelPx! >= 8, `confusion counts at ${matrix.labelPx} px (the diagonal's 4 digits at 8, mistakes at 9)`);
    assert.ok(matrix.cellPx / 10 >= matrix.labelWidest!, `counts (${matrix.labelWidest} px) fit ${matrix.cellPx / 10} px cells`);
    assert.ok(gallery.cellPx >= 56 && weights.cellPx >= 40, `grid images ${gallery.cellPx} and ${weights.cellPx} px wide`);
    assert.ok(!overlapping(gallery.captions) && !overlapping(weights.captions), "captions do not run into each other");
    assert.ok(await tab.evaluate(() => document.documentElement.scrollWidth <= 390), "the page does not scroll sideways");
    await tab.setViewportSize({ width: 1280, height: 844 });
    assert.ok((await accuracyDomain(tab, "right"))![0] > 0.5, "widened to 1280 px again: side by side");
    assert.deepEqual(errors, []);
  } finally {
    await browser?.close();
  }
});
