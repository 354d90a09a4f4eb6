/**
 * What an image file's header says, read without decoding it: PNG and JPEG
 * dimensions, and walks over a JPEG's marker segments and a PNG's chunks (which
 * ./exif also uses).
 * Every read is bounds-checked: a damaged header gives `undefined`, never an
 * exception or an endless loop, and the decoder then reports the damage itself.
 */

/** Width and height in pixels, as the header declares them. */
export interface ImageSize {
  width: number;
  height: number;
}

/** One JPEG marker segment: its marker byte (0xE1 = APP1, …) and where its payload lies. */
export interface JpegSegment {
  marker: number;
  /** Index of the payload's first byte (just after the two length bytes). */
  start: number;
  /** Index one past the payload's last byte. */
  end: number;
}

/** Reads a big-endian unsigned 16-bit number; the caller has checked the bounds. */
function u16be(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 8) | bytes[at + 1];
}

/** Reads a big-endian unsigned 32-bit number; the caller has checked the bounds. */
function u32be(bytes: Uint8Array, at: number): number {
  return bytes[at] * 0x1000000 + ((bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]);
}

/**
 * The marker segments of a JPEG, in file order, up to its first scan (SOS): the
 * headers (APPn, SOFn, DQT, …) are all before it and what follows is compressed data.
 * Stops quietly at the first thing that is not a well-formed segment.
 */
export function jpegSegments(bytes: Uint8Array): JpegSegment[] {
  const segments: JpegSegment[] = [];
  if (bytes.length < 2 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return segments;
  let at = 2;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) break;
    const marker = bytes[at + 1];
    // Any marker may be preceded by extra 0xFF fill bytes.
    if (marker === 0xff) { at++; continue; }
    // TEM and RSTn stand alone, without a length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { at += 2; continue; }
    if (marker === 0xd9 || marker === 0xda || at + 3 >= bytes.length) break; // EOI, SOS, or cut short
    const length = u16be(bytes, at + 2); // counts its own two bytes, not the marker's
    if (length < 2 || at + 2 + length > bytes.length) break;
    segments.push({ marker, start: at + 4, end: at + 2 + length });
    at += 2 + length; // always moves forward, so the walk ends
  }
  return segments;
}

/** SOF0–SOF15 carry the frame size, except 0xC4 (DHT), 0xC8 (reserved) and 0xCC (DAC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

/** A JPEG's size from its SOFn segment (precision, height, width), or undefined if there is none. */
export function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  const frame = jpegSegments(bytes).find((s) => isStartOfFrame(s.marker));
  if (!frame || frame.end - frame.start < 5) return undefined;
  const height = u16be(bytes, frame.start + 1);
  const width = u16be(bytes, frame.start + 3);
  // Height 0 means "given later, by a DNL segment": unknown here.
  return width > 0 && height > 0 ? { width, height } : undefined;
}

const PNG_IHDR = [0x49, 0x48, 0x44, 0x52];

/** A PNG's size from its IHDR chunk, which must come first (after the 8-byte signature). */
export function pngSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length < 24 || !PNG_IHDR.every((b, i) => bytes[12 + i] === b)) return undefined;
  return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

/** One PNG chunk: its four-letter type ("IHDR", "eXIf", …) and where its data lies. */
export interface PngChunk {
  type: string;
  /** Index of the data's first byte (after the length and type). */
  start: number;
  /** Index one past the data's last byte (the 4-byte CRC follows). */
  end: number;
}

const PNG_SIGNATURE_BYTES = 8;

/**
 * The chunks of a PNG, in file order, up to IEND, or up to and including `stopAfter`'s
 * first occurrence. Stops quietly at a chunk that overruns the file.
 */
export function pngChunks(bytes: Uint8Array, stopAfter = "IEND"): PngChunk[] {
  const chunks: PngChunk[] = [];
  let at = PNG_SIGNATURE_BYTES;
  while (at + 8 <= bytes.length) {
    const length = u32be(bytes, at);
    const start = at + 8;
    if (start + length + 4 > bytes.length) break; // data and CRC must fit
    const type = String.fromCharCode(bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]);
    chunks.push({ type, start, end: start + length });
    if (type === stopAfter || type === "IEND") break;
    at = start + length + 4; // always moves forward by at least 12 bytes
  }
  return chunks;
}

/** The chunks before a PNG's pixel data, and its first IDAT: the metadata a viewer applies comes before the pixels. */
export function pngChunksBeforePixels(bytes: Uint8Array): PngChunk[] {
  return pngChunks(bytes, "IDAT");
}

/** Channels per pixel of each PNG colour type: grey, RGB, palette index, grey + alpha, RGBA. */
const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's seven passes: first column and row, and the steps between them. */
const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/**
 * How many bytes a PNG's pixel data inflates to, by its IHDR: each row of each pass is one
 * filter-type byte and the row's pixels. Undefined when IHDR is missing or invalid.
 */
export function pngPixelDataBytes(bytes: Uint8Array): number | undefined {
  const size = pngSize(bytes);
  if (!size || bytes.length < 29) return undefined;
  const bitDepth = bytes[24], channels = PNG_CHANNELS[bytes[25]], interlaced = bytes[28] === 1;
  if (!channels || ![1, 2, 4, 8, 16].includes(bitDepth)) return undefined;
  const rowsOf = (width: number, height: number) => (width > 0 && height > 0 ? height * (1 + Math.ceil((width * channels * bitDepth) / 8)) : 0);
  if (!interlaced) return rowsOf(size.width, size.height);
  return ADAM7.reduce((sum, [x0, y0, dx, dy]) => sum + rowsOf(Math.ceil((size.width - x0) / dx), Math.ceil((size.height - y0) / dy)), 0);
}
