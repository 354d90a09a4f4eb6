/**
 * `predict` on a folder of large photos: while the model runs, predictFiles holds only the
 * 784 prepared pixels of each picture, not its full-size original and stages (about 50 MB
 * for one 12-MP phone photo), unless a gallery asks for them with keepStages.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as v8 from "node:v8";
import * as vm from "node:vm";
import { initBackend, type tf } from "../../src/backend";
import { buildModel } from "../../src/models/variants";
import { predictFiles } from "../../src/predict";
import { encodeJpeg } from "../../src/preprocess";
import { drawStrokes } from "../preprocess/shapes";

const COPIES = 6;
const WIDTH = 1600, HEIGHT = 1200;
/** The bytes of one picture's full-size grey original (Float32, one value a pixel). */
const ORIGINAL_BYTES = WIDTH * HEIGHT * 4;

v8.setFlagsFromString("--expose-gc");
const gc = vm.runInNewContext("gc") as () => void;
// Twice: V8 may free the buffers a collection found unreachable only while the next one starts.
const collectGarbage = () => { gc(); gc(); };

let root: string;
let model: tf.LayersModel;

before(async () => {
  await initBackend({ log: null });
  model = buildModel("dense-128", { seed: 42 });
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-large-photos-"));
  const seven = drawStrokes({ width: WIDTH, height: HEIGHT, paper: 0.9, ink: 0.1 }, [[[600, 300], [1000, 300], [700, 950]]], 60);
  const jpeg = encodeJpeg(seven, 85);
  for (let i = 1; i <= COPIES; i++) fs.writeFileSync(path.join(root, `7_${i}.jpg`), jpeg);
});

after(() => {
  model?.dispose();
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

/**
 * Runs predictFiles and returns, with its result, how many ArrayBuffer bytes it still held
 * (after a garbage collection) when the model was asked to predict: by then every picture
 * has been read, so what is still reachable is what predictFiles kept of them.
 */
async function bytesHeldWhilePredicting(keepStages: boolean) {
  collectGarbage();
  const baseline = process.memoryUsage().arrayBuffers;
  let held = -1;
  const apply = model.apply;
  model.apply = function (this: tf.LayersModel, ...args: Parameters<tf.LayersModel["apply"]>) {
    if (held < 0) {
      collectGarbage();
      held = process.memoryUsage().arrayBuffers - baseline;
    }
    return apply.apply(this, args);
  };
  try {
    const result = await predictFiles(model, [root], { keepStages });
    assert.ok(held >= 0, "the model was asked to predict");
    return { result, held };
  } finally {
    model.apply = apply;
  }
}

test("without keepStages, predictFiles keeps only the 784 pixels of each picture while it predicts, and predicts the same", async () => {
  const lean = await bytesHeldWhilePredicting(false);
  const kept = await bytesHeldWhilePredicting(true);
  assert.equal(lean.result.predictions.length, COPIES);
  assert.deepEqual(lean.result.failures, []);

  // With keepStages every original is still held (the gallery shows them), which shows the
  // measure sees them; without, less than one picture's original is.
  assert.ok(kept.held >= COPIES * ORIGINAL_BYTES, `keepStages holds ${kept.held} bytes, expected the ${COPIES} originals`);
  assert.ok(lean.held < ORIGINAL_BYTES,
    `${(lean.held / 1e6).toFixed(1)} MB still held while predicting ${COPIES} pictures of ${WIDTH}×${HEIGHT} (one original is ${(ORIGINAL_BYTES / 1e6).toFixed(1)} MB)`);

  for (const p of lean.result.predictions) assert.equal(p.preprocessed, undefined, "no stages without keepStages");
  for (const p of kept.result.predictions) {
    assert.equal(p.preprocessed?.original.width, WIDTH, "keepStages keeps the original for the gallery");
    assert.equal(p.preprocessed?.pixels.length, 784);
  }
  const answers = (r: typeof lean.result) => r.predictions.map(({ file, digit, probabilities, label }) => ({ file, digit, probabilities, label }));
  assert.deepEqual(answers(lean.result), answers(kept.result));
  assert.equal(lean.result.labelled, COPIES);
});
