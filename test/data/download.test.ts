/**
 * Downloads through a local HTTP mirror on 127.0.0.1 that serves the real MNIST files,
 * so the whole path (mirror fallback, checksum, atomic cache) runs without internet.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as path from "node:path";
import type { AddressInfo } from "node:net";
import { DATASETS, loadMnist, sha256 } from "../../src/data";
import { DataError } from "../../src/errors";
import { REAL_DATA_DIR } from "../helpers/paths";
import { tempDir } from "../helpers/synthetic-mnist";

let server: http.Server;
let base = "";
const requests: string[] = [];

before(async () => {
  server = http.createServer((req, res) => {
    requests.push(req.url ?? "");
    const [, mirror, name, nameInDataset] = (req.url ?? "").split("/");
    // /good/<file>: MNIST's files; /by-dataset/<dataset>/<file>: either dataset's.
    const file =
      mirror === "by-dataset"
        ? path.join(REAL_DATA_DIR, path.basename(name ?? ""), path.basename(nameInDataset ?? ""))
        : path.join(REAL_DATA_DIR, "mnist", path.basename(name ?? ""));
    if (mirror === "broken") return void res.writeHead(503).end();
    if (mirror === "corrupt") return void res.writeHead(200).end(Buffer.from("these are not the bytes you are looking for"));
    if ((mirror !== "good" && mirror !== "by-dataset") || !fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/octet-stream" });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => server.close());

test("downloads missing files, trying the next mirror after a failure, and verifies them", async () => {
  const root = tempDir();
  const lines: string[] = [];
  const data = await loadMnist({ dataDir: root, mirrors: [`${base}/broken/`, `${base}/good/`], log: (l) => lines.push(l) });
  assert.equal(data.train.count, 60000);
  assert.equal(data.test.count, 10000);
  assert.equal(data.sha256Verified, true);
  for (const spec of Object.values(DATASETS.mnist.files)) {
    const cached = fs.readFileSync(path.join(root, "mnist", spec.name));
    assert.equal(sha256(cached), spec.sha256, `${spec.name} cached intact`);
  }
  assert.equal(lines.filter((l) => l.includes("/broken/")).length, 4, "each file tried the broken mirror first");
  assert.deepEqual(fs.readdirSync(path.join(root, "mnist")).sort(), Object.values(DATASETS.mnist.files).map((f) => f.name).sort());

  // Loading again through another path to the same folder (not the in-process memo)
  // reads the cached files: no new requests.
  const before = requests.length;
  const sameFolder = root + "-link";
  fs.symlinkSync(root, sameFolder);
  const again = await loadMnist({ dataDir: sameFolder, mirrors: [`${base}/good/`], log: () => {} });
  assert.notEqual(again, data);
  assert.equal(again.sha256Verified, true);
  assert.equal(requests.length, before);
});

test("a download that fails its checksum on every mirror leaves no file behind", async () => {
  const root = tempDir();
  await assert.rejects(
    loadMnist({ dataDir: root, mirrors: [`${base}/corrupt/`], log: () => {} }),
    (e: Error) => e instanceof DataError && /train-images-idx3-ubyte.gz: missing, and it could not be downloaded/.test(e.message) && /checksum mismatch/.test(e.message),
  );
  const left = fs.existsSync(path.join(root, "mnist")) ? fs.readdirSync(path.join(root, "mnist")) : [];
  assert.deepEqual(left, [], "no partial or temporary file in the cache");
});

test("DIGIT_LAB_MIRRORS: {dataset} in a mirror URL stands for the dataset's folder, so one setting serves both", async () => {
  const root = tempDir();
  const saved = process.env.DIGIT_LAB_MIRRORS;
  process.env.DIGIT_LAB_MIRRORS = `${base}/broken/, ${base}/by-dataset/{dataset}/`;
  try {
    const fashion = await loadMnist({ dataset: "fashion-mnist", dataDir: root, log: () => {} });
    assert.equal(fashion.sha256Verified, true);
    assert.ok(requests.includes("/by-dataset/fashion-mnist/train-images-idx3-ubyte.gz"), requests.join(" "));
    const mnist = await loadMnist({ dataset: "mnist", dataDir: root, log: () => {} });
    assert.equal(mnist.sha256Verified, true);
    assert.ok(requests.includes("/by-dataset/mnist/t10k-labels-idx1-ubyte.gz"), requests.join(" "));
    // Same file names, different bytes: each folder holds its own dataset's originals.
    for (const dataset of ["mnist", "fashion-mnist"] as const) {
      for (const spec of Object.values(DATASETS[dataset].files)) {
        assert.equal(sha256(fs.readFileSync(path.join(root, dataset, spec.name))), spec.sha256, `${dataset}/${spec.name}`);
      }
    }
  } finally {
    if (saved === undefined) delete process.env.DIGIT_LAB_MIRRORS;
    else process.env.DIGIT_LAB_MIRRORS = saved;
  }
});
