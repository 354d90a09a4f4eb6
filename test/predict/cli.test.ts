/**
 * `digit-lab predict` end to end: real model, real image files (JPEG and PNG, labelled
 * by file or folder name), and bad files that must each get their own clear error while
 * the others are still predicted.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { labelFromPath, rankDigits, collectImageFiles, writePaperDigits } from "../../src/predict";
import { applyOrientation, encodeJpeg, encodePng, paperPhoto, randomPaperLook } from "../../src/preprocess";
import { createRng } from "../../src/util/random";
import { runCli } from "../helpers/cli";
import { loadRealMnist, trainedModelDir } from "./trained-model";
import { saveIncompatibleModel } from "../helpers/incompatible-models";
import { MODEL_FILE } from "../../src/models/persist";
import { withOrientation } from "../helpers/exif";
import { copySavedModel, trainedOn } from "../helpers/model-copies";

let root: string;
let modelDir: string;
let goodCount = 0;

before(async () => {
  modelDir = await trainedModelDir();
  const data = await loadRealMnist();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-predict-cli-"));
  const own = path.join(root, "own");
  fs.mkdirSync(own);
  // Six JPEGs named <digit>_<index>.jpg, and two PNGs in a folder named after their digit.
  const firstOf = (digit: number, skip = 0) => {
    let seen = 0;
    for (let i = 0; i < data.test.count; i++) if (data.test.labels[i] === digit && seen++ === skip) return i;
    throw new Error(`no ${digit}`);
  };
  goodCount += writePaperDigits(data.test, [0, 1, 2, 3, 4, 5], own, 5).length;
  const folder = path.join(own, "3");
  fs.mkdirSync(folder);
  const rng = createRng(8);
  for (const skip of [0, 1]) {
    const i = firstOf(3, skip);
    const pixels = Float32Array.from(data.test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    fs.writeFileSync(path.join(folder, `scan-${skip}.png`), encodePng(paperPhoto(pixels, randomPaperLook(rng), rng)));
    goodCount++;
  }
  fs.writeFileSync(path.join(own, "README.txt"), "not an image, and not picked up from a folder");
  // Bad files, named explicitly.
  fs.writeFileSync(path.join(root, "notes.png"), "these are my notes, not a picture\n");
  fs.writeFileSync(path.join(root, "empty.jpg"), "");
  const png = fs.readFileSync(path.join(folder, "scan-0.png"));
  fs.writeFileSync(path.join(root, "cut.png"), png.subarray(0, Math.floor(png.length / 2)));
});

after(() => {
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

function predictCli(args: string[]) {
  return runCli(["predict", ...args], { timeout: 180_000 });
}

test("--json prints one entry per readable image; each bad file gets its own error; exit code 1", () => {
  const bad = ["notes.png", "empty.jpg", "cut.png", "missing.png"].map((f) => path.join(root, f));
  const { code, stdout, stderr } = predictCli(["--model-dir", modelDir, path.join(root, "own"), ...bad, "--json"]);
  assert.equal(code, 1, stderr);
  const results = JSON.parse(stdout) as { file: string; digit: number; confidence: number; top3: { digit: number; probability: number }[]; label?: number }[];
  assert.equal(results.length, goodCount);
  for (const r of results) {
    assert.deepEqual(Object.keys(r).sort(), ["confidence", "digit", "file", "label", "top3"]);
    assert.equal(r.top3.length, 3);
    assert.equal(r.top3[0].digit, r.digit);
    assert.equal(r.top3[0].probability, r.confidence);
    assert.ok(r.top3[0].probability >= r.top3[1].probability && r.top3[1].probability >= r.top3[2].probability);
    assert.ok(Number.isInteger(r.label) && r.label! >= 0 && r.label! <= 9);
  }
  assert.ok(results.filter((r) => r.file.includes(`${path.sep}3${path.sep}`)).every((r) => r.label === 3), "folder name gives the digit");
  const correct = results.filter((r) => r.digit === r.label).length;
  assert.ok(correct >= goodCount - 2, `only ${correct} of ${goodCount} right`);

  const errorLines = stderr.split("\n").filter((l) => l.startsWith("digit-lab predict: /"));
  assert.match(stderr, /notes\.png: not a PNG or JPEG image/);
  assert.match(stderr, /empty\.jpg: empty file \(0 bytes\)/);
  assert.match(stderr, /cut\.png: damaged PNG: truncated/);
  assert.match(stderr, /missing\.png: file not found/);
  assert.equal(errorLines.length, 4, stderr);
  assert.match(stderr, /^digit-lab predict: 8 pictures read, 4 failures \(above\)$/m);

  // A folder without pictures is one failure, and nothing was read: said so, not counted as an image.
  const emptyDir = path.join(root, "empty-folder");
  fs.mkdirSync(emptyDir, { recursive: true });
  const none = predictCli(["--model-dir", modelDir, emptyDir]);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /empty-folder: folder has no \.png, \.jpg or \.jpeg images\ndigit-lab predict: no picture could be read \(1 problem above\)\n$/);
});

test("text output shows digit, confidence, top 3 and the accuracy; exit code 0 when all files read", () => {
  const { code, stdout, stderr } = predictCli(["--model-dir", modelDir, path.join(root, "own")]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assert.match(lines[0], /file\s+digit\s+confidence\s+top 3/);
  assert.equal(lines.filter((l) => /\.(jpg|png)\s/.test(l)).length, goodCount);
  assert.match(stdout, new RegExp(`accuracy: \\d+/${goodCount} = \\d+\\.\\d%`));
});

test("usage errors: no model dir, no images, a model dir that is not a model", () => {
  assert.equal(predictCli([path.join(root, "own")]).code, 2);
  assert.equal(predictCli(["--model-dir", modelDir]).code, 2);
  const r = predictCli(["--model-dir", root, path.join(root, "own")]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, new RegExp(root.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
});

test("a model that does not fit MNIST, or whose training diverged, is one clear error naming the file at fault", async () => {
  const cases = [
    { kind: "five-classes", file: MODEL_FILE, what: /the model outputs 5 classes; MNIST has 10/ },
    { kind: "hundred-inputs", file: MODEL_FILE, what: /expects inputs of shape \[null,100\]; MNIST provides 28×28 images/ },
    { kind: "nan-weights", file: "weights.bin", what: /the weights hold NaN values \(first in "[^"]+"\): its training diverged, or the file is damaged/ },
  ] as const;
  for (const { kind, file, what } of cases) {
    const dir = await saveIncompatibleModel(kind, path.join(root, "models", kind));
    const { code, stdout, stderr } = predictCli(["--model-dir", dir, path.join(root, "own"), "--json"]);
    assert.equal(code, 1, `${kind}: ${stderr}`);
    assert.equal(stdout, "", `${kind}: no predictions at all`);
    assert.ok(stderr.includes(`digit-lab predict: ${path.join(dir, file)}: `), `${kind}: ${stderr}`);
    assert.match(stderr, what, kind);
    assert.doesNotMatch(stderr, /\n\s+at /, `${kind}: no stack trace`);
  }
});

test("--model-dir may name the model.json itself", () => {
  const { code, stdout, stderr } = predictCli(["--model-dir", path.join(modelDir, MODEL_FILE), path.join(root, "own"), "--json"]);
  assert.equal(code, 0, stderr);
  assert.equal(JSON.parse(stdout).length, goodCount);
});

test("a phone photo tagged with an EXIF orientation is predicted upright", async () => {
  // The camera stored each 7 turned a quarter counter-clockwise and tagged it Orientation 6
  // ("turn 90° clockwise to show"), as phones do when held sideways. Untagged copies of the
  // same pixels show what predict would see without reading the tag.
  const data = await loadRealMnist();
  const dir = path.join(root, "sideways");
  fs.mkdirSync(dir);
  const rng = createRng(6);
  const sevens: number[] = [];
  for (let i = 0; i < data.test.count && sevens.length < 5; i++) if (data.test.labels[i] === 7) sevens.push(i);
  for (const [n, i] of sevens.entries()) {
    const pixels = Float32Array.from(data.test.images.subarray(i * 784, (i + 1) * 784), (v) => v / 255);
    const stored = encodeJpeg(applyOrientation(paperPhoto(pixels, randomPaperLook(rng), rng), 8));
    fs.writeFileSync(path.join(dir, `7_tagged-${n}.jpg`), withOrientation(stored, 6));
    fs.writeFileSync(path.join(dir, `untagged-${n}.jpg`), stored);
  }
  const { code, stdout, stderr } = predictCli(["--model-dir", modelDir, dir, "--json"]);
  assert.equal(code, 0, stderr);
  const results = JSON.parse(stdout) as { file: string; digit: number }[];
  const tagged = results.filter((r) => path.basename(r.file).startsWith("7_tagged"));
  const untagged = results.filter((r) => path.basename(r.file).startsWith("untagged"));
  assert.equal(tagged.length, 5);
  assert.deepEqual(tagged.map((r) => r.digit), [7, 7, 7, 7, 7], "tagged photos are turned upright before predicting");
  assert.ok(untagged.filter((r) => r.digit === 7).length <= 1, `the sideways pixels alone read as 7: ${untagged.map((r) => r.digit)}`);
});

test("a model trained on Fashion-MNIST still predicts, with a warning that names its classes", () => {
  const fashionDir = copySavedModel(modelDir, path.join(root, "models", "fashion"), trainedOn("fashion-mnist"));
  const { code, stdout, stderr } = predictCli(["--model-dir", fashionDir, path.join(root, "own"), "--json"]);
  assert.equal(code, 0, stderr);
  assert.equal(JSON.parse(stdout).length, goodCount, "predictions as before");
  assert.match(stderr, /digit-lab predict: warning: .*fashion was trained on fashion-mnist, not handwritten digits/);
  assert.match(stderr, /0 T-shirt\/top, 1 Trouser, .*9 Ankle boot/);
  // The MNIST model gets no such warning.
  assert.doesNotMatch(predictCli(["--model-dir", modelDir, path.join(root, "own"), "--json"]).stderr, /warning/);
});

test("the true digit is read from the file name or the folder name", () => {
  assert.equal(labelFromPath("/x/7.png"), 7);
  assert.equal(labelFromPath("/x/7_abc.png"), 7);
  assert.equal(labelFromPath("/x/7-abc.JPG"), 7);
  assert.equal(labelFromPath("/x/3/photo.jpg"), 3);
  assert.equal(labelFromPath("/x/17.png"), undefined);
  assert.equal(labelFromPath("/x/abc7.png"), undefined);
  assert.equal(labelFromPath("/x/12/photo.png"), undefined);
});

test("folders are searched recursively for images only; missing inputs are failures", () => {
  const { files, failures } = collectImageFiles([path.join(root, "own"), path.join(root, "nope")]);
  assert.equal(files.length, goodCount);
  assert.ok(files.every((f) => /\.(jpg|png)$/.test(f)));
  assert.deepEqual(failures.map((f) => path.basename(f.file)), ["nope"]);
});

test("classes are ranked by probability", () => {
  assert.deepEqual(rankDigits([0.1, 0.5, 0, 0.3, 0.1, 0, 0, 0, 0, 0]).map((r) => r.digit), [1, 3, 0]);
});
