/**
 * Kernel → Interrupt (SIGINT to the kernel) stops a training run after the current batch and
 * throws, so that the rest of the cell does not run; tslab alone would abandon the cell and leave
 * the loop running in the background (test/notebooks/kernel-interrupt.test.ts: the real kernel). Outside a kernel
 * nothing listens, so Ctrl-C still ends a CLI run. A stopped comparison caches nothing.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { compareArchitectures, ComparisonStopped } from "../../src/compare";
import { head, loadMnist, type MnistData } from "../../src/data";
import { buildModel } from "../../src/models";
import { lastTrainResult, StopHandle, train, TrainingInterrupted, type TrainOptions } from "../../src/train";
import { fastTrainStep } from "../../src/train/fast-step";
import { REAL_DATA_DIR } from "../helpers/paths";

let mnist: MnistData;
before(async () => {
  await initBackend({ log: null });
  mnist = await loadMnist({ dataDir: REAL_DATA_DIR, download: false });
});

/** Runs `body` as if inside the tslab kernel (which sets globalThis.__tslab__). */
async function inKernel<T>(body: () => Promise<T>): Promise<T> {
  const g = globalThis as { __tslab__?: unknown };
  g.__tslab__ = {};
  try {
    return await body();
  } finally {
    delete g.__tslab__;
  }
}

/** The threaded DenseTrainer (the default for dense stacks) and the per-batch step (every other model). */
const TRAINING_PATHS = [["dense-128", undefined], ["dense:64", fastTrainStep]] as const;

/**
 * Trains `spec` in a pretend kernel on 2,000 images for `epochs`, with `options` (which send the
 * SIGINT); returns the TrainingInterrupted it threw and the epochs reported through onEpochEnd.
 */
async function interruptedRun(
  [spec, step]: (typeof TRAINING_PATHS)[number], epochs: number, options: TrainOptions,
): Promise<{ model: ReturnType<typeof buildModel>; interrupted: TrainingInterrupted; epochsReported: number[] }> {
  const model = buildModel(spec, { seed: 1 });
  const epochsReported: number[] = [];
  let interrupted: unknown;
  await inKernel(async () => {
    // The kernel's one SIGINT listener is added from the event loop, not from the code that starts a run.
    await new Promise((r) => setImmediate(r));
    await train(model, head(mnist.train, 2000), { epochs, seed: 1 }, {
      verbose: 0, step, ...options,
      onEpochEnd: (log) => {
        epochsReported.push(log.epoch);
        return options.onEpochEnd?.(log);
      },
    }).catch((e: unknown) => void (interrupted = e));
  });
  assert.ok(interrupted instanceof TrainingInterrupted, `${spec}: ${String(interrupted)}`);
  return { model, interrupted, epochsReported };
}

test("in a kernel, SIGINT stops train() after the current batch and throws TrainingInterrupted with the run", async () => {
  for (const path of TRAINING_PATHS) {
    const { model, interrupted } = await interruptedRun(path, 30, {
      onEpochEnd: (log) => {
        if (log.epoch === 2) process.emit("SIGINT");
      },
    });
    assert.equal(interrupted.message, "training stopped after 2 complete epochs; the model holds the weights of epoch 2");
    assert.equal(interrupted.result.stopReason, "stopped", path[0]);
    assert.equal(interrupted.result.history.length, 2, `${path[0]}: stopped in epoch 3, after ${interrupted.result.history.length} complete epochs`);
    assert.deepEqual(lastTrainResult(model), interrupted.result);
    model.dispose();
  }
  assert.ok(process.listenerCount("SIGINT") <= 1, "one listener for the whole kernel");
});

test("an interrupt heard at an epoch's last batch stops the run there: the epoch the kernel called unfinished does not finish", async () => {
  // The kernel's KeyboardInterrupt line, sent the moment the signal is handled, said "during epoch 2;
  // the model keeps the weights of epoch 1": the epoch must not then complete, report and print.
  for (const path of TRAINING_PATHS) {
    const { model, interrupted, epochsReported } = await interruptedRun(path, 5, {
      onBatchEnd: (info) => {
        if (info.epoch === 2 && info.batch === info.batches) process.emit("SIGINT");
      },
    });
    assert.equal(interrupted.result.history.length, 1, `${path[0]}: epoch 2 was kept`);
    assert.deepEqual(epochsReported, [1], `${path[0]}: epochs reported after the interrupt`);
    model.dispose();
  }
});

test("outside a kernel train() does not listen for SIGINT (Ctrl-C ends a CLI run)", async () => {
  const model = buildModel("dense:32", { seed: 1 });
  let during = -1;
  await train(model, head(mnist.train, 500), { epochs: 1, seed: 1 }, { verbose: 0, onEpochEnd: () => void (during = process.listenerCount("SIGINT")) });
  assert.equal(during, process.listenerCount("SIGINT"));
  model.dispose();
});

test("a comparison stopped mid-run throws ComparisonStopped and caches only the finished runs", async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-stop-"));
  const stop = new StopHandle();
  let epochs = 0;
  await assert.rejects(
    compareArchitectures({ variants: ["dense:16", "dense:32"], epochs: 3, trainLimit: 1000 }, {
      data: mnist, cacheDir, log: () => {},
      trainOptions: { verbose: 0, signal: stop, onEpochEnd: () => void (++epochs === 4 && stop.stop()) },
    }),
    (e: unknown) => e instanceof ComparisonStopped && e.model === "dense:32" && e.epochs === 1,
  );
  const cached = fs.readdirSync(cacheDir);
  assert.equal(cached.length, 1, `cached: ${cached.join(", ")}`);
  assert.match(cached[0], /^dense_16-/);
});
