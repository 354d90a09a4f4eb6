/**
 * EXIF orientation: phone photos store the sensor's rows and tag how to turn them.
 * The JPEGs here are made with jpeg-js and given an APP1 EXIF segment written byte by
 * byte (PNGs: an eXIf chunk), so every orientation, both byte orders and damaged blocks
 * can be tried.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  applyOrientation, decodeImage, encodeJpeg, encodePng, jpegOrientation, pngOrientation, preprocess, type GreyImage,
} from "../../src/preprocess";
import { createRng } from "../../src/util/random";
import { launchChromium } from "../helpers/chromium";
import { drawStrokes } from "./shapes";
import { EXIF, app1, exifTiff, pngWithExif, withSegments } from "../helpers/exif";

const W = 48, H = 32;

/**
 * 2000 trials of 1–4 random bytes overwritten in `bytes[from, from + span)`, where the
 * headers are: any orientation 1–8 is an acceptable answer, an exception is not.
 */
function assertSurvivesRandomDamage(bytes: Buffer, read: (b: Buffer) => number, where: { seed: number; from: number; span: number }): void {
  const rng = createRng(where.seed);
  for (let trial = 0; trial < 2000; trial++) {
    const damaged = Buffer.from(bytes);
    const hits = 1 + Math.floor(rng() * 4);
    for (let h = 0; h < hits; h++) damaged[where.from + Math.floor(rng() * where.span)] = Math.floor(rng() * 256);
    const o = read(damaged);
    assert.ok(Number.isInteger(o) && o >= 1 && o <= 8, `trial ${trial}: ${o}`);
  }
}

/** White paper with a black 12×8 block in the stored top-left corner (block-aligned, so JPEG keeps it crisp). */
function storedPicture(): GreyImage {
  const data = new Float32Array(W * H).fill(1);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 12; x++) data[y * W + x] = 0;
  return { width: W, height: H, data };
}

/** Size of the picture and bounding box of its dark pixels. */
function darkBlock(image: GreyImage): { size: string; block: string } {
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.data[y * image.width + x] >= 0.5) continue;
      x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
    }
  }
  return { size: `${image.width}×${image.height}`, block: `x ${x0}–${x1}, y ${y0}–${y1}` };
}

/**
 * Where a viewer shows the stored top-left block for each orientation (EXIF 2.3, §4.6.4 A,
 * as Chromium renders it): 2 mirrors, 3 turns 180°, 6 turns 90° clockwise (the stored
 * top-left goes to the top right), 8 turns 90° counter-clockwise, 5 and 7 mirror along a diagonal.
 */
const SHOWN: Record<number, { size: string; block: string }> = {
  1: { size: "48×32", block: "x 0–11, y 0–7" },
  2: { size: "48×32", block: "x 36–47, y 0–7" },
  3: { size: "48×32", block: "x 36–47, y 24–31" },
  4: { size: "48×32", block: "x 0–11, y 24–31" },
  5: { size: "32×48", block: "x 0–7, y 0–11" },
  6: { size: "32×48", block: "x 24–31, y 0–11" },
  7: { size: "32×48", block: "x 24–31, y 36–47" },
  8: { size: "32×48", block: "x 0–7, y 36–47" },
};

test("each EXIF orientation, in either byte order, turns the picture as a viewer shows it", () => {
  const jpeg = encodeJpeg(storedPicture(), 95);
  assert.deepEqual(darkBlock(decodeImage(jpeg, "plain.jpg")), SHOWN[1], "no EXIF: as stored");
  for (const order of ["II", "MM"] as const) {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const tagged = withSegments(jpeg, app1([...EXIF, ...exifTiff(orientation, order)]));
      assert.equal(jpegOrientation(tagged), orientation, `${order} ${orientation}`);
      assert.deepEqual(darkBlock(decodeImage(tagged, "photo.jpg")), SHOWN[orientation], `${order} orientation ${orientation}`);
    }
  }
});

test("a PNG's eXIf chunk turns the picture too, when it comes before the pixel data", () => {
  const png = encodePng(storedPicture());
  for (const order of ["II", "MM"] as const) {
    for (let orientation = 1; orientation <= 8; orientation++) {
      const tagged = pngWithExif(png, exifTiff(orientation, order));
      assert.equal(pngOrientation(tagged), orientation, `${order} ${orientation}`);
      assert.deepEqual(darkBlock(decodeImage(tagged, "photo.png")), SHOWN[orientation], `${order} orientation ${orientation}`);
    }
  }
  // After IDAT, Chromium ignores it (see the Chromium test below), and so do we.
  const late = pngWithExif(png, exifTiff(6, "II"), true);
  assert.equal(pngOrientation(late), 1);
  assert.deepEqual(darkBlock(decodeImage(late, "late.png")), SHOWN[1]);
});

test("damaged PNG chunks never make the eXIf reader throw or hang", () => {
  const tagged = pngWithExif(encodePng(storedPicture()), exifTiff(8, "MM"));
  for (let n = 0; n <= tagged.length; n++) {
    const o = pngOrientation(tagged.subarray(0, n));
    assert.ok(o === 1 || o === 8, `cut at ${n}: ${o}`);
  }
  assertSurvivesRandomDamage(tagged, pngOrientation, { seed: 11, from: 8, span: 80 });
});

test("EXIF is found after a JFIF APP0 and an XMP APP1, as some editors write it", () => {
  const jpeg = encodeJpeg(storedPicture(), 95); // jpeg-js writes a JFIF APP0 first
  const xmp = app1([...Buffer.from("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>")]);
  const tagged = Buffer.concat([jpeg.subarray(0, 20), Buffer.from(xmp), Buffer.from(app1([...EXIF, ...exifTiff(6, "MM")])), jpeg.subarray(20)]);
  assert.equal(jpeg[3], 0xe0, "the JPEG starts with APP0");
  assert.equal(jpegOrientation(tagged), 6);
  assert.deepEqual(darkBlock(decodeImage(tagged, "edited.jpg")), SHOWN[6]);
});

test("a malformed EXIF block is ignored: the picture reads as stored", () => {
  const jpeg = encodeJpeg(storedPicture(), 95);
  const good = exifTiff(6, "II");
  const patched = (at: number, bytes: number[]) => good.map((b, i) => (i >= at && i < at + bytes.length ? bytes[i - at] : b));
  const cases: [string, number[]][] = [
    ["no TIFF block after Exif\\0\\0", []],
    ["TIFF block cut to 4 bytes", good.slice(0, 4)],
    ["TIFF block cut inside the Orientation entry", good.slice(0, 30)],
    ["unknown byte order", patched(0, [0x58, 0x58])],
    ["wrong TIFF magic", patched(2, [43, 0])],
    ["IFD0 offset beyond the block", patched(4, [0xf0, 0xff, 0xff, 0xff])],
    ["IFD0 offset into the header", patched(4, [2, 0, 0, 0])],
    ["entry count far beyond the block, no entries", [...good.slice(0, 8), 0xff, 0xff]],
    ["orientation 0", patched(30, [0, 0])],
    ["orientation 9", patched(30, [9, 0])],
    ["orientation as a LONG", patched(24, [4, 0])],
    ["orientation with two values", patched(26, [2, 0, 0, 0])],
  ];
  assert.equal(good[30], 6, "the test patches the orientation value where it is");
  for (const [name, tiff] of cases) {
    const tagged = withSegments(jpeg, app1([...EXIF, ...tiff]));
    assert.equal(jpegOrientation(tagged), 1, name);
    assert.deepEqual(darkBlock(decodeImage(tagged, "odd.jpg")), SHOWN[1], name);
  }
  // An APP1 that is not EXIF, or whose header is cut, is not read as EXIF.
  assert.equal(jpegOrientation(withSegments(jpeg, app1([0x45, 0x78, 0x69, 0x66]))), 1);
  assert.equal(jpegOrientation(withSegments(jpeg, app1([...Buffer.from("Exif\0X"), ...good]))), 1);
});

test("damaged bytes anywhere never make the EXIF reader throw or hang", () => {
  const tagged = withSegments(encodeJpeg(storedPicture(), 95), app1([...EXIF, ...exifTiff(8, "MM")]));
  // Cut the file at every length through the headers, and at a few lengths beyond.
  for (let n = 0; n <= 200; n++) {
    const o = jpegOrientation(tagged.subarray(0, n));
    assert.ok(o === 1 || o === 8, `cut at ${n}: ${o}`);
  }
  // Segment lengths that overrun the file, or are too short to be lengths.
  const overrun = Buffer.from(tagged);
  overrun[4] = 0xff; overrun[5] = 0xff;
  assert.equal(jpegOrientation(overrun), 1);
  const tooShort = Buffer.from(tagged);
  tooShort[4] = 0; tooShort[5] = 1;
  assert.equal(jpegOrientation(tooShort), 1);
  assertSurvivesRandomDamage(tagged, jpegOrientation, { seed: 7, from: 2, span: 50 });
});

test("a digit photographed sideways (orientation 6) preprocesses like the upright one", () => {
  const upright = drawStrokes({ width: 160, height: 120 }, [[[30, 20], [110, 20], [60, 105]]], 8); // a 7
  // What the phone stores: the upright picture turned a quarter counter-clockwise.
  const { width: w, height: h } = upright;
  const stored: GreyImage = { width: h, height: w, data: new Float32Array(w * h) };
  for (let y = 0; y < w; y++) for (let x = 0; x < h; x++) stored.data[y * h + x] = upright.data[x * w + (w - 1 - y)];
  const jpeg = encodeJpeg(stored, 90);
  const tagged = withSegments(jpeg, app1([...EXIF, ...exifTiff(6, "MM")]));

  const meanDiff = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  const reference = preprocess(upright).pixels;
  const turned = decodeImage(tagged, "seven.jpg");
  assert.equal(`${turned.width}×${turned.height}`, "160×120");
  assert.ok(meanDiff(preprocess(turned).pixels, reference) < 0.02, "tagged: the upright 7");
  assert.ok(meanDiff(preprocess(decodeImage(jpeg, "seven.jpg")).pixels, reference) > 0.1, "untagged: read as stored, sideways");
});

test("applyOrientation: the eight orientations are distinct, and 3 undoes itself", () => {
  const picture = storedPicture();
  const seen = new Set<string>();
  for (let o = 1; o <= 8; o++) {
    const out = applyOrientation(picture, o as 1);
    assert.deepEqual(darkBlock(out), SHOWN[o], `orientation ${o}`);
    seen.add(JSON.stringify(darkBlock(out)));
  }
  assert.equal(seen.size, 8);
  assert.deepEqual(applyOrientation(applyOrientation(picture, 3), 3).data, picture.data);
});

test("decoded orientation matches Chromium's rendering of the same JPEG or PNG", async () => {
  // A picture with detail everywhere (a 7 and a corner block), so any wrong turn shows.
  const picture = drawStrokes({ width: 64, height: 40 }, [[[10, 8], [50, 8], [28, 34]], [[56, 30]]], 5);
  const jpeg = encodeJpeg(picture, 95);
  const png = encodePng(picture);
  const cases: { name: string; bytes: Buffer; mime: string }[] = [];
  for (let orientation = 1; orientation <= 8; orientation++) {
    const tiff = exifTiff(orientation, orientation % 2 ? "II" : "MM");
    cases.push({ name: `JPEG orientation ${orientation}`, bytes: withSegments(jpeg, app1([...EXIF, ...tiff])), mime: "image/jpeg" });
    cases.push({ name: `PNG orientation ${orientation}`, bytes: pngWithExif(png, tiff), mime: "image/png" });
    cases.push({ name: `PNG orientation ${orientation}, eXIf after IDAT`, bytes: pngWithExif(png, tiff, true), mime: "image/png" });
  }
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    for (const { name, bytes: tagged, mime } of cases) {
      const shown = await page.evaluate(async (url: string) => {
        const img = new Image();
        img.src = url;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext("2d")!;
        ctx.drawImage(img, 0, 0);
        const rgba = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        return { width: canvas.width, height: canvas.height, grey: Array.from({ length: rgba.length / 4 }, (_, i) => rgba[i * 4 + 1] / 255) };
      }, `data:${mime};base64,${tagged.toString("base64")}`);
      const ours = decodeImage(tagged, mime === "image/png" ? "photo.png" : "photo.jpg");
      assert.equal(`${ours.width}×${ours.height}`, `${shown.width}×${shown.height}`, name);
      let diff = 0;
      for (let i = 0; i < shown.grey.length; i++) diff += Math.abs(ours.data[i] - shown.grey[i]);
      assert.ok(diff / shown.grey.length < 0.03, `${name}: differs from Chromium by ${diff / shown.grey.length}`);
    }
  } finally {
    await browser.close();
  }
});
