import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { DataError, UsageError } from "../../src/errors";
import { encodeIdx, head, loadMnist, parseIdx, readIdxFile, type DatasetName } from "../../src/data";
import { syntheticSet, tempDir, writeIdx, writeSyntheticDataset } from "../helpers/synthetic-mnist";

test("parses images and labels, raw and gzipped", () => {
  const { images, labels } = syntheticSet(3);
  const raw = encodeIdx([3, 28, 28], images);
  for (const bytes of [raw, zlib.gzipSync(raw)]) {
    const parsed = parseIdx(bytes, "x", 3);
    assert.deepEqual(parsed.dims, [3, 28, 28]);
    assert.deepEqual(Array.from(parsed.data.subarray(0, 5)), Array.from(images.subarray(0, 5)));
    assert.equal(parsed.data.length, 3 * 784);
  }
  assert.deepEqual(Array.from(parseIdx(encodeIdx([3], labels), "y", 1).data), [0, 1, 2]);
});

test("wrong magic number names the file and the magic", () => {
  const bytes = encodeIdx([2], new Uint8Array([1, 2]));
  bytes[2] = 0x0d; // float instead of ubyte
  assert.throws(() => parseIdx(bytes, "/d/labels", 1), (e: Error) => e instanceof DataError && /\/d\/labels: .*wrong magic number 0x00000d01/.test(e.message));
  const labelsAsImages = encodeIdx([2], new Uint8Array([1, 2]));
  assert.throws(() => parseIdx(labelsAsImages, "/d/imgs", 3), /\/d\/imgs: wrong magic number 0x00000801: expected images/);
  assert.throws(() => parseIdx(new TextEncoder().encode("hello world"), "/d/t.txt"), /\/d\/t.txt: not an IDX file/);
});

test("truncated files and extra bytes are reported with the sizes", () => {
  const bytes = encodeIdx([4, 28, 28], syntheticSet(4).images);
  assert.throws(() => parseIdx(bytes.subarray(0, bytes.length - 100), "f", 3), /f: truncated: the header promises 4×28×28 = 3136 values, the file holds 3036/);
  assert.throws(() => parseIdx(bytes.subarray(0, 10), "f", 3), /f: truncated: the header needs 16 bytes/);
  const longer = new Uint8Array(bytes.length + 3);
  longer.set(bytes);
  assert.throws(() => parseIdx(longer, "f", 3), /f: 3 unexpected bytes/);
  const gz = zlib.gzipSync(bytes);
  assert.throws(() => parseIdx(gz.subarray(0, gz.length / 2), "f.gz", 3), /f.gz: damaged gzip data/);
});

test("loads a dataset folder of decompressed files, unverified", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  const data = await loadMnist({ dataDir: root, download: false });
  assert.equal(data.train.count, 50);
  assert.equal(data.test.count, 20);
  assert.equal(data.train.rows, 28);
  assert.equal(data.sha256Verified, false);
  assert.equal(data.train.labels[13], 3);
});

test("image/label count mismatch names both files", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  writeIdx(path.join(root, "mnist", "t10k-labels-idx1-ubyte"), [19], syntheticSet(19).labels);
  await assert.rejects(loadMnist({ dataDir: root, download: false }), (e: Error) =>
    e instanceof DataError && /t10k-labels-idx1-ubyte: 19 labels for 20 images in .*t10k-images-idx3-ubyte/.test(e.message));
});

test("labels outside 0-9 are rejected", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  const labels = syntheticSet(20).labels;
  labels[5] = 42;
  writeIdx(path.join(root, "mnist", "t10k-labels-idx1-ubyte"), [20], labels);
  await assert.rejects(loadMnist({ dataDir: root, download: false }), /label 42 at index 5 is not a class 0–9/);
});

test("a gzip file that does not match the published checksum is refused", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  // A well-formed but non-original gzip file where the original is expected.
  writeIdx(path.join(root, "mnist", "train-images-idx3-ubyte.gz"), [50, 28, 28], syntheticSet(50).images);
  await assert.rejects(loadMnist({ dataDir: root, download: false }), (e: Error) =>
    e instanceof DataError && /train-images-idx3-ubyte.gz: checksum mismatch: sha256 is [0-9a-f]{64}, the published value is 440fcabf/.test(e.message));
});

test("a missing file while downloads are off, or offline, names the file", async () => {
  const root = tempDir();
  await assert.rejects(loadMnist({ dataDir: root, download: false }), /mnist\/train-images-idx3-ubyte.gz: missing \(downloads are turned off\)/);
  // An unreachable mirror stands in for being offline.
  await assert.rejects(
    loadMnist({ dataDir: root, mirrors: ["http://127.0.0.1:9/"], log: () => {} }),
    (e: Error) => e instanceof DataError && /train-images-idx3-ubyte.gz: missing, and it could not be downloaded:\n  http:\/\/127.0.0.1:9\/train-images-idx3-ubyte.gz: fetch failed/.test(e.message) && /offline/.test(e.message),
  );
  assert.deepEqual(fs.readdirSync(root).flatMap((d) => fs.readdirSync(path.join(root, d))), [], "nothing half-written");
  // Every missing file is named at once, not one per attempt; files already there are not.
  await assert.rejects(loadMnist({ dataDir: root, download: false }),
    /\nAlso missing there: train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz\.$/);
  const partial = tempDir();
  writeSyntheticDataset(partial, 50, 20);
  fs.rmSync(path.join(partial, "mnist", "train-images-idx3-ubyte"));
  fs.rmSync(path.join(partial, "mnist", "t10k-labels-idx1-ubyte"));
  await assert.rejects(loadMnist({ dataDir: partial, download: false }), /downloads are turned off\)\nAlso missing there: t10k-labels-idx1-ubyte.gz\.$/);
});

test("a data root given as the dataset's own folder is pointed out, without a download", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  const datasetDir = path.join(root, "mnist");
  // The unreachable mirror would make any download attempt fail with another message.
  await assert.rejects(
    loadMnist({ dataDir: datasetDir, mirrors: ["http://127.0.0.1:9/"], log: () => {} }),
    (e: Error) => e instanceof DataError && e.message.includes(`missing, but ${path.join(datasetDir, "train-images-idx3-ubyte")} is there`)
      && e.message.endsWith(`so give ${root} rather than ${datasetDir}`), // no "Also missing" list after it: the hint covers them
  );
});

test("a data folder that is not a directory, or a data file that is one, is reported", async () => {
  const root = tempDir();
  fs.writeFileSync(path.join(root, "mnist"), "not a folder");
  await assert.rejects(loadMnist({ dataDir: root, download: false }), /mnist: the data folder is not a directory/);
  assert.throws(() => readIdxFile(root), /cannot read: is a folder, not a file/);
  assert.throws(() => readIdxFile(path.join(root, "nope")), /nope: cannot read: no such file/);
});

test("a misspelled dataset name is a UsageError listing the choices (a rejection, not a crash)", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  const loading = loadMnist({ dataset: "mnsit" as DatasetName, dataDir: root, download: false });
  await assert.rejects(loading, (e: Error) => e instanceof UsageError && e.message === 'unknown dataset "mnsit": choose one of mnist, fashion-mnist');
  assert.equal((await loadMnist({ dataset: "mnist", dataDir: root, download: false })).train.count, 50);
});

test("head takes the first n examples and refuses a negative or fractional n, or a whole dataset", async () => {
  const root = tempDir();
  writeSyntheticDataset(root, 50, 20);
  const data = await loadMnist({ dataDir: root, download: false });
  const first = head(data.train, 7);
  assert.equal(first.count, 7);
  assert.equal(first.images.length, 7 * 784);
  assert.deepEqual(Array.from(first.labels), Array.from(data.train.labels.subarray(0, 7)));
  assert.equal(head(data.train, 0).count, 0);
  assert.equal(head(data.train, 1000).count, 50, "more than there are: all of them");
  for (const [n, shown] of [[-5, "-5"], [2.5, "2.5"], [NaN, "NaN"], ["10", '"10"']] as const) {
    assert.throws(() => head(data.train, n as number), { name: "RangeError", message: `head: n must be a whole number ≥ 0, got ${shown}` });
  }
  assert.throws(() => head(data as never, 10), { name: "UsageError", message: "head takes an ImageSet such as mnist.train, not the whole dataset" });
});
