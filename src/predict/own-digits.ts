/**
 * Sample "own digits": MNIST test digits redrawn to look like people's pictures of
 * digits (see preprocess/simulate), saved as JPEG files named `<digit>_<index>.jpg`
 * so the true digit is known. The notebook shows them; the robustness test measures
 * how well a model reads them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadMnist, type ImageSet } from "../data";
import { encodeJpeg, IMAGE_EXTENSIONS, isHiddenEntry } from "../preprocess/files";
import { paperPhoto, randomPaperLook } from "../preprocess/simulate";
import { UsageError } from "../errors";
import { summarizeEntries, writeDirAtomic } from "../util/atomic-write";
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
  const entries = fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : [];
  if (holdsPictures(dir, entries)) return dir;
  // The user's own files, none of them PNG or JPEG (phone photos are often HEIC, a Mac zip may
  // hold only its __MACOSX companions): say so, rather than the generic refusal to write the
  // samples into a folder that is not empty.
  if (entries.length > 0) {
    throw new UsageError(`holds no .png, .jpg or .jpeg pictures (it holds ${summarizeEntries(entries)}); `
      + "digit-lab reads PNG and JPEG: convert your pictures, or empty the folder to get the sample digits back", dir);
  }
  const data = await loadMnist({ dataDir: options.dataDir });
  const count = options.count ?? 12;
  const indices = seededPermutation(data.test.count, options.seed ?? 7).subarray(0, count);
  await writeDirAtomic(dir, (tmp) => {
    writePaperDigits(data.test, indices, tmp, options.seed ?? 7);
  });
  return dir;
}

/**
 * Whether `dir` (whose entries are given) holds a PNG or JPEG, directly or in sub-folders (`7/…`),
 * passing over hidden entries as `predict`'s folder walk (collectImageFiles) does.
 */
function holdsPictures(dir: string, entries: string[]): boolean {
  return entries.filter((name) => !isHiddenEntry(name)).some((name) => {
    const p = path.join(dir, name);
    if (IMAGE_EXTENSIONS.includes(path.extname(name).toLowerCase())) return true;
    return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() === true && holdsPictures(p, fs.readdirSync(p));
  });
}
