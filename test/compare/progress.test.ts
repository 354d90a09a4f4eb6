/**
 * A comparison reports its runs as they come (`onProgress`): a cached run once, with its whole
 * history; the run in training after every epoch, then once finished.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compareArchitectures, type RunProgress } from "../../src/compare";
import { loadMnist } from "../../src/data";

const settings = { epochs: 2, trainLimit: 300, batchSize: 50 };
const quiet = { log: () => {}, trainOptions: { verbose: 0 as const } };

/** What one report said, short enough to compare whole sequences. */
const summary = (p: RunProgress) => `${p.model} ${p.state} ${p.history.map((e) => e.epoch).join(",")}`;

test("onProgress hears a cached run once with its history, and a trained run after every epoch and once finished", async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-compare-progress-"));
  try {
    const mnist = await loadMnist();
    const first: RunProgress[] = [];
    const callerEpochs: number[] = [];
    const trained = await compareArchitectures({ ...settings, variants: ["dense:16"] }, {
      ...quiet, cacheDir, data: mnist, onProgress: (p) => first.push(p),
      // The caller's own onEpochEnd still runs, before the report of that epoch.
      trainOptions: { verbose: 0, onEpochEnd: (log) => void callerEpochs.push(log.epoch * 10 + first.length) },
    });
    assert.deepEqual(first.map(summary), ["dense:16 training 1", "dense:16 training 1,2", "dense:16 trained 1,2"]);
    assert.deepEqual(callerEpochs, [10, 21]);
    const record = trained.runs[0];
    assert.equal(first[2].state === "trained" && first[2].record, record, "the finished report carries the record returned");
    assert.deepEqual(first[1].history, record.history, "each epoch's report holds the history so far");
    // Later epochs do not change what an earlier report holds.
    assert.equal(first[0].history.length, 1);

    const second: RunProgress[] = [];
    const { runs } = await compareArchitectures({ ...settings, variants: ["dense:16", "dense:24"] }, {
      ...quiet, cacheDir, data: mnist, onProgress: (p) => second.push(p),
    });
    assert.deepEqual(second.map(summary), ["dense:16 cached 1,2", "dense:24 training 1", "dense:24 training 1,2", "dense:24 trained 1,2"]);
    assert.deepEqual(second[0].history, record.history, "the cached run comes with the history it was trained with");
    assert.deepEqual(second[3].state === "trained" && second[3].record, runs[1]);

    // A report that fails is the caller's error: the cached run is not taken for unreadable and trained again.
    const lines: string[] = [];
    await assert.rejects(
      compareArchitectures({ ...settings, variants: ["dense:16"] }, {
        ...quiet, cacheDir, data: mnist, log: (l) => lines.push(l), onProgress: () => { throw new Error("display failed"); },
      }),
      /display failed/,
    );
    assert.deepEqual(lines, ["dense:16: cached run (2 epochs, test accuracy " + (record.testAccuracy * 100).toFixed(2) + "%)"]);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});
