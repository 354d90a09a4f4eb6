/** Drawing on the pad's canvas in Chromium, with the mouse, for the pad's tests. */
import type { Locator, Page } from "playwright-core";

/** A vertical stroke down the middle: a 1, in the pad's own 280×280 coordinates. */
export const ONE: [number, number][][] = [[[140, 42], [140, 238]]];

/**
 * Draws polylines given in the pad's own 280×280 coordinates on `pad` (which may sit in
 * an iframe: its box is in the page's coordinates, where the mouse moves).
 */
export async function drawOnPad(page: Page, pad: Locator, strokes: [number, number][][]): Promise<void> {
  const box = (await pad.boundingBox())!;
  const at = ([x, y]: [number, number]) => [box.x + (x / 280) * box.width, box.y + (y / 280) * box.height] as const;
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 12 });
    await page.mouse.up();
  }
}
