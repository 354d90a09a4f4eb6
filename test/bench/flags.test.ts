/**
 * `bench` checks every model and flag before any data is read: a misspelt last model, a model
 * listed twice (under one name or two), or --threads out of DIGIT_LAB_THREADS' range is one
 * usage line, not a refusal after the earlier models have been measured. --threads, when
 * given, wins over DIGIT_LAB_THREADS.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { runBenchmark } from "../../src/bench";
import { UsageError } from "../../src/errors";

// No data here, and a mirror that refuses connections: reading data would fail differently, and visibly.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-bench-flags-"));
const noData = ["--data-dir", path.join(scratch, "no-data"), "--markdown", path.join(scratch, "bench.md")];
const env = { DIGIT_LAB_MIRRORS: "http://127.0.0.1:1/{dataset}/" };
const quick = ["--epochs", "1", "--warmup", "0", "--train-limit", "300"];

function bench(flags: string[]) {
  return runCli(["bench", ...flags, ...quick, ...noData], { env, timeout: 60_000 });
}

function refused(flags: string[], says: string) {
  const r = bench(flags);
  assert.equal(r.code, 2, `${flags.join(" ")}: ${r.stderr}`);
  assert.equal(r.stderr, `digit-lab bench: ${says}\n`, flags.join(" "));
  assert.equal(r.stdout, "");
}

test.after(() => fs.rmSync(scratch, { recursive: true, force: true }));

test("an unknown model anywhere in --models is refused before any data is read", () => {
  const choices = 'choose one of dense-128, dense-128-64, dense-256-128-32, dense-128x3, cnn, or a dense stack like "dense:512-256"';
  refused(["--models", "dense-128,dense:12x"], `unknown model "dense:12x": ${choices}`);
  refused(["--models", "foo"], `unknown model "foo": ${choices}`);
  assert.ok(!fs.existsSync(path.join(scratch, "bench.md")));
});

test("a model listed twice, by the same name or as the same network under two names, is refused", () => {
  refused(["--models", "dense-128,dense-128"], "--models lists dense-128 twice; each model is measured once");
  refused(["--models", "dense-128,cnn,dense:128"], "--models lists dense-128 and dense:128, the same network; each model is measured once");
  refused(["--models", "dense-128x3,dense:128-128-128"], "--models lists dense-128x3 and dense:128-128-128, the same network; each model is measured once");
});

test("--threads takes a whole number from 1 to 64, in DIGIT_LAB_THREADS' words", () => {
  for (const threads of ["0", "65", "99", "2.5", "abc"]) {
    refused(["--models", "dense-128", "--threads", threads], `--threads must be a whole number from 1 to 64, got "${threads}"`);
  }
  // In range: accepted, and the run goes on to the data (which is missing here).
  const ok = bench(["--models", "dense-128,dense:64", "--threads", "64"]);
  assert.notEqual(ok.code, 0);
  assert.doesNotMatch(ok.stderr, /--threads|--models/);
  assert.match(ok.stderr, /no-data/, "the data was looked for");
});

test("--threads takes precedence over a bad DIGIT_LAB_THREADS, which is still refused without it", () => {
  const withFlag = runCli(["bench", "--models", "dense-128", "--threads", "2", ...quick, ...noData], { env: { ...env, DIGIT_LAB_THREADS: "abc" }, timeout: 60_000 });
  assert.notEqual(withFlag.code, 0);
  assert.doesNotMatch(withFlag.stderr, /DIGIT_LAB_THREADS/);
  assert.match(withFlag.stderr, /no-data/, "the run went on to the data");
  const without = runCli(["bench", "--models", "dense-128", ...quick, ...noData], { env: { ...env, DIGIT_LAB_THREADS: "abc" }, timeout: 60_000 });
  assert.equal(without.code, 2);
  assert.equal(without.stderr, 'digit-lab bench: DIGIT_LAB_THREADS must be a whole number from 1 to 64, got "abc"\n');
});

test("runBenchmark itself checks the models and threads before it reads any data", async () => {
  const refuses = (options: Parameters<typeof runBenchmark>[0], message: RegExp) =>
    assert.rejects(runBenchmark({ dataDir: path.join(scratch, "no-data"), log: () => assert.fail("nothing should run"), ...options }),
      (err: Error) => err instanceof UsageError && message.test(err.message));
  await refuses({ models: ["dense-128", "nope"] }, /^unknown model "nope"/);
  await refuses({ models: ["dense:128", "dense-128"] }, /^runBenchmark options: models lists dense:128 and dense-128, the same network; each model is measured once$/);
  await refuses({ models: ["dense-128"], threads: 65 }, /^runBenchmark options: threads must be a whole number from 1 to 64, got 65$/);
});
