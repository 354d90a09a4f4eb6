/** Ctrl-C (SIGINT) during a long command: one line saying what was kept, exit 130, no half-written output. */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startCli } from "../helpers/cli";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-interrupt-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Starts `digit-lab args…`, sends SIGINT once stderr matches `when`, and resolves with the exit and stderr. */
function interruptWhen(args: string[], when: RegExp): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = startCli(args);
    let stderr = "";
    let sent = false;
    const guard = setTimeout(() => child.kill("SIGKILL"), 120_000); // a hung command fails here, not the suite
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr += chunk;
      if (!sent && when.test(stderr)) {
        sent = true;
        child.kill("SIGINT");
      }
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    });
  });
}

test("train: Ctrl-C after the first epoch says how far it got and that --save wrote nothing", async () => {
  const save = path.join(tmp, "model");
  const r = await interruptWhen(
    ["train", "--model", "dense-128", "--epochs", "200", "--train-limit", "3000", "--save", save],
    /^epoch 1\/200 /m,
  );
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /\ndigit-lab train: interrupted \(Ctrl-C\) after \d+ of 200 epochs; nothing was written\n$/);
  assert.equal(fs.existsSync(save), false, "no model folder after an interrupted run");
  assert.deepEqual(fs.readdirSync(tmp), [], "no temporary folder left behind");
});

test("seeds: Ctrl-C names the runs that finished, since seeds keeps no cache", async () => {
  const r = await interruptWhen(
    ["seeds", "--model", "dense-128", "--epochs", "100", "--train-limit", "2000", "--seeds", "5,6,7"],
    /seed 6 \(2 of 3\)/,
  );
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /digit-lab seeds: interrupted \(Ctrl-C\) during seed 6 \(2 of 3\); nothing was written; finished: seed 5 \d+\.\d\d%\n$/);
});
