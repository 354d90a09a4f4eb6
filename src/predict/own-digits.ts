/**
 * Sample "own digits": MNIST test digits redrawn to look like people's pictures of
 * digits (see preprocess/simulate), saved as JPEG files named `<digit>_<index>.jpg`
 * so the true digit is known. The notebook shows them; the robustness test measures
 * how well a model reads them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadMnist, type ImageSet } from "../data";
import { encodeJpeg } from "../preprocess/files";
import { paperPhoto, randomPaperLook } from "../preprocess/simulate";
import { writeDirAtomic } from "../util/atomic-write";
import { createRng, seededPermutation } from "../util/random";

export const OWN_DIGITS_DIR = path.resolve(__dirname, "..", "..", "data", "own-digits");

/**
 * Writes `set`'s images at `indices` as paper-photo JPEGs into `dir` (which must exist).
 * Deterministic for a given seed. Returns the file paths, in order.
 */
export function writePaperDigits(set: ImageSet, indices: ArrayLike<number>, dir: string, seed = 7): string[] {
  const rng = createRng(seed);
  const size = set.rows * set.cols;
  const files: string[] = [];
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k];
    const pixels = new Float32Array(size);
    for (let p = 0; p < size; p++) pixels[p] = set.images[i * size + p] / 255;
    const look = randomPaperLook(rng);
    const photo = paperPhoto(pixels, look, rng);
    const file = path.join(dir, `${set.labels[i]}_${String(i).padStart(5, "0")}.jpg`);
    fs.writeFileSync(file, encodeJpeg(photo, 70 + Math.floor(rng() * 21)));
    files.push(file);
  }
  return files;
}

export interface OwnDigitsOptions {
  /** Default `<project>/data/own-digits`. */
  dir?: string;
  /** How many images (default 12). */
  count?: number;
  seed?: number;
  dataDir?: string;
}

/** Returns a folder of sample digit pictures, generating it from MNIST's test set if it is missing. */
export async function ensureOwnDigits(options: OwnDigitsOptions = {}): Promise<string> {
  const dir = path.resolve(options.dir ?? OWN_DIGITS_DIR);
  if (fs.existsSync(dir) && fs.readdirSync(dir).some((f) => /\.(png|jpe?g)$/i.test(f))) return dir;
  const data = await loadMnist({ dataDir: options.dataDir });
  const count = options.count ?? 12;
  const indices = seededPermutation(data.test.count, options.seed ?? 7).subarray(0, count);
  await writeDirAtomic(dir, (tmp) => {
    writePaperDigits(data.test, indices, tmp, options.seed ?? 7);
  });
  return dir;
}
