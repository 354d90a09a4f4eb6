/**
 * EXIF blocks written byte by byte, for JPEGs whose orientation tag a test chooses:
 * every orientation, either byte order, and damaged blocks.
 */
import { pngChunk } from "./png";

export type ByteOrder = "II" | "MM";

/** Bytes of a number in the TIFF block's byte order. */
function uint(value: number, size: 2 | 4, order: ByteOrder): number[] {
  const bytes = Array.from({ length: size }, (_, k) => (value >>> (8 * k)) & 0xff); // little-endian
  return order === "II" ? bytes : bytes.reverse();
}

/**
 * A TIFF block as EXIF stores it: header, then IFD0 with a Make entry ("Cam") before
 * the Orientation entry (so the parser must walk past other tags), then no next IFD.
 */
export function exifTiff(orientation: number, order: ByteOrder = "II"): number[] {
  const u16 = (v: number) => uint(v, 2, order), u32 = (v: number) => uint(v, 4, order);
  const make = [...u16(0x010f), ...u16(2 /* ASCII */), ...u32(4), 0x43, 0x61, 0x6d, 0x00];
  const orient = [...u16(0x0112), ...u16(3 /* SHORT */), ...u32(1), ...u16(orientation), 0, 0];
  return [order.charCodeAt(0), order.charCodeAt(1), ...u16(42), ...u32(8), ...u16(2), ...make, ...orient, ...u32(0)];
}

/** An APP1 segment holding `payload` (for EXIF: "Exif\0\0" and a TIFF block). */
export function app1(payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, 0xe1, length >> 8, length & 0xff, ...payload];
}

export const EXIF = [0x45, 0x78, 0x69, 0x66, 0, 0];

/** The JPEG with `segments` inserted right after its SOI marker, where cameras put EXIF. */
export function withSegments(jpeg: Uint8Array, ...segments: number[][]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...segments.map((s) => Buffer.from(s)), jpeg.subarray(2)]);
}

/** A JPEG tagged with one EXIF orientation, as a phone writes it. */
export function withOrientation(jpeg: Uint8Array, orientation: number, order: ByteOrder = "II"): Buffer {
  return withSegments(jpeg, app1([...EXIF, ...exifTiff(orientation, order)]));
}

/**
 * The PNG with an eXIf chunk holding `tiff`: right after IHDR, where the PNG spec puts it,
 * or (`afterPixels`) just before IEND, where viewers no longer look for it.
 */
export function pngWithExif(png: Uint8Array, tiff: number[], afterPixels = false): Buffer {
  const at = afterPixels ? png.length - 12 : 8 + 25; // IEND is the last 12 bytes; IHDR is 25 after the signature
  return Buffer.concat([png.subarray(0, at), pngChunk("eXIf", tiff), png.subarray(at)]);
}
