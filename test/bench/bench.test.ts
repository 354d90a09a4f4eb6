/**
 * `digit-lab bench --json` on a small slice of real MNIST: one JSON array with the
 * documented fields, sane positive numbers, and the markdown table written to --markdown.
 * What a model's run measures (training time without validation, RSS sampled during its run)
 * is checked on the meter with given numbers, and in this process against a real memory peak.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { benchMarkdown, median, runBenchmark, runMeter, type BenchResult } from "../../src/bench";
import { initBackend } from "../../src/backend";
import { loadMnist } from "../../src/data";

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
      for (const key of ["secondsPerEpoch", "trainSecondsPerEpoch", "cpuSecondsPerEpoch", "samplesPerSecond", "peakRssMb"] as const) {
        assert.ok(typeof x[key] === "number" && Number.isFinite(x[key]) && x[key] > 0, `${x.model}.${key} = ${x[key]}`);
      }
      assert.equal(x.trainSamples, 320, "80% of the 400-image limit trains");
      assert.equal(x.validationSamples, 80);
      assert.equal(x.epochSeconds.length, 2, "one warm-up + one measured epoch");
      // One measured epoch: its training time (without validation) is part of its wall time, and throughput comes from it.
      assert.ok(x.trainSecondsPerEpoch <= x.secondsPerEpoch, `${x.model}: training ${x.trainSecondsPerEpoch} s > epoch ${x.secondsPerEpoch} s`);
      assert.equal(x.samplesPerSecond, Math.round(x.trainSamples / x.trainSecondsPerEpoch), "samplesPerSecond = trainSamples / trainSecondsPerEpoch");
      assert.ok(x.testAccuracy > 0.3 && x.testAccuracy <= 1, `${x.model} learned nothing: test accuracy ${x.testAccuracy}`);
    }
    assert.deepEqual(results.map((x) => x.threads), [2, 2], "both train on the 2 threads asked for (the CNN's convolutions split between them)");
    const table = fs.readFileSync(markdown, "utf8");
    assert.match(table, /\| model \| backend \| path \| threads \| batch \| s\/epoch \| cpu s\/epoch \| train s\/epoch \| train samples\/s \| test acc \| peak RSS MiB \(sampled during run\) \|/);
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
    model: "dense-128", backend: "wasm", path: "reference", threads: 1, batchSize: 32, secondsPerEpoch: 1.5, cpuSecondsPerEpoch: 1.4, trainSecondsPerEpoch: 1.2, samplesPerSecond: 40000, peakRssMb: 512,
    dataLoadSeconds: 0.2, trainSamples: 48000, validationSamples: 12000, epochSeconds: [2, 1.5, 1.6, 1.4], warmupEpochs: 1,
    testAccuracy: 0.975, params: 101770,
  };
  const md = benchMarkdown([row]);
  assert.match(md, /\| dense-128 \| wasm \| reference \| 1 \| 32 \| 1\.50 \| 1\.40 \| 1\.20 \| 40,000 \| 0\.9750 \| 512 \| 0\.20 \| \(2\.00\) 1\.50 1\.60 1\.40 \|/);
  assert.match(md, /48,000 training \+ 12,000 validation/);
  assert.match(md, /train s\/epoch is the median wall time without the validation pass/);
  assert.match(md, /largest resident memory of the process \(MiB\) sampled during that model's run/);
});

test("the run meter: training time from an epoch's last batch report, peak RSS from its own samples only", () => {
  const rss = [300, 450, 400, 380, 420, 390, 410].map((mb) => mb * 2 ** 20);
  let calls = 0;
  const meter = runMeter(() => rss[calls++]); // samples 300 MiB at once
  const batch = { epochs: 2, batches: 10, loss: 1, accuracy: 0.5 };
  meter.onBatchEnd({ ...batch, epoch: 1, batch: 4, seconds: 0.4 }); // 450: a throttled report mid-epoch
  meter.onBatchEnd({ ...batch, epoch: 1, batch: 10, seconds: 0.9 }); // 400: the last batch
  meter.onEpochEnd({ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, seconds: 1.3 }); // 380
  meter.onBatchEnd({ ...batch, epoch: 2, batch: 10, seconds: 0.8 }); // 420
  meter.onEpochEnd({ epoch: 2, loss: 1, accuracy: 0.5, valLoss: 1, valAccuracy: 0.5, seconds: 1.1 }); // 390
  assert.deepEqual(meter.trainSeconds, [0.9, 0.8], "the epoch's seconds up to its last batch, not its 1.3 and 1.1 s with validation");
  assert.equal(meter.peakRssMb(), 450);
  meter.sample(); // 410
  assert.equal(meter.peakRssMb(), 450);
  assert.equal(calls, 7, "sampled at the start, on every report and epoch end, and when asked");
  // A meter made later knows nothing of the 450 MiB before it.
  const later = runMeter(() => 200 * 2 ** 20);
  assert.equal(later.peakRssMb(), 200);
  // An epoch whose last batch was never reported has no training time: say so rather than guess.
  const blind = runMeter(() => 0);
  assert.throws(() => blind.onEpochEnd({ epoch: 1, loss: 1, accuracy: 0.5, seconds: 1 }), /did not report the last batch of epoch 1/);
});

const mib = (bytes: number) => bytes / 2 ** 20;

/** The process's RSS (MiB) while it holds `size` MiB of written memory, which is garbage once this returns. */
function rssWhileHolding(size: number): number {
  const block = Buffer.alloc(size * 2 ** 20, 1);
  return mib(process.memoryUsage.rss()) + (block.length > 0 ? 0 : NaN);
}

test("runBenchmark: a model's peakRssMb is sampled during its own run, so a memory peak before it does not count", async () => {
  await initBackend({ backend: "wasm", log: null });
  const data = await loadMnist({ dataDir: DATA_DIR });
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  const SPIKE_MIB = 400;
  // A peak the process reaches and gives back before the benchmark, as an earlier, hungrier model would.
  const rssAtSpike = rssWhileHolding(SPIKE_MIB);
  // V8 may free the buffer's memory a little later (concurrent sweeping): collect until it is given back.
  for (let i = 0; i < 30 && mib(process.memoryUsage.rss()) >= rssAtSpike - SPIKE_MIB / 2; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const rssBefore = mib(process.memoryUsage.rss());
  assert.ok(rssBefore < rssAtSpike - SPIKE_MIB / 2, `the spike was not given back: ${rssAtSpike.toFixed(0)} → ${rssBefore.toFixed(0)} MiB`);

  const [result] = await runBenchmark({ data, models: ["dense-128"], trainLimit: 1000, epochs: 1, warmupEpochs: 0, batchSize: 64 });
  const processPeak = process.resourceUsage().maxRSS / 1024;
  assert.ok(processPeak >= rssAtSpike - 1, `the process high-water mark ${processPeak} MiB holds the spike (${rssAtSpike.toFixed(0)} MiB)`);
  assert.ok(result.peakRssMb < processPeak - SPIKE_MIB / 2, `peakRssMb ${result.peakRssMb} MiB counts the ${SPIKE_MIB} MiB peak from before the run (process high-water mark ${processPeak.toFixed(0)} MiB)`);
  assert.ok(result.peakRssMb >= rssBefore / 2, `peakRssMb ${result.peakRssMb} MiB is not a resident size (${rssBefore.toFixed(0)} MiB before the run)`);
  assert.ok(result.trainSecondsPerEpoch > 0 && result.trainSecondsPerEpoch <= result.secondsPerEpoch);
});
