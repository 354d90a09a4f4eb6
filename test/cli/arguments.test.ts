/**
 * Mistakes in arguments and settings are usage errors (exit 2, one line, no stack trace), found
 * before any data is read: each run below points --data-dir at an empty folder, so a check that
 * came too late would fail on the missing files instead.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCli } from "../helpers/cli";
import { PROJECT_ROOT } from "../helpers/paths";

const noData = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-args-"));
after(() => fs.rmSync(noData, { recursive: true, force: true }));

function usageError(args: string[], message: RegExp, env: Record<string, string> = {}): void {
  const r = runCli([...args, "--data-dir", noData], { env });
  assert.equal(r.code, 2, `${args.join(" ")}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `${args.join(" ")}: a stack trace`);
  assert.doesNotMatch(r.stderr, /missing|download/, `${args.join(" ")}: the check came after data loading`);
}

test("seeds beyond 32 bits are refused: they would repeat a smaller seed's run", () => {
  usageError(["train", "--model", "dense-128", "--seed", "4294967296"], /--seed must be a whole number from 0 to 4294967295, got "4294967296"/);
  usageError(["train", "--model", "dense-128", "--seed", "99999999999999999999"], /--seed must be a whole number from 0 to 4294967295/);
  usageError(["seeds", "--model", "dense-128", "--seeds", "0,4294967296"], /4294967295, got "4294967296"/);
  usageError(["compare", "--models", "dense-128", "--seed=-1"], /--seed must be a whole number from 0 to 4294967295, got "-1"/);
});

test("compare checks its learning rate as train does", () => {
  for (const rate of ["-1", "0"]) {
    usageError(["compare", "--models", "dense-128", `--learning-rate=${rate}`], new RegExp(`--learning-rate must be a positive number, got ${rate}`));
  }
});

test("compare's --dropout and --l2 are checked before any data is read", () => {
  usageError(["compare", "--models", "cnn", "--dropout", "1.5"], /--dropout 1.5: must be at least 0 and below 1/);
  usageError(["compare", "--models", "cnn", "--l2=-0.1"], /--l2 -0.1: must be at least 0/);
  usageError(["compare", "--models", "cnn", "--dropout", "lots"], /--dropout must be a number, got "lots"/);
});

test("a dense spec with a size out of range names the size", () => {
  usageError(["train", "--model", "dense:0"], /model "dense:0": a dense layer has 1 to 65536 units, not 0/);
});

test("a bad DIGIT_LAB_THREADS stops the command before it starts", () => {
  for (const threads of ["abc", "0"]) {
    usageError(["train", "--model", "dense-128"], new RegExp(`DIGIT_LAB_THREADS must be a whole number from 1 to 64, got "${threads}"`), { DIGIT_LAB_THREADS: threads });
  }
});

test("a misspelled flag names the flag meant, in one line; a negative number reaches digit-lab's own checks", () => {
  const oneLine = (args: string[], message: RegExp) => {
    const r = runCli([...args, "--data-dir", noData]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, `one line, not the whole help: ${r.stderr}`);
  };
  oneLine(["train", "--model", "dense-128", "--epoch", "1"], /^digit-lab train: unknown option --epoch \(did you mean --epochs\?\); digit-lab train --help lists the options$/m);
  oneLine(["predict", "--modeldir", "m"], /unknown option --modeldir \(did you mean --model-dir\?\)/);
  oneLine(["train", "--zzz"], /^digit-lab train: unknown option --zzz; digit-lab train --help lists the options$/m);
  oneLine(["train", "--model", "dense-128", "--epochs"], /^digit-lab train: --epochs needs a value; digit-lab train --help lists the options$/m);
  oneLine(["train", "--epochs", "--model", "dense-128"], /^digit-lab train: --epochs needs a value; /m);
  usageError(["train", "--model", "dense-128", "--seed", "-1"], /--seed must be a whole number from 0 to 4294967295, got "-1"/);
  usageError(["compare", "--models", "dense-128", "--learning-rate", "-0.5"], /--learning-rate must be a positive number, got -0.5/);
});

test("compare refuses a model named twice, as seeds refuses a seed named twice", () => {
  usageError(["compare", "--models", "dense-128,cnn,dense-128"], /^digit-lab compare: --models lists dense-128 twice; each model is compared once$/m);
});

test("a whole number too large to hold exactly is called too large, not 'not a whole number'", () => {
  usageError(["train", "--model", "dense-128", "--train-limit", "99999999999999999999"], /--train-limit is too large: "99999999999999999999"/);
  usageError(["train", "--model", "dense-128", "--epochs", "abc"], /--epochs must be a whole number of at least 1, got "abc"/);
});

test("--version prints the package's version, as -V and `version` do", () => {
  const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as { version: string };
  for (const flag of ["--version", "-V", "version"]) {
    const r = runCli([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `digit-lab ${version}\n`);
  }
});
