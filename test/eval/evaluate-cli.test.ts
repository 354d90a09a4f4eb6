/**
 * `digit-lab evaluate` on saved models that load but do not fit MNIST: one line naming
 * model.json and the mismatch, exit code 1, no stack trace. And a model may be named by
 * its model.json as well as by its folder.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MODEL_FILE, WEIGHTS_FILE } from "../../src/models/persist";
import { saveIncompatibleModel, saveKerasStyleModel } from "../helpers/incompatible-models";
import { runCli } from "../helpers/cli";

let root: string;
before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-evaluate-cli-"));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

function evaluateCli(args: string[]) {
  return runCli(["evaluate", ...args], { timeout: 180_000 });
}

test("incompatible or diverged models: exit 1, one line naming the file (model.json, or weights.bin for NaN weights) and what does not fit", async () => {
  const cases = [
    { kind: "five-classes", file: MODEL_FILE, what: /the model outputs 5 classes; MNIST has 10$/m },
    { kind: "hundred-inputs", file: MODEL_FILE, what: /the model expects inputs of shape \[null,100\]; MNIST provides 28×28 images, fed as \[null,784\], \[null,28,28,1\], \[null,28,28\]$/m },
    { kind: "nan-weights", file: WEIGHTS_FILE, what: /the weights hold NaN values \(first in "[^"]+"\): its training diverged, or the file is damaged \(retrain it with a smaller --learning-rate, or copy the model folder again\)$/m },
  ] as const;
  for (const { kind, file, what } of cases) {
    const dir = await saveIncompatibleModel(kind, path.join(root, kind));
    const { code, stdout, stderr } = evaluateCli(["--model-dir", dir, "--json"]);
    assert.equal(code, 1, `${kind}: ${stderr}`);
    assert.equal(stdout, "", kind);
    assert.ok(stderr.includes(`digit-lab evaluate: ${path.join(dir, file)}: `), `${kind}: ${stderr}`);
    assert.match(stderr, what, kind);
    assert.doesNotMatch(stderr, /\n\s+at |RangeError|tensor should have/, `${kind}: no stack trace or tfjs error`);
  }
});

test("--model-dir DIR/model.json evaluates DIR; another file in it is refused with a hint", async () => {
  const dir = await saveKerasStyleModel(path.join(root, "keras-style"));
  const ok = evaluateCli(["--model-dir", path.join(dir, MODEL_FILE), "--json"]);
  assert.equal(ok.code, 0, ok.stderr);
  const result = JSON.parse(ok.stdout);
  assert.equal(result.count, 10000);
  assert.ok(result.accuracy >= 0 && result.accuracy <= 1 && Number.isFinite(result.loss), ok.stdout.slice(0, 200));
  assert.equal(result.confusionMatrix.length, 10);

  const metadata = path.join(dir, "metadata.json");
  const bad = evaluateCli(["--model-dir", metadata]);
  assert.equal(bad.code, 1, bad.stderr);
  assert.ok(bad.stderr.includes(`${metadata}: is a file, not a model directory: pass the folder that holds model.json (${dir})`), bad.stderr);
});
