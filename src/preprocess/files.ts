/**
 * The Node side of preprocessing: image files in (PNG via pngjs, JPEG via jpeg-js, up to
 * MAX_MEGAPIXELS, grey/RGB/RGBA, JPEGs turned upright by their EXIF orientation), grey
 * images out as PNG or JPEG bytes. Every failure is an ImageError naming the file and
 * what is wrong with it.
 */
import * as fs from "node:fs";
import * as zlib from "node:zlib";
import { PNG } from "pngjs";
import * as jpeg from "jpeg-js";
import { ImageError } from "../errors";
import { describeFsError } from "../util/fs-errors";
import { toGrey, toRgba, type GreyImage } from "./image";
import { jpegSize, pngChunks, pngPixelDataBytes, pngSize, type ImageSize } from "./headers";
import { jpegOrientation, pngOrientation } from "./exif";
import { applyOrientation } from "./orientation";
import { preprocess, type PreprocessOptions, type Preprocessed } from "./core";

export type ImageFormat = "png" | "jpeg";

/** The extensions of the pictures digit-lab reads (lower case, with the dot). */
export const IMAGE_EXTENSIONS: readonly string[] = [".png", ".jpg", ".jpeg"];

/**
 * Whether a folder walk passes over this entry: hidden files and folders (".git", a Mac's
 * "._7.png" companions) and the "__MACOSX" folder of a zip made on a Mac hold no pictures of
 * the user's. One rule for every walk, so that "this folder holds pictures" and "these are
 * its pictures" never disagree.
 */
export function isHiddenEntry(name: string): boolean {
  return name.startsWith(".") || name === "__MACOSX";
}

/**
 * The largest picture read, in megapixels: enough for a 50 MP phone camera's photos
 * (8160×6120 = 49.9 MP). Decoding costs memory in proportion to the pixels (a 50 MP
 * JPEG peaked at 1.7 GB) and a small file can claim any size (a 439 KB PNG of
 * 20000×20000 took 3.3 GB), so the size in the header is checked before decoding.
 */
export const MAX_MEGAPIXELS = 50;

/** jpeg-js counts about 22 bytes a pixel for a full-colour (4:4:4) JPEG; give it that for the largest we accept. */
const JPEG_MEMORY_MB = Math.ceil((MAX_MEGAPIXELS * 1e6 * 24) / 2 ** 20);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Formats people are likely to have instead (a phone's HEIC photo, a GIF from the web),
 * recognized by their first bytes when a file is read, and by their extensions in a
 * folder, so that either way the error names them alike.
 */
const OTHER_FORMATS: { name: string; extensions: string[]; matches: (b: Uint8Array) => boolean }[] = [
  { name: "GIF", extensions: [".gif"], matches: (b) => ascii(b, 0, 4) === "GIF8" },
  { name: "WebP", extensions: [".webp"], matches: (b) => ascii(b, 0, 4) === "RIFF" && ascii(b, 8, 4) === "WEBP" },
  { name: "BMP", extensions: [".bmp"], matches: (b) => ascii(b, 0, 2) === "BM" && b.length >= 26 },
  { name: "TIFF", extensions: [".tif", ".tiff"], matches: (b) => ascii(b, 0, 4) === "II*\0" || ascii(b, 0, 4) === "MM\0*" },
  // ISO media files: "ftyp" then a brand; HEIC is the iPhone's default photo format.
  { name: "HEIC", extensions: [".heic", ".heif"], matches: (b) => ascii(b, 4, 4) === "ftyp" && /^(heic|heix|heim|heis|hevc|hevx|mif1|msf1)$/.test(ascii(b, 8, 4)) },
  { name: "AVIF", extensions: [".avif"], matches: (b) => ascii(b, 4, 4) === "ftyp" && /^avi[fs]$/.test(ascii(b, 8, 4)) },
];

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return bytes.length < start + length ? "" : String.fromCharCode(...bytes.subarray(start, start + length));
}

/** What is wrong with a picture in a format digit-lab does not read ("HEIC"), and what to do. */
export function otherFormatMessage(format: string): string {
  return `a ${format} image; digit-lab reads PNG and JPEG — convert it to PNG or JPEG first`;
}

/** The name of a common image format digit-lab does not read ("GIF", "HEIC", …), from the first bytes. */
export function otherImageFormat(bytes: Uint8Array): string | undefined {
  return OTHER_FORMATS.find((f) => f.matches(bytes))?.name;
}

/** The same name from a file's extension (".webp" → "WebP"), for files met in a folder and not read. */
export function otherFormatOfExtension(extension: string): string | undefined {
  const ext = extension.toLowerCase();
  return OTHER_FORMATS.find((f) => f.extensions.includes(ext))?.name;
}

/**
 * A digit smaller than this, in pixels of the picture, is refused: MNIST's digits are
 * 20 px tall, and at 10 px a 5, a 3 and an 8 differ by a pixel or two, so any answer
 * would be a guess stated with confidence (a 10×10 "5" read "8 78%").
 */
export const MIN_DIGIT_PIXELS = 12;

/**
 * What the first bytes of a file that is no picture say about it, in words a person can use:
 * text is quoted; a Mac's "._name" companion file (AppleDouble, which copies to USB sticks
 * and zips leave beside every file) is named; anything else is shown as bytes.
 */
export function describeStart(bytes: Uint8Array): string {
  if (bytes.length >= 4 && bytes[0] === 0x00 && bytes[1] === 0x05 && bytes[2] === 0x16 && bytes[3] === 0x07) {
    return "it is a macOS resource-fork file (the \"._\" companion a Mac writes beside a file), not a picture";
  }
  const start = bytes.subarray(0, 40);
  const printable = start.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f) || b >= 0x80);
  if (printable) {
    const text = Buffer.from(start).toString("utf8").replace(/\uFFFD+$/, "").replace(/\s+/g, " ").trim();
    return `it looks like text: "${text}${bytes.length > start.length ? "…" : ""}"`;
  }
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join(" ");
  return `it starts with bytes ${head}`;
}

/** Recognizes PNG and JPEG by their first bytes (not by the file name). */
export function sniffFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

/** Decodes PNG or JPEG bytes to grey (transparency composited on a contrasting background, see toGrey). `file` names the source in errors. */
export function decodeImage(bytes: Uint8Array, file: string): GreyImage {
  if (bytes.length === 0) throw new ImageError("empty file (0 bytes), not an image", file);
  const format = sniffFormat(bytes);
  if (!format) {
    const other = otherImageFormat(bytes);
    if (other) throw new ImageError(otherFormatMessage(other), file);
    throw new ImageError(`not a PNG or JPEG image (${describeStart(bytes)})`, file);
  }
  checkSize(format === "png" ? pngSize(bytes) : jpegSize(bytes), file);
  if (format === "png") checkPngPixelData(bytes, file);
  try {
    if (format === "png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return applyOrientation(toGrey(png.data, png.width, png.height, 4), pngOrientation(bytes));
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_MEGAPIXELS, maxMemoryUsageInMB: JPEG_MEMORY_MB });
    // Upright as a browser shows it: phones store the sensor's rows and tag how to turn them.
    return applyOrientation(toGrey(img.data, img.width, img.height, 4), jpegOrientation(bytes));
  } catch (err) {
    const reason = (err as Error).message;
    if (format === "png" && !endsWithIend(bytes)) throw truncatedPng(bytes, file, `decoder said: ${reason}`);
    if (format === "jpeg" && !endsWithJpegEnd(bytes)) {
      // An interrupted copy or download: the decoder's own words ("unknown JPEG marker 0") do not say so.
      throw new ImageError(`damaged JPEG: truncated (the file ends after ${bytes.length} bytes, without the end-of-image marker; decoder said: ${reason})`, file);
    }
    throw new ImageError(`damaged or unsupported ${format.toUpperCase()} image (decoder said: ${reason})`, file);
  }
}

/** Refuses, before decoding, a picture whose header declares more than MAX_MEGAPIXELS. */
function checkSize(size: ImageSize | undefined, file: string): void {
  // No readable size: the decoder will say what is wrong (jpeg-js also enforces the limit itself).
  if (!size || size.width * size.height <= MAX_MEGAPIXELS * 1e6) return;
  throw new ImageError(`${size.width}×${size.height} pixels is more than digit-lab reads (${MAX_MEGAPIXELS} megapixels); scale it down`, file);
}

function truncatedPng(bytes: Uint8Array, file: string, detail: string): ImageError {
  return new ImageError(`damaged PNG: truncated (the file ends after ${bytes.length} bytes, before its IEND chunk; ${detail})`, file);
}

/**
 * Refuses a PNG whose pixel data is not the size its header says. pngjs does not check
 * this itself: it filled missing rows with whatever its buffer held, so a damaged file
 * read as a blank or random picture instead of an error (and too much data failed with a
 * message about "read requests"). Costs a second inflate.
 */
function checkPngPixelData(bytes: Uint8Array, file: string): void {
  const expected = pngPixelDataBytes(bytes);
  const idat = pngChunks(bytes).filter((c) => c.type === "IDAT");
  if (expected === undefined || idat.length === 0) return; // no valid IHDR or no pixels: pngjs names the fault
  const compressed = Buffer.concat(idat.map((c) => bytes.subarray(c.start, c.end)));
  const tooLong = `its pixel data holds more than the ${expected} bytes its header declares`;
  let problem: string | undefined;
  try {
    const inflated = zlib.inflateSync(compressed, { maxOutputLength: expected + 1 }).length; // one more byte tells "too long"
    if (inflated < expected) problem = `its pixel data holds ${inflated} of the ${expected} bytes its header declares`;
    if (inflated > expected) problem = tooLong;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    problem = code === "ERR_BUFFER_TOO_LARGE" ? tooLong : `its pixel data does not decompress (${(err as Error).message})`;
  }
  if (!problem) return;
  if (!endsWithIend(bytes)) throw truncatedPng(bytes, file, problem);
  throw new ImageError(`damaged PNG: ${problem}`, file);
}

/** A complete PNG ends with the 12-byte IEND chunk. */
function endsWithIend(bytes: Uint8Array): boolean {
  const n = bytes.length;
  return n >= 12 && bytes[n - 8] === 0x49 && bytes[n - 7] === 0x45 && bytes[n - 6] === 0x4e && bytes[n - 5] === 0x44;
}

/** Whether a JPEG ends with its end-of-image marker (FF D9), allowing zero padding after it. */
function endsWithJpegEnd(bytes: Uint8Array): boolean {
  let n = bytes.length;
  while (n > 0 && bytes[n - 1] === 0) n--;
  return n >= 2 && bytes[n - 2] === 0xff && bytes[n - 1] === 0xd9;
}

/** Reads and decodes an image file. */
export function readImageFile(file: string): GreyImage {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new ImageError(describeFsError(err, { ENOENT: "file not found", EISDIR: "is a folder, not an image" }), file);
  }
  return decodeImage(bytes, file);
}

/** Reads an image file and runs the preprocessing pipeline; errors name the file. */
export function preprocessFile(file: string, options: PreprocessOptions = {}): Preprocessed & { original: GreyImage } {
  const original = readImageFile(file);
  try {
    const result = preprocess(original, options);
    // Refused here rather than in preprocess: the drawing pad judges its own strokes.
    const { box, workScale } = result.info;
    const side = Math.round(Math.max(box.width, box.height) / workScale);
    if (side < MIN_DIGIT_PIXELS) {
      throw new ImageError(`the digit is only ${side} pixels tall or wide in this picture, too small to read reliably (at least ${MIN_DIGIT_PIXELS} needed); use a larger picture of it`);
    }
    return { ...result, original };
  } catch (err) {
    if (err instanceof ImageError && !err.file) throw new ImageError(err.message, file);
    throw err;
  }
}

/** Grey image (values 0..1) → PNG bytes. */
export function encodePng(image: GreyImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(toRgba(image).buffer);
  return PNG.sync.write(png);
}

/** Grey image (values 0..1) → JPEG bytes. */
export function encodeJpeg(image: GreyImage, quality = 85): Buffer {
  return jpeg.encode({ width: image.width, height: image.height, data: toRgba(image) }, quality).data;
}
