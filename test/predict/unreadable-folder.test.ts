/**
 * A folder that cannot be listed (a USB stick's root-only lost+found) is one failure naming
 * it, and the pictures elsewhere are still collected; it used to abort the whole run.
 * Permissions do not stop root, so as root the walk runs without the capabilities that
 * override them (setpriv drops CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH): still the owner of
 * the checkout, wherever it lies, but shut out of a folder whose mode is 000.
 */
import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { collectImageFiles, type FileFailure } from "../../src/predict";

const PREDICT_MODULE = path.resolve(__dirname, "..", "..", "src", "predict");
const asRoot = process.getuid?.() === 0;
const hasSetpriv = !asRoot || spawnSync("setpriv", ["--version"]).status === 0;

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-unreadable-folder-"));
after(() => {
  for (const dir of [path.join(root, "pictures", "locked"), path.join(root, "locked-input")]) if (fs.existsSync(dir)) fs.chmodSync(dir, 0o755);
  fs.rmSync(root, { recursive: true, force: true });
});

/** collectImageFiles(inputs), run without root's power over permissions when this test runs as root. */
function collectUnprivileged(inputs: string[]): { files: string[]; failures: FileFailure[] } {
  if (!asRoot) return collectImageFiles(inputs);
  const script = `process.stdout.write(JSON.stringify(require(${JSON.stringify(PREDICT_MODULE)}).collectImageFiles(${JSON.stringify(inputs)})))`;
  const out = execFileSync("setpriv", ["--bounding-set=-dac_override,-dac_read_search", process.execPath, "--import", "tsx", "-e", script], {
    encoding: "utf8",
    cwd: path.resolve(__dirname, "..", ".."), // where --import finds tsx
  });
  return JSON.parse(out);
}

test("a sub-folder that cannot be read is one failure naming it; the other pictures are still found", { skip: !hasSetpriv && "needs setpriv to drop root's power over permissions" }, () => {
  const pictures = path.join(root, "pictures");
  const locked = path.join(pictures, "locked");
  fs.mkdirSync(path.join(pictures, "7"), { recursive: true });
  fs.mkdirSync(locked);
  for (const file of ["1_a.png", "7/b.png", "locked/3_c.png", "z_after.jpg"]) fs.writeFileSync(path.join(pictures, file), "x");
  fs.chmodSync(locked, 0o000);

  const { files, failures } = collectUnprivileged([pictures]);
  assert.deepEqual(files, ["1_a.png", "7/b.png", "z_after.jpg"].map((f) => path.join(pictures, f)));
  assert.deepEqual(failures, [{ file: locked, error: `${locked}: folder cannot be read (permission denied); the pictures in it are left out` }]);
});

test("a folder named as an input that cannot be read is a failure too, and the other inputs are still collected", { skip: !hasSetpriv && "needs setpriv to drop root's power over permissions" }, () => {
  const lockedInput = path.join(root, "locked-input");
  fs.mkdirSync(lockedInput);
  fs.writeFileSync(path.join(lockedInput, "4.png"), "x");
  const loose = path.join(root, "5.png");
  fs.writeFileSync(loose, "x");
  fs.chmodSync(lockedInput, 0o000);

  const { files, failures } = collectUnprivileged([lockedInput, loose]);
  assert.deepEqual(files, [loose]);
  assert.deepEqual(failures.map((f) => f.error), [`${lockedInput}: folder cannot be read (permission denied); the pictures in it are left out`]);
});
