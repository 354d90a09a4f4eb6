/**
 * Live curves in a notebook (src/display): one chart output, created at once and redrawn in
 * place, here against a stand-in for the tslab kernel's displays that records every bundle
 * sent. `liveComparisonCurves` is fed by a real comparison on real MNIST.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { compareArchitectures } from "../../src/compare";
import { loadMnist } from "../../src/data";
import { liveComparisonCurves, liveTrainingCurves, PLOTLY_MIME } from "../../src/display";
import { UsageError } from "../../src/errors";
import type { EpochLog } from "../../src/types";
import { runsDrawn, withStandInDisplays } from "../helpers/displays";

const settings = { epochs: 2, trainLimit: 300, batchSize: 50 };
const quiet = { log: () => {}, trainOptions: { verbose: 0 as const } };

test("liveComparisonCurves draws a comparison in one output while it runs: cached runs at once, the trained run after every epoch", async () => {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-compare-live-"));
  try {
    const mnist = await loadMnist();
    await compareArchitectures({ ...settings, variants: ["dense:16"] }, { ...quiet, cacheDir, data: mnist });
    await withStandInDisplays(async (displays) => {
      const curves = liveComparisonCurves();
      assert.equal(displays.length, 1, "the output is created at once, above anything the comparison prints");
      await compareArchitectures({ ...settings, variants: ["dense:16", "dense:24"] }, { ...quiet, cacheDir, data: mnist, onProgress: curves.onProgress });
      assert.equal(displays.length, 1, "every redraw goes to the same output");
      assert.deepEqual(displays[0].map(runsDrawn), [
        ["(waiting)"],
        ["dense:16 1,2"],
        ["dense:16 1,2", "dense:24 1"],
        ["dense:16 1,2", "dense:24 1,2"],
      ], "the report that dense:24 finished changes nothing drawn: not drawn again");
      // One style from the first run on: the legend names the run, not "(train)" / "(validation)".
      const first = (displays[0][1] as Record<string, unknown>)[PLOTLY_MIME] as { data: { name: string; showlegend: boolean }[]; layout: { title: unknown } };
      assert.deepEqual(first.data.filter((t) => t.showlegend).map((t) => t.name), ["dense:16"]);
      assert.match(JSON.stringify(first.layout.title), /Training curves of 1 run/);
      assert.deepEqual(curves.runs.map((r) => [r.name, r.history.length]), [["dense:16", 2], ["dense:24", 2]]);
      assert.deepEqual(runsDrawn({ [PLOTLY_MIME]: curves.figure() }), ["dense:16 1,2", "dense:24 1,2"]);
    });
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
});

test("liveComparisonCurves keeps a copy of each history, and names its option when fed something else", async () => {
  await withStandInDisplays(async (displays) => {
    const curves = liveComparisonCurves({ title: "my comparison" });
    const history: EpochLog[] = [{ epoch: 1, loss: 1, accuracy: 0.5, valLoss: 1.1, valAccuracy: 0.45, seconds: 1 }];
    curves.onProgress({ model: "a", history });
    history.push({ epoch: 2, loss: 0.5, accuracy: 0.8, seconds: 1 });
    assert.equal(curves.runs[0].history.length, 1, "a later change to the caller's array is not drawn until reported");
    assert.match(JSON.stringify(curves.figure().layout.title), /my comparison/);
    assert.throws(() => curves.onProgress(undefined as never), (e: Error) => e instanceof UsageError && /compareArchitectures' onProgress/.test(e.message));
    assert.equal(displays[0].length, 2, "the waiting line, then one drawing");
  });
});

const epoch = (n: number, valLoss: number): EpochLog => ({ epoch: n, loss: 1 / n, accuracy: 0.5 + n / 10, valLoss, valAccuracy: 0.5 + n / 20, seconds: 1 });

test("liveTrainingCurves draws after every epoch in one output, and finish() redraws only to star the epoch put back", async () => {
  await withStandInDisplays(async (displays) => {
    const curves = liveTrainingCurves("dense-128");
    assert.equal(displays.length, 1, "the output is created at once, above the progress bar");
    for (const log of [epoch(1, 0.5), epoch(2, 0.4), epoch(3, 0.45)]) curves.onEpochEnd(log);
    curves.finish({});
    assert.deepEqual(displays[0].map(runsDrawn), [["(waiting)"], ["dense-128 (train) 1"], ["dense-128 (train) 1,2"], ["dense-128 (train) 1,2,3"]],
      "no early stopping: finish() has nothing to add");
    curves.finish({ restoredEpoch: 2 });
    assert.equal(displays.length, 1);
    const starred = (displays[0][4] as Record<string, { data: { name?: string; x: number[] }[] }>)[PLOTLY_MIME];
    assert.ok(starred.data.some((t) => /weights kept: epoch 2/.test(String(t.name)) && t.x[0] === 2), "the kept epoch is starred");
    // The same curves for a second train() call: its epoch 1 starts them again.
    curves.onEpochEnd(epoch(1, 0.6));
    assert.deepEqual(runsDrawn(displays[0][5]), ["dense-128 (train) 1"]);
    assert.deepEqual(curves.history.map((e) => e.epoch), [1]);
  });
});
