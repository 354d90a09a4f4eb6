/**
 * A model to try your own digits on, without a separate training step: `models/default`
 * is trained on first use (dense-128-64, 5 epochs on all of MNIST: under a minute even on
 * the wasm backend), then reused. `digit-lab train` can put a better one there. Quick mode
 * (DIGIT_LAB_QUICK=1, for CI and headless notebook runs) trains a dense net on a small
 * subset for one epoch instead — enough to run the notebook, not to read digits well.
 */
import { infoLine } from "../util/notebook";
import * as fs from "node:fs";
import * as path from "node:path";
import { initBackend } from "../backend";
import { loadMnist, subset } from "../data";
import { evaluate } from "../eval/evaluate";
import { buildModel } from "../models/variants";
import { MODEL_FILE, saveModel } from "../models/persist";
import { isQuickMode } from "../quick";
import { train } from "../train";
import { seededPermutation } from "../util/random";

export const DEFAULT_MODEL_DIR = path.resolve(__dirname, "..", "..", "models", "default");
/** Where quick mode keeps its small model, so it never stands in for the real default. */
export const QUICK_MODEL_DIR = path.resolve(__dirname, "..", "..", "models", "default-quick");

export interface DefaultModelOptions {
  /**
   * Where the model lives. Default: `<project>/models/default` if it holds a model;
   * otherwise that folder (trained now), or `models/default-quick` in quick mode.
   */
  dir?: string;
  /** Small and fast (default: quick mode, DIGIT_LAB_QUICK=1). */
  quick?: boolean;
  dataDir?: string;
  /** Progress lines (default stderr). */
  log?: (line: string) => void;
}

/** The settings the default model is trained with, full and quick. */
export function defaultModelPlan(quick: boolean): { model: string; epochs: number; trainCount?: number; testCount?: number; batchSize: number } {
  return quick
    ? { model: "dense-128-64", epochs: 1, trainCount: 3000, testCount: 1000, batchSize: 64 }
    : { model: "dense-128-64", epochs: 5, batchSize: 64 };
}

/** Returns the directory of a saved model, training and saving one first if there is none. */
export async function ensureDefaultModel(options: DefaultModelOptions = {}): Promise<string> {
  const quick = options.quick ?? isQuickMode();
  const hasModel = (d: string) => fs.existsSync(path.join(d, MODEL_FILE));
  const dir = path.resolve(options.dir ?? (hasModel(DEFAULT_MODEL_DIR) || !quick ? DEFAULT_MODEL_DIR : QUICK_MODEL_DIR));
  if (hasModel(dir)) return dir;
  const log = options.log ?? infoLine;
  const plan = defaultModelPlan(quick);
  await initBackend();
  const data = await loadMnist({ dataDir: options.dataDir });
  const trainSet = plan.trainCount ? subset(data.train, seededPermutation(data.train.count, 1).subarray(0, plan.trainCount)) : data.train;
  const testSet = plan.testCount ? subset(data.test, seededPermutation(data.test.count, 2).subarray(0, plan.testCount)) : data.test;
  log(`digit-lab: no model in ${dir}; training ${plan.model} for ${plan.epochs} epoch(s) on ${trainSet.count} MNIST images${quick ? " (quick mode)" : ""}…`);
  const model = buildModel(plan.model, { seed: 42 });
  try {
    const result = await train(model, trainSet, { epochs: plan.epochs, batchSize: plan.batchSize, validationSplit: 0, seed: 42 }, { verbose: 0 });
    const test = await evaluate(model, testSet);
    await saveModel(model, dir, {
      model: plan.model,
      recipe: { name: quick ? "default-quick" : "default", epochs: plan.epochs, batchSize: plan.batchSize },
      seed: 42,
      data: { dataset: "mnist", sha256Verified: data.sha256Verified, trainCount: trainSet.count },
      history: result.history,
      test: { loss: test.loss, accuracy: test.accuracy },
    });
    log(`digit-lab: saved ${plan.model} to ${dir} (test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} images)`);
  } finally {
    model.dispose();
  }
  return dir;
}
