/**
 * A real model for the predict and draw tests: dense-128-64 trained on all of MNIST
 * (3 epochs, seed 42), cached under the OS temp folder so test files share it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { initBackend } from "../../src/backend";
import { loadMnist, type MnistData } from "../../src/data";
import { buildModel } from "../../src/models/variants";
import { MODEL_FILE, saveModel } from "../../src/models/persist";
import { train } from "../../src/train";
import { REAL_DATA_DIR } from "../helpers/paths";

export const TEST_MODEL_SPEC = "dense-128-64";
export const TEST_MODEL_EPOCHS = 3;

export function loadRealMnist(): Promise<MnistData> {
  return loadMnist({ dataDir: REAL_DATA_DIR });
}

/** Directory of the cached trained model (training it first if needed). */
export async function trainedModelDir(): Promise<string> {
  const dir = path.join(os.tmpdir(), "digit-lab-test-models", `${TEST_MODEL_SPEC}-e${TEST_MODEL_EPOCHS}-seed42-v1`);
  if (fs.existsSync(path.join(dir, MODEL_FILE))) return dir;
  await initBackend({ log: null });
  const data = await loadRealMnist();
  const model = buildModel(TEST_MODEL_SPEC, { seed: 42 });
  try {
    await train(model, data.train, { epochs: TEST_MODEL_EPOCHS, batchSize: 64, validationSplit: 0, seed: 42 }, { verbose: 0 });
    await saveModel(model, dir, { model: TEST_MODEL_SPEC, seed: 42, recipe: { epochs: TEST_MODEL_EPOCHS, batchSize: 64 } });
  } finally {
    model.dispose();
  }
  return dir;
}
