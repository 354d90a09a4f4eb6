/**
 * Misspelled or misplaced options are refused with the nearest name, in every public function
 * that takes an options object; nothing is trained or read before the check.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { initBackend } from "../../src/backend";
import { head, loadMnist, type ImageSet } from "../../src/data";
import { compareArchitectures } from "../../src/compare";
import { evaluate, evaluateDetailed } from "../../src/eval";
import { buildModel, loadModel } from "../../src/models";
import { getRecipe } from "../../src/recipes";
import { quickable } from "../../src/quick";
import { train, type TrainSettings } from "../../src/train";
import { UsageError } from "../../src/errors";
import { checkOptionNames, nearestName } from "../../src/util/options";
import { REAL_DATA_DIR } from "../helpers/paths";
import { withEnv } from "../helpers/env";

let slice: ImageSet;
before(async () => {
  await initBackend({ log: null });
  slice = head((await loadMnist({ dataDir: REAL_DATA_DIR, download: false })).train, 200);
});

const refused = (message: RegExp) => (err: unknown) => err instanceof UsageError && message.test(err.message);

test("nearestName: swaps, case and small typos; nothing for a far-off name", () => {
  const names = ["dropout", "l2", "seed", "epochs", "batchSize"];
  assert.equal(nearestName("dropuot", names), "dropout");
  assert.equal(nearestName("epoch", names), "epochs");
  assert.equal(nearestName("batch_size", names), "batchSize");
  assert.equal(nearestName("BatchSize", names), "batchSize");
  assert.equal(nearestName("momentum", names), undefined);
});

test("checkOptionNames: undefined passes; non-objects and unknown names are refused", () => {
  checkOptionNames(undefined, ["a"], "f options");
  checkOptionNames({ a: 1 }, ["a"], "f options");
  assert.throws(() => checkOptionNames(5, ["a"], "f options"), refused(/^f options must be an object of options, got 5$/));
  assert.throws(() => checkOptionNames([1], ["a"], "f options"), refused(/got an array/));
  assert.throws(() => checkOptionNames({ toString: 1 }, ["a"], "f options"), refused(/unknown option "toString"/));
});

test("buildModel, loadMnist, evaluate and loadModel name a misspelled option", async () => {
  assert.throws(() => buildModel("dense-128", { dropuot: 0.2 } as never),
    refused(/^buildModel options: unknown option "dropuot" \(did you mean "dropout"\?\); the options are dropout, l2, seed$/));
  await assert.rejects(loadMnist({ dataDir: REAL_DATA_DIR, datset: "fashion-mnist" } as never), refused(/loadMnist options: unknown option "datset" \(did you mean "dataset"\?\)/));
  const model = buildModel("dense-128", { seed: 1 });
  await assert.rejects(evaluate(model, slice, { batch_size: 50 } as never), refused(/evaluate options: unknown option "batch_size" \(did you mean "batchSize"\?\)/));
  await assert.rejects(evaluateDetailed(model, slice, { batchsize: 50 } as never), refused(/evaluateDetailed options: .*"batchSize"/));
  await assert.rejects(loadModel("models/none", { checkMNIST: false } as never), refused(/loadModel options: unknown option "checkMNIST" \(did you mean "checkMnist"\?\)/));
  await assert.rejects(compareArchitectures({ variants: ["dense-128"], epochs: 1, batch_size: 64 } as never),
    refused(/compareArchitectures settings: unknown option "batch_size" \(did you mean "batchSize"\?\)/));
  await assert.rejects(compareArchitectures({ variants: "dense-128", epochs: 1 } as never), refused(/variants must list the models/));
  model.dispose();
});

test("train refuses a missing model, data or settings, and misspelled or misplaced settings, before training", async () => {
  const model = buildModel("dense-128", { seed: 1 });
  const before = model.getWeights().map((w) => Array.from(w.dataSync()));
  const rejects = (args: unknown[], message: RegExp) =>
    assert.rejects((train as (...a: unknown[]) => Promise<unknown>)(...args), refused(message));
  await rejects([undefined, slice, { epochs: 1 }], /^train needs a model from buildModel\(\) or loadModel\(\) first, got undefined$/);
  await rejects([model, undefined, { epochs: 1 }], /^train needs an image set such as mnist.train .*got undefined$/);
  await rejects([model, slice.images, { epochs: 1 }], /train needs an image set/);
  await rejects([model, slice], /^train needs settings such as \{ epochs: 5 \}, got undefined$/);
  await rejects([model, slice, { epochs: 1, learningrate: 0.01 }], /train settings: unknown option "learningrate" \(did you mean "learningRate"\?\)/);
  await rejects([model, slice, { epochs: 1, dropout: 0.5 }], /^train settings: dropout is part of the model: buildModel\(spec, \{ dropout \}\)$/);
  await rejects([model, slice, { epochs: 1, earlyStopping: { patience: 2, restoreBest: true } }],
    /train settings.earlyStopping: unknown option "restoreBest"/);
  await rejects([model, slice, { epochs: 1, lrSchedule: { type: "cosine", min: 0 } }], /train settings.lrSchedule \(cosine\): unknown option "min"/);
  await rejects([model, slice, { epochs: 1, lrSchedule: { type: "linear" } }], /lrSchedule: type must be one of step, exponential, cosine, plateau, got "linear"/);
  await rejects([model, slice, { epochs: 1, augment: { shfit: 2 } }], /augment: unknown option "shfit" \(did you mean "shift"\?\)/);
  await rejects([model, slice, { epochs: 1 }, { verbose: 0, onEpochEnds: () => {} }], /train options: unknown option "onEpochEnds" \(did you mean "onEpochEnd"\?\)/);
  assert.deepEqual(model.getWeights().map((w) => Array.from(w.dataSync())), before, "nothing trained");

  // A whole recipe (as the CLI and notebook 02 pass it, quick mode's trainLimit included) is accepted.
  const recipe = withEnv({ DIGIT_LAB_QUICK: "1" }, () => quickable(getRecipe("seed-000")));
  const settings: TrainSettings = { ...recipe, epochs: 1 };
  const result = await train(model, slice, settings, { verbose: 0 });
  assert.equal(result.history.length, 1);
  model.dispose();
});
