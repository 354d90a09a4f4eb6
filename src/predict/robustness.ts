/**
 * How well a model reads people's pictures compared with MNIST's own images: MNIST test
 * digits are redrawn as photographed paper (writePaperDigits: dark ink on a large light
 * canvas, off-centre, thin pen or marker, uneven light, blur, JPEG files on disk) and read
 * back through `predictFiles`, the code path of `digit-lab predict`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { tf } from "../backend";
import { subset, type ImageSet } from "../data";
import { evaluate } from "../eval/evaluate";
import { preprocess } from "../preprocess";
import { seededPermutation } from "../util/random";
import { predictFiles, predictPixels } from "./index";
import { writePaperDigits } from "./own-digits";

export interface RobustnessResult {
  count: number;
  /** Accuracy on the original 28×28 test images. */
  clean: number;
  /** Accuracy on the original images after going through preprocessing (should cost ~nothing). */
  cleanPreprocessed: number;
  /** Accuracy on the photographed-looking JPEG files. */
  photographed: number;
  /** Files that could not be read (should be none). */
  failures: number;
}

/** Measures `model` on `count` test digits chosen by `seed`, clean and photographed. */
export async function measureRobustness(model: tf.LayersModel, test: ImageSet, options: { count?: number; seed?: number } = {}): Promise<RobustnessResult> {
  const count = Math.min(options.count ?? 1000, test.count);
  const seed = options.seed ?? 2024;
  const indices = seededPermutation(test.count, seed).subarray(0, count);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-robustness-"));
  try {
    writePaperDigits(test, indices, dir, seed);
    const clean = await evaluate(model, subset(test, indices));
    const read = await predictFiles(model, [dir]);
    const pixels = test.rows * test.cols;
    const again = Array.from(indices, (i) => {
      const grey = Float32Array.from(test.images.subarray(i * pixels, (i + 1) * pixels), (v) => v / 255);
      return preprocess({ width: test.cols, height: test.rows, data: grey }).pixels;
    });
    const predicted = await predictPixels(model, again);
    const cleanPreprocessed = predicted.filter((p, k) => p.digit === test.labels[indices[k]]).length / count;
    return { count, clean: clean.accuracy, cleanPreprocessed, photographed: read.accuracy ?? 0, failures: read.failures.length };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
