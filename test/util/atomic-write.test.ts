/** writeDirAtomic / writeFileAtomic never destroy what they were not told they may replace. */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DigitLabError, UsageError } from "../../src/errors";
import { dirTargetProblem, fileTargetProblem, writeDirAtomic, writeFileAtomic } from "../../src/util/atomic-write";
import { checkOutputDir, checkOutputFile } from "../../src/util/output-paths";
import { MODEL_DIR_TARGET } from "../../src/models/persist";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-atomic-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** Every file under `dir` (relative path → bytes as base64); folders as "name/" → "". */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name);
    const rel = path.relative(dir, full);
    out[entry.isDirectory() ? rel + "/" : rel] = entry.isDirectory() ? "" : fs.readFileSync(full).toString("base64");
  }
  return out;
}

/** A folder holding a sub-folder with a file and a loose file. */
function crowded(name: string): string {
  const dir = path.join(root, name);
  fs.mkdirSync(path.join(dir, "cnn"), { recursive: true });
  fs.writeFileSync(path.join(dir, "cnn", "weights.bin"), Uint8Array.from([1, 2, 3, 250]));
  fs.writeFileSync(path.join(dir, "notes.txt"), "keep me\n");
  return dir;
}

const noTempFiles = (dir: string) => assert.deepEqual(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp")), [], `temporary files left in ${dir}`);

function assertRefused(err: unknown, dir: string, what: RegExp): true {
  assert.ok(err instanceof UsageError, `expected UsageError, got ${String(err)}`);
  assert.ok(err.message.includes(dir), `message names ${dir}: ${err.message}`);
  assert.match(err.message, what);
  return true;
}

test("writeDirAtomic creates a missing folder (and its parents) and replaces an empty one", async () => {
  const fresh = path.join(root, "a", "b", "fresh");
  await writeDirAtomic(fresh, (tmp) => fs.writeFileSync(path.join(tmp, "x.txt"), "1"));
  assert.deepEqual(snapshot(fresh), { "x.txt": Buffer.from("1").toString("base64") });
  const empty = path.join(root, "empty");
  fs.mkdirSync(empty);
  await writeDirAtomic(empty, (tmp) => fs.writeFileSync(path.join(tmp, "y.txt"), "2"));
  assert.deepEqual(fs.readdirSync(empty), ["y.txt"]);
  noTempFiles(root);
});

test("writeDirAtomic refuses a folder with other contents, before filling, and leaves every byte", async () => {
  const dir = crowded("crowded");
  const before = snapshot(dir);
  let filled = false;
  await assert.rejects(
    writeDirAtomic(dir, () => {
      filled = true;
    }),
    (err) => assertRefused(err, dir, /exists and is not empty \(it holds cnn\/, notes\.txt\)/),
  );
  assert.equal(filled, false, "fill ran although the target was refused");
  assert.deepEqual(snapshot(dir), before);
  noTempFiles(root);
});

test("writeDirAtomic replaces a non-empty folder only when the caller vouches for it", async () => {
  const dir = path.join(root, "vouched");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "model.json"), "old");
  const seen: string[][] = [];
  const onlyModel = { kind: "a model", replaceable: (_: string, entries: string[]) => (seen.push(entries), entries.every((e) => e === "model.json")) };
  await writeDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, "model.json"), "new"), onlyModel);
  assert.equal(fs.readFileSync(path.join(dir, "model.json"), "utf8"), "new");
  assert.deepEqual(seen[0], ["model.json"]);
  noTempFiles(root);

  fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
  const before = snapshot(dir);
  await assert.rejects(writeDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, "model.json"), "newer"), onlyModel), (err) =>
    assertRefused(err, dir, /exists and is not a model \(it holds model\.json, notes\.txt\)/),
  );
  assert.deepEqual(snapshot(dir), before);
});

test("writeDirAtomic checks again after filling: files that appeared meanwhile are kept", async () => {
  const dir = path.join(root, "late");
  fs.mkdirSync(dir);
  await assert.rejects(
    writeDirAtomic(dir, (tmp) => {
      fs.writeFileSync(path.join(tmp, "out.txt"), "ours");
      fs.writeFileSync(path.join(dir, "theirs.txt"), "someone else's"); // written while we were busy
    }),
    (err) => assertRefused(err, dir, /it holds theirs\.txt/),
  );
  assert.deepEqual(fs.readdirSync(dir), ["theirs.txt"]);
  noTempFiles(root);
});

test("writeDirAtomic refuses a regular file, a path under a file, a symbolic link, the cwd and its parents", async () => {
  const file = path.join(root, "a-file.txt");
  fs.writeFileSync(file, "precious");
  await assert.rejects(writeDirAtomic(file, () => {}), (err) => assertRefused(err, file, /exists and is a file, not a folder/));
  assert.equal(fs.readFileSync(file, "utf8"), "precious");

  const under = path.join(file, "sub");
  await assert.rejects(writeDirAtomic(under, () => {}), (err) => assertRefused(err, under, new RegExp(`${file.replace(/[.]/g, "\\.")} is a file, not a folder`)));
  assert.equal(fs.readFileSync(file, "utf8"), "precious");

  const target = crowded("link-target");
  const link = path.join(root, "link");
  fs.symlinkSync(target, link);
  const before = snapshot(target);
  await assert.rejects(writeDirAtomic(link, () => {}, { replaceable: () => true }), (err) => assertRefused(err, link, /symbolic link/));
  assert.deepEqual(snapshot(target), before);
  assert.ok(fs.lstatSync(link).isSymbolicLink());

  const work = path.join(root, "work", "here");
  fs.mkdirSync(work, { recursive: true });
  const cwd = process.cwd();
  process.chdir(work);
  try {
    // Even a caller that vouches for everything cannot replace the folder it stands in.
    await assert.rejects(writeDirAtomic(".", () => {}, { replaceable: () => true }), (err) => assertRefused(err, ".", /is the current directory/));
    await assert.rejects(writeDirAtomic("..", () => {}, { replaceable: () => true }), (err) => assertRefused(err, "..", /is a parent of the current directory/));
    assert.match(dirTargetProblem("/", { replaceable: () => true }) ?? "", /parent of the current directory/);
  } finally {
    process.chdir(cwd);
  }
  assert.ok(fs.existsSync(work));
  noTempFiles(root);
});

test("a failing fill leaves the old folder and no temporary folder; fs errors name the target", async () => {
  const dir = path.join(root, "keep-on-failure");
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, "model.json"), "old");
  const vouch = { replaceable: () => true };
  await assert.rejects(
    writeDirAtomic(dir, (tmp) => {
      fs.writeFileSync(path.join(tmp, "half"), "x");
      throw new RangeError("fill failed");
    }, vouch),
    /fill failed/,
  );
  await assert.rejects(
    writeDirAtomic(dir, (tmp) => fs.writeFileSync(path.join(tmp, "no-such-folder", "f"), "x"), vouch),
    (err: Error) => {
      assert.ok(err instanceof DigitLabError && !(err instanceof UsageError), String(err));
      assert.equal(err.message, `${dir}: cannot be written: no such file or folder (ENOENT)`);
      return true;
    },
  );
  assert.equal(fs.readFileSync(path.join(dir, "model.json"), "utf8"), "old");
  assert.deepEqual(fs.readdirSync(dir), ["model.json"]);
  noTempFiles(root);
});

test("writeFileAtomic refuses an existing folder and a path under a file; replaces a file", () => {
  const dir = crowded("report-dir");
  const before = snapshot(dir);
  assert.throws(() => writeFileAtomic(dir, "<html>"), (err) => assertRefused(err, dir, /is a folder; give a file name/));
  assert.deepEqual(snapshot(dir), before);
  const file = path.join(root, "plain.txt");
  fs.writeFileSync(file, "one");
  assert.throws(() => writeFileAtomic(path.join(file, "r.html"), "x"), (err) => assertRefused(err, file, /is a file, not a folder/));
  writeFileAtomic(file, "two");
  assert.equal(fs.readFileSync(file, "utf8"), "two");
  assert.equal(fileTargetProblem(path.join(root, "new", "deeper", "r.html")), undefined);
  noTempFiles(root);
});

test("--save refuses a saved model with other files put beside it: it says so, and suggests a sibling folder, not a nested one", () => {
  const dir = path.join(root, "saved-plus", "good");
  fs.mkdirSync(path.join(dir, "sub"), { recursive: true });
  fs.writeFileSync(path.join(dir, "model.json"), JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ["weights.bin"], weights: [] }] }));
  fs.writeFileSync(path.join(dir, "weights.bin"), Uint8Array.from([1, 2, 3, 4]));
  fs.writeFileSync(path.join(dir, "metadata.json"), "{}");
  fs.writeFileSync(path.join(dir, "r.html"), "<p>a report</p>");
  const before = snapshot(dir);
  assert.throws(() => checkOutputDir(dir, "--save", MODEL_DIR_TARGET, "dense-128"), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, `--save ${dir}: exists and holds a saved model and other files (r.html, sub/), which replacing it would delete; `
      + `choose a new folder, e.g. ${path.join(root, "saved-plus", "dense-128")}`);
    return true;
  });
  assert.deepEqual(snapshot(dir), before);
  // The saved model alone is replaceable; a folder without model.json keeps the old wording.
  fs.rmSync(path.join(dir, "r.html"));
  fs.rmSync(path.join(dir, "sub"), { recursive: true });
  assert.doesNotThrow(() => checkOutputDir(dir, "--save", MODEL_DIR_TARGET, "dense-128"));
  assert.match(dirTargetProblem(crowded("not-a-model"), MODEL_DIR_TARGET) ?? "", /^exists and is not a saved model \(it holds cnn\/, notes\.txt\)$/);
});

test("checkOutputDir / checkOutputFile: UsageErrors that name the flag and the path, with a suggestion", () => {
  const dir = crowded("models");
  assert.throws(() => checkOutputDir(dir, "--save", { kind: "a saved model" }, "dense-128"), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, `--save ${dir}: exists and is not a saved model (it holds cnn/, notes.txt); choose a new folder, e.g. ${path.join(dir, "dense-128")}`);
    return true;
  });
  assert.doesNotThrow(() => checkOutputDir(path.join(dir, "dense-128"), "--save"));
  assert.doesNotThrow(() => checkOutputDir(undefined, "--save"));
  assert.throws(() => checkOutputFile(dir, "--report"), (err: Error) => err instanceof UsageError && err.message.startsWith(`--report ${dir}: is a folder`));
  assert.doesNotThrow(() => checkOutputFile(path.join(dir, "report.html"), "--report"));
});

test("checkOutputFile with a kind replaces only a file digit-lab wrote of that kind", () => {
  const dir = crowded("outputs");
  const photo = path.join(dir, "7.png");
  fs.writeFileSync(photo, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
  assert.throws(() => checkOutputFile(photo, "--report", "report"), (err: Error) => {
    assert.ok(err instanceof UsageError);
    assert.equal(err.message, `--report ${photo}: exists and is not a digit-lab report page, so it is left as it is; choose another file name`);
    return true;
  });
  assert.doesNotThrow(() => checkOutputFile(photo, "--report"), "without a kind, only the path is checked");
  // A page digit-lab wrote: recognized by its generator tag at the top, or (older pages) the footer at the end.
  const page = path.join(dir, "report.html");
  fs.writeFileSync(page, `<!DOCTYPE html>\n<html><head><meta name="generator" content="digit-lab">${"x".repeat(10_000)}</head></html>\n`);
  assert.doesNotThrow(() => checkOutputFile(page, "--report", "report"));
  const older = path.join(dir, "older.html");
  fs.writeFileSync(older, `<!DOCTYPE html>\n${"x".repeat(10_000)}<footer>Written by digit-lab with plotly.js 3.7.0 (embedded)</footer></body></html>\n`);
  assert.doesNotThrow(() => checkOutputFile(older, "--report", "report"));
  const empty = path.join(dir, "empty.html");
  fs.writeFileSync(empty, "");
  assert.doesNotThrow(() => checkOutputFile(empty, "--report", "report"), "an empty file holds nothing to lose");
  // The benchmark's markdown table, and a user's own notes under the same name.
  const table = path.join(dir, "bench.md");
  fs.writeFileSync(table, "## Training benchmark\n\n| model | backend | path |\n");
  assert.doesNotThrow(() => checkOutputFile(table, "--markdown", "bench-markdown"));
  const notes = path.join(dir, "notes.md");
  fs.writeFileSync(notes, "# My notes\n\nbench results by hand\n");
  assert.throws(() => checkOutputFile(notes, "--markdown", "bench-markdown"), /exists and is not a digit-lab benchmark table/);
  assert.throws(() => checkOutputFile(table, "--report", "report"), /not a digit-lab report page/, "a kind accepts only its own files");
  assert.throws(() => checkOutputFile(dir, "--markdown", "bench-markdown"), (err: Error) => err.message === `--markdown ${dir}: is a folder; give a file name, e.g. ${path.join(dir, "bench.md")}`);
});
