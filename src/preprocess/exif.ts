/**
 * The EXIF Orientation tag of a JPEG or PNG. Phones store the sensor's pixels as they
 * come and record how to turn them in this tag; browsers and photo viewers apply it, so
 * a digit the user sees upright is stored sideways. A small parser for that one tag:
 * JPEG APP1 "Exif\0\0" or PNG eXIf chunk → TIFF header (II/MM byte order) → IFD0 → tag 0x0112.
 * Anything malformed reads as 1 (upright, as stored), as browsers treat it.
 */
import { jpegSegments, pngChunksBeforePixels } from "./headers";
import type { Orientation } from "./orientation";

const APP1 = 0xe1;
const EXIF_HEADER = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00]; // "Exif\0\0"
const ORIENTATION_TAG = 0x0112;
const TIFF_SHORT = 3;
const IFD_ENTRY_SIZE = 12;

/** The orientation a JPEG's EXIF block asks for, 1–8; 1 when there is none or it is malformed. */
export function jpegOrientation(bytes: Uint8Array): Orientation {
  for (const segment of jpegSegments(bytes)) {
    if (segment.marker !== APP1 || segment.end - segment.start < EXIF_HEADER.length) continue;
    if (!EXIF_HEADER.every((b, i) => bytes[segment.start + i] === b)) continue; // e.g. an XMP APP1
    // Offsets inside EXIF count from the TIFF header, so work on a view that starts there.
    const tiff = bytes.subarray(segment.start + EXIF_HEADER.length, segment.end);
    return tiffOrientation(tiff);
  }
  return 1;
}

/**
 * The orientation a PNG's eXIf chunk asks for, 1–8; 1 when there is none or it is malformed.
 * Like Chromium, only an eXIf chunk before the pixel data (IDAT) counts.
 */
export function pngOrientation(bytes: Uint8Array): Orientation {
  const exif = pngChunksBeforePixels(bytes).find((c) => c.type === "eXIf");
  return exif ? tiffOrientation(bytes.subarray(exif.start, exif.end)) : 1;
}

/** The Orientation entry of a TIFF block's first IFD, or 1. */
export function tiffOrientation(tiff: Uint8Array): Orientation {
  if (tiff.length < 8) return 1;
  const little = tiff[0] === 0x49 && tiff[1] === 0x49; // "II": Intel, little-endian
  const big = tiff[0] === 0x4d && tiff[1] === 0x4d; // "MM": Motorola, big-endian
  if (!little && !big) return 1;
  const u16 = (at: number) => (little ? tiff[at] | (tiff[at + 1] << 8) : (tiff[at] << 8) | tiff[at + 1]);
  const u32 = (at: number) => (little
    ? tiff[at] + tiff[at + 1] * 0x100 + tiff[at + 2] * 0x10000 + tiff[at + 3] * 0x1000000
    : tiff[at] * 0x1000000 + tiff[at + 1] * 0x10000 + tiff[at + 2] * 0x100 + tiff[at + 3]);
  if (u16(2) !== 42) return 1; // TIFF's magic number
  const ifd = u32(4);
  if (ifd < 8 || ifd + 2 > tiff.length) return 1;
  const entries = u16(ifd);
  // Read only the entries that are really there: a count larger than the block is damage.
  for (let k = 0; k < entries; k++) {
    const entry = ifd + 2 + k * IFD_ENTRY_SIZE;
    if (entry + IFD_ENTRY_SIZE > tiff.length) break;
    if (u16(entry) !== ORIENTATION_TAG) continue;
    // One SHORT, stored in the first two bytes of the entry's value field.
    if (u16(entry + 2) !== TIFF_SHORT || u32(entry + 4) !== 1) return 1;
    const value = u16(entry + 8);
    return value >= 1 && value <= 8 ? (value as Orientation) : 1;
  }
  return 1;
}
