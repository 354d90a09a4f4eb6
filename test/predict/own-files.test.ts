/**
 * A user's own folder of pictures: files digit-lab cannot read are named, not passed over
 * in silence, and a folder laid out by digit (`7/…`) or holding only unreadable formats
 * is handled by ensureOwnDigits as the notebook describes.
 */
import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { collectImageFiles, ensureOwnDigits, leastConfident, preprocessFirstReadable, preprocessingStagesHtml, toPrediction } from "../../src/predict";
import { createImage, encodePng } from "../../src/preprocess";
import { UsageError } from "../../src/errors";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-own-files-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function folder(name: string, files: Record<string, string>): string {
  const dir = path.join(root, name);
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

test("a phone's HEIC or WebP picture in a folder is reported by name; other files are left alone", () => {
  const dir = folder("mixed", { "7.png": "x", "IMG_0042.HEIC": "x", "sketch.webp": "x", "notes.txt": "x" });
  const { files, failures } = collectImageFiles([dir]);
  assert.deepEqual(files, [path.join(dir, "7.png")]);
  assert.deepEqual(failures.map((f) => f.file), [path.join(dir, "IMG_0042.HEIC"), path.join(dir, "sketch.webp")]);
  assert.equal(failures[0].error, `${path.join(dir, "IMG_0042.HEIC")}: a HEIC image; digit-lab reads PNG and JPEG — convert it to PNG or JPEG first`);
  assert.match(failures[1].error, /sketch\.webp: a WebP image/);
});

test("hidden files and folders, and a zip's __MACOSX folder, are passed over in a folder; named explicitly, they are read", () => {
  const dir = folder("from-a-mac", { "7.png": "x", "._7.png": "x", ".git/HEAD.png": "x", "__MACOSX/._7.png": "x", ".DS_Store": "x" });
  const { files, failures } = collectImageFiles([dir]);
  assert.deepEqual(files, [path.join(dir, "7.png")]);
  assert.deepEqual(failures, []);
  assert.deepEqual(collectImageFiles([path.join(dir, "._7.png")]).files, [path.join(dir, "._7.png")]);
});

test("a folder with no pictures at all still says so once", () => {
  const dir = folder("text-only", { "notes.txt": "x" });
  const { files, failures } = collectImageFiles([dir]);
  assert.deepEqual(files, []);
  assert.deepEqual(failures.map((f) => f.error), [`${dir}: folder has no .png, .jpg or .jpeg images`]);
});

test("ensureOwnDigits keeps a folder of pictures sorted into digit folders (7/…) as it is", async () => {
  const dir = folder("by-digit", { "7/kitchen.png": "x", "3/desk.jpg": "x" });
  assert.equal(await ensureOwnDigits({ dir }), dir);
  assert.deepEqual(fs.readdirSync(dir).sort(), ["3", "7"], "no sample digits written over the user's folders");
});

test("ensureOwnDigits on a folder of HEIC photos says what it holds and what to do", async () => {
  const dir = folder("heic-only", { "IMG_0001.HEIC": "x", "IMG_0002.HEIC": "x" });
  await assert.rejects(ensureOwnDigits({ dir }), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, `${dir}: holds no .png, .jpg or .jpeg pictures (it holds IMG_0001.HEIC, IMG_0002.HEIC); `
      + "digit-lab reads PNG and JPEG: convert your pictures, or empty the folder to get the sample digits back");
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["IMG_0001.HEIC", "IMG_0002.HEIC"]);
});

test("ensureOwnDigits passes over hidden entries as predict's folder walk does: a Mac zip's companions are not pictures", async () => {
  const dir = folder("mac-zip-leftovers", { "__MACOSX/._7.png": "x", ".hidden/3.png": "x", "._1.jpg": "x" });
  assert.deepEqual(collectImageFiles([dir]).files, [], "predict finds no pictures here");
  await assert.rejects(ensureOwnDigits({ dir }), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /holds no \.png, \.jpg or \.jpeg pictures \(it holds .*__MACOSX/);
    return true;
  });
  assert.deepEqual(fs.readdirSync(dir).sort(), ["._1.jpg", ".hidden", "__MACOSX"], "the folder is left as it was");
  const withPictures = folder("mac-zip-and-pictures", { "__MACOSX/._7.png": "x", "7/kitchen.png": "x" });
  assert.equal(await ensureOwnDigits({ dir: withPictures }), withPictures);
});

test("leastConfident picks the least sure prediction, and says plainly when there is none", () => {
  const sure = toPrediction([0.01, 0.91, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01]);
  const unsure = toPrediction([0.05, 0.45, 0.05, 0.05, 0.05, 0.05, 0.05, 0.15, 0.05, 0.05]);
  assert.equal(leastConfident([sure, unsure, sure]), unsure);
  assert.throws(() => leastConfident([]), (err: Error) => err instanceof UsageError && /no picture could be read/.test(err.message));
});

/** A 1 drawn as a dark bar on white paper, as a PNG. */
function drawnOne(): Buffer {
  const image = createImage(60, 60, 1);
  for (let y = 12; y < 48; y++) for (let x = 28; x < 33; x++) image.data[y * 60 + x] = 0.1;
  return encodePng(image);
}

test("the step-by-step look passes over an unreadable first picture, and says which and why", () => {
  const dir = folder("first-broken", { "0_scan.png": "not a picture" });
  fs.writeFileSync(path.join(dir, "1_pen.png"), drawnOne());
  const { files } = collectImageFiles([dir]);
  const first = preprocessFirstReadable(files);
  assert.equal(first.file, path.join(dir, "1_pen.png"));
  assert.equal(first.preprocessed.pixels.length, 784);
  assert.deepEqual(first.skipped.map((f) => f.file), [path.join(dir, "0_scan.png")]);
  assert.match(first.skipped[0].error, /0_scan\.png: .*not a PNG or JPEG/);
  const html = preprocessingStagesHtml(first.preprocessed, { file: first.file, skipped: first.skipped });
  assert.ok(html.includes("1_pen.png") && html.includes("0_scan.png"), "the page names the picture shown and the one passed over");
});

test("when no picture can be read, the step-by-step look lists every one", () => {
  const dir = folder("all-broken", { "a.png": "", "b.jpg": "text" });
  const { files } = collectImageFiles([dir]);
  assert.throws(() => preprocessFirstReadable(files), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.match(err.message, /none of the 2 pictures could be read/);
    assert.match(err.message, /a\.png: empty file/);
    assert.match(err.message, /b\.jpg: /);
    return true;
  });
});
