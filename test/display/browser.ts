/** Headless Chromium for the page tests: records page errors and every request. */
import type { Browser, Page } from "playwright-core";
import { launchChromium } from "../helpers/chromium";

export interface OpenedPage {
  browser: Browser;
  page: Page;
  errors: string[];
  /** URLs of every request the page made (including the page itself). */
  requests: string[];
}

/** Opens a local file with the network cut off: any non-file request is recorded and aborted. */
export async function openOffline(file: string, viewport = { width: 1100, height: 900 }): Promise<OpenedPage> {
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") errors.push(`console error: ${m.text()}`); });
  await page.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    return url.startsWith("file:") || url.startsWith("data:") ? route.continue() : route.abort();
  });
  await page.goto(`file://${file}`);
  await page.waitForLoadState("networkidle").catch(() => undefined); // MathJax etc. settle before screenshots
  return { browser, page, errors, requests };
}

/** Waits until `count` charts are drawn (or the timeout passes) and returns how many are. */
export async function waitForCharts(page: Page, count: number, timeoutMs = 20000): Promise<number> {
  try {
    await page.waitForFunction(
      (n) => document.querySelectorAll(".digit-lab-chart.js-plotly-plot .main-svg").length > 0 &&
        Array.from(document.querySelectorAll(".digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).length >= n,
      count, { timeout: timeoutMs },
    );
  } catch { /* counted below */ }
  return page.evaluate(() => Array.from(document.querySelectorAll(".digit-lab-chart")).filter((el) => el.querySelector(".main-svg")).length);
}
