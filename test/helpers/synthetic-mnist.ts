/** Small synthetic MNIST-format files for tests of the loader's parsing and error paths. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { encodeIdx } from "../../src/data";

export function tempDir(prefix = "digit-lab-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Deterministic images (count × 28 × 28) and labels 0..9 cycling. */
export function syntheticSet(count: number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7919) % 256;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
  return { images, labels };
}

/** Writes an IDX file (gzipped when the name ends in .gz). */
export function writeIdx(file: string, dims: number[], data: Uint8Array): void {
  const bytes = encodeIdx(dims, data);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, file.endsWith(".gz") ? zlib.gzipSync(bytes) : bytes);
}

/** A `<root>/mnist/` folder with the four files, decompressed (the loader accepts those unverified). */
export function writeSyntheticDataset(root: string, trainCount = 50, testCount = 20): void {
  const dir = path.join(root, "mnist");
  const train = syntheticSet(trainCount);
  const test = syntheticSet(testCount);
  writeIdx(path.join(dir, "train-images-idx3-ubyte"), [trainCount, 28, 28], train.images);
  writeIdx(path.join(dir, "train-labels-idx1-ubyte"), [trainCount], train.labels);
  writeIdx(path.join(dir, "t10k-images-idx3-ubyte"), [testCount, 28, 28], test.images);
  writeIdx(path.join(dir, "t10k-labels-idx1-ubyte"), [testCount], test.labels);
}
