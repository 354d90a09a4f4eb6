/** What a page's charts look like once drawn (for the responsive-layout tests of reports and notebook output). */
import type { Page } from "playwright-core";

/** Geometry of the drawn charts, by title: box overflow, subplot domains, heatmap text sizes, caption boxes. */
export async function chartGeometry(page: Page) {
  return page.evaluate(() => Array.from(document.querySelectorAll(".digit-lab-chart-box")).map((box) => {
    const el = box.querySelector(".digit-lab-chart") as HTMLElement & { _fullLayout?: Record<string, { domain?: number[]; _length?: number }> };
    const full = el._fullLayout ?? {};
    const labels = Array.from(el.querySelectorAll(".heatmaplayer text")) as SVGTextElement[];
    const captions = Array.from(el.querySelectorAll(".annotation")).map((a) => a.getBoundingClientRect()).map((r) => [r.left, r.top, r.right, r.bottom]);
    return {
      title: box.querySelector(".gtitle")?.textContent ?? "",
      scrollWidth: box.scrollWidth,
      clientWidth: box.clientWidth,
      x: full.xaxis?.domain ?? null,
      x2: full.xaxis2?.domain ?? null,
      // Width in px of the first subplot (a heatmap's plot area, or one image of a grid).
      cellPx: full.xaxis?._length ?? 0,
      labelPx: labels.length ? Math.min(...labels.map((t) => parseFloat(getComputedStyle(t).fontSize))) : null,
      labelWidest: labels.length ? Math.max(...labels.map((t) => t.getBBox().width)) : null,
      captions,
    };
  }));
}

/** True when any two caption rectangles overlap. */
export function overlapping(boxes: number[][]): boolean {
  return boxes.some((a, i) => boxes.some((b, j) => j > i && a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5));
}

/**
 * After a viewport change: waits until `ready` holds in the page (the first chart's own redraw
 * came, so every chart has seen the resize; it runs in the page, so self-contained) and then until no chart still has a redraw due.
 */
export async function afterResize<A>(page: Page, ready: (arg: A) => boolean, arg?: A): Promise<void> {
  // (playwright's overloads cannot infer a generic argument type: give it the plain signature)
  await page.waitForFunction(ready as (arg: unknown) => boolean, arg as unknown, { timeout: 10_000 }).catch(() => undefined); // the assertions say what is wrong
  await page.waitForFunction(() => !document.querySelector("[data-digit-lab-resizing]"), null, { timeout: 10_000 }).catch(() => undefined);
}
