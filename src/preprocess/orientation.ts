/**
 * Turning stored pixels the way an EXIF Orientation tag says, so the picture reads
 * as the user saw it in a browser or photo viewer. Pure: no Node APIs, no DOM.
 */
import { createImage, type GreyImage } from "./image";

/**
 * EXIF orientation: where the stored picture's first row and first column belong.
 * 1 as stored, 2 mirrored left–right, 3 turned 180°, 4 mirrored top–bottom,
 * 5 transposed (mirrored along the main diagonal), 6 turned 90° clockwise,
 * 7 transversed (mirrored along the other diagonal), 8 turned 90° counter-clockwise.
 */
export type Orientation = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The upright picture: `image` (as stored) with `orientation` applied. */
export function applyOrientation(image: GreyImage, orientation: Orientation): GreyImage {
  if (orientation === 1) return image;
  const { width: w, height: h, data } = image;
  const swapsSides = orientation >= 5; // 5–8 turn by a quarter, so width and height trade places
  const out = createImage(swapsSides ? h : w, swapsSides ? w : h);
  const source = storedPixel(orientation, w, h);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) out.data[y * out.width + x] = data[source(x, y)];
  }
  return out;
}

/** For each upright pixel (x, y), the index of the stored pixel that lands there. */
function storedPixel(orientation: Orientation, w: number, h: number): (x: number, y: number) => number {
  switch (orientation) {
    case 2: return (x, y) => y * w + (w - 1 - x);
    case 3: return (x, y) => (h - 1 - y) * w + (w - 1 - x);
    case 4: return (x, y) => (h - 1 - y) * w + x;
    case 5: return (x, y) => x * w + y;
    case 6: return (x, y) => (h - 1 - x) * w + y;
    case 7: return (x, y) => (h - 1 - x) * w + (w - 1 - y);
    case 8: return (x, y) => x * w + (w - 1 - y);
    default: return (x, y) => y * w + x;
  }
}
