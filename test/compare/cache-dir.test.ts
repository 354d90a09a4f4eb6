/**
 * A cache folder that cannot be written (a file in its place, a read-only checkout) costs the
 * caching, not the comparison: one warning, and the table, report and JSON as usual.
 */
import { test, after } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cacheDirProblem, compareArchitectures } from "../../src/compare";
import { loadMnist } from "../../src/data";
import { runCli } from "../helpers/cli";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-compare-cache-dir-"));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const settings = { epochs: 1, trainLimit: 300, batchSize: 50 };

test("cacheDirProblem says why runs cannot be cached, and nothing when they can", () => {
  const file = path.join(root, "a-file.txt");
  fs.writeFileSync(file, "not a folder");
  assert.equal(cacheDirProblem(file), `runs will not be cached: ${file} is a file, not a folder`);
  // A folder below a file: the file is named, not the path under it.
  assert.equal(cacheDirProblem(path.join(file, "runs")), `runs will not be cached: ${file} is a file, not a folder`);
  assert.equal(cacheDirProblem(path.join(root, "new", "runs")), undefined, "a missing folder is created");
});

test("compare with a cache path that is a file warns once and still prints the table, the JSON and the report", () => {
  const cacheFile = path.join(root, "cache-is-a-file.txt");
  fs.writeFileSync(cacheFile, "not a folder");
  const report = path.join(root, "compare.html");
  const r = runCli(["compare", "--models", "dense:8,dense:16", "--epochs", "1", "--train-limit", "300", "--report", report, "--json"], {
    env: { DIGIT_LAB_CACHE_DIR: cacheFile },
    timeout: 180_000,
  });
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr.split("\n").filter((line) => /cached/.test(line));
  assert.deepEqual(warnings, [`warning: runs will not be cached: ${cacheFile} is a file, not a folder`]);
  const { runs, rows } = JSON.parse(r.stdout) as { runs: { model: string }[]; rows: { model: string }[] };
  assert.deepEqual(runs.map((run) => run.model), ["dense:8", "dense:16"]);
  assert.deepEqual(rows.map((row) => row.model), ["dense:8", "dense:16"]);
  assert.match(fs.readFileSync(report, "utf8"), /architecture comparison/);
  assert.equal(fs.readFileSync(cacheFile, "utf8"), "not a folder", "the file in the way is left alone");
});

test("a cache that stops being writable during the comparison is one warning; every model still runs", async () => {
  const cacheDir = path.join(root, "runs");
  const lines: string[] = [];
  const { runs } = await compareArchitectures({ ...settings, variants: ["dense:8", "dense:12", "dense:16"] }, {
    cacheDir,
    data: await loadMnist(),
    log: (line) => lines.push(line),
    trainOptions: { verbose: 0 },
    onProgress: (p) => {
      // While the first model trains, the cache folder gives way to a file.
      if (p.model === "dense:8" && p.state === "training") {
        fs.rmSync(cacheDir, { recursive: true, force: true });
        fs.writeFileSync(cacheDir, "in the way");
      }
    },
  });
  assert.deepEqual(runs.map((run) => run.model), ["dense:8", "dense:12", "dense:16"]);
  const warnings = lines.filter((line) => line.startsWith("warning:"));
  assert.equal(warnings.length, 1, lines.join("\n"));
  assert.match(warnings[0], new RegExp(`^warning: runs will not be cached: ${cacheDir}/dense_8-[0-9a-f]{16}\\.json: cannot be written: ${cacheDir} is a file, not a folder$`));
});
