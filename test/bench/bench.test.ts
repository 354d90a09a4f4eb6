/**
 * `digit-lab bench --json` on a small slice of real MNIST: one JSON array with the
 * documented fields, sane positive numbers, and the markdown table written to --markdown.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { benchMarkdown, median, type BenchResult } from "../../src/bench";

const REPO = path.resolve(__dirname, "../..");
const DATA_DIR = process.env.DIGIT_LAB_DATA_DIR ?? "/work/shared/data";

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO, "bin/digit-lab.js"), ...args], { cwd: REPO, env: { ...process.env, DIGIT_LAB_DATA_DIR: DATA_DIR }, maxBuffer: 1 << 24 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test("bench --json reports each model with positive timings and writes the markdown table", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-bench-"));
  const markdown = path.join(dir, "bench.md");
  try {
    const r = await runCli(["bench", "--json", "--models", "dense-128,cnn", "--train-limit", "400", "--epochs", "1", "--batch-size", "64", "--backend", "wasm", "--path", "fast", "--threads", "2", "--markdown", markdown]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as BenchResult[];
    assert.ok(Array.isArray(results) && results.length === 2, r.stdout);
    assert.deepEqual(results.map((x) => x.model), ["dense-128", "cnn"]);
    for (const x of results) {
      assert.equal(x.backend, "wasm");
      assert.equal(x.batchSize, 64);
      for (const key of ["secondsPerEpoch", "cpuSecondsPerEpoch", "samplesPerSecond", "peakRssMb"] as const) {
        assert.ok(typeof x[key] === "number" && Number.isFinite(x[key]) && x[key] > 0, `${x.model}.${key} = ${x[key]}`);
      }
      assert.equal(x.trainSamples, 320, "80% of the 400-image limit trains");
      assert.equal(x.validationSamples, 80);
      assert.equal(x.epochSeconds.length, 2, "one warm-up + one measured epoch");
      assert.ok(Math.abs(x.samplesPerSecond * x.secondsPerEpoch - x.trainSamples) <= x.secondsPerEpoch, "samplesPerSecond = trainSamples / secondsPerEpoch");
      assert.ok(x.testAccuracy > 0.3 && x.testAccuracy <= 1, `${x.model} learned nothing: test accuracy ${x.testAccuracy}`);
    }
    assert.deepEqual(results.map((x) => x.threads), [2, 2], "both train on the 2 threads asked for (the CNN's convolutions split between them)");
    const table = fs.readFileSync(markdown, "utf8");
    assert.match(table, /\| model \| backend \| path \| threads \| batch \| s\/epoch \| cpu s\/epoch/);
    assert.match(table, /\| dense-128 \| wasm \| fast \| 2 \| 64 \|/);
    assert.match(table, /\| cnn \| wasm \| fast \| 2 \| 64 \|/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("bench rejects a bad flag value with a usage error", async () => {
  const r = await runCli(["bench", "--epochs", "0", "--json"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--epochs must be a whole number of at least 1/);
  assert.equal(r.stdout, "");
});

test("median and the markdown table are computed from the numbers given", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  const row: BenchResult = {
    model: "dense-128", backend: "wasm", path: "reference", threads: 1, batchSize: 32, secondsPerEpoch: 1.5, cpuSecondsPerEpoch: 1.4, samplesPerSecond: 32000, peakRssMb: 512,
    dataLoadSeconds: 0.2, trainSamples: 48000, validationSamples: 12000, epochSeconds: [2, 1.5, 1.6, 1.4], warmupEpochs: 1,
    testAccuracy: 0.975, params: 101770,
  };
  const md = benchMarkdown([row]);
  assert.match(md, /\| dense-128 \| wasm \| reference \| 1 \| 32 \| 1\.50 \| 1\.40 \| 32,000 \| 0\.9750 \| 512 \| 0\.20 \| \(2\.00\) 1\.50 1\.60 1\.40 \|/);
  assert.match(md, /48,000 training \+ 12,000 validation/);
});
