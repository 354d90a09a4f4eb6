/** `train` and `seeds` refuse a bad --dropout or --l2 before any data is read (or downloaded), as `compare` does. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import * as os from "node:os";
import { runCli } from "../helpers/cli";

// No data here, and a mirror that refuses connections: reading data would fail differently, and visibly.
const noData = ["--data-dir", path.join(os.tmpdir(), "digit-lab-no-such-data-dir")];
const env = { DIGIT_LAB_MIRRORS: "http://127.0.0.1:1/{dataset}/" };

test("--dropout and --l2 out of range: one usage line in compare's words, exit 2, before any data is read", () => {
  const cases = [
    { flags: ["--dropout", "1"], says: "--dropout 1: must be at least 0 and below 1" },
    { flags: ["--dropout", "-0.1"], says: "--dropout -0.1: must be at least 0 and below 1" },
    { flags: ["--l2", "-1"], says: "--l2 -1: must be at least 0" },
  ];
  for (const command of ["train", "seeds"]) {
    for (const { flags, says } of cases) {
      const r = runCli([command, "--model", "dense-128", ...flags, ...noData], { env, timeout: 60_000 });
      assert.equal(r.code, 2, `${command} ${flags.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr, `digit-lab ${command}: ${says}\n`, `${command} ${flags.join(" ")}`);
      assert.equal(r.stdout, "");
    }
  }
  // In range: accepted, and the run goes on to the data (which is missing here).
  const ok = runCli(["train", "--model", "dense-128", "--dropout", "0.5", "--l2", "0", ...noData], { env, timeout: 60_000 });
  assert.notEqual(ok.code, 0);
  assert.doesNotMatch(ok.stderr, /--dropout|--l2/);
});
