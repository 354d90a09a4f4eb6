/**
 * The drawing pad checks its models in Node before it serves anything: a damaged or
 * incompatible model directory fails at start-up with the same ModelFileError as
 * `evaluate` and `predict`, not later in the browser page.
 */
import { test, before, after } from "node:test";
import * as assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { ModelFileError } from "../../src/errors";
import { startDrawServer } from "../../src/draw/server";
import { MODEL_FILE, WEIGHTS_FILE } from "../../src/models/persist";
import { saveIncompatibleModel, saveKerasStyleModel, type IncompatibleKind } from "../helpers/incompatible-models";
import { runCli } from "../helpers/cli";
import { PROJECT_ROOT } from "../helpers/paths";
import { copySavedModel, trainedOn } from "../helpers/model-copies";

let root: string;
const dirs = {} as Record<IncompatibleKind | "keras-style", string>;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "digit-lab-draw-checks-"));
  for (const kind of ["five-classes", "hundred-inputs", "nan-weights", "short-weights"] as const) {
    dirs[kind] = await saveIncompatibleModel(kind, path.join(root, kind));
  }
  dirs["keras-style"] = await saveKerasStyleModel(path.join(root, "keras-style"));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

/** What each bad directory must be rejected with: the file named, and the problem. */
function expected(kind: IncompatibleKind): { file: string; what: RegExp } {
  const dir = dirs[kind];
  switch (kind) {
    case "short-weights":
      return { file: path.join(dir, WEIGHTS_FILE), what: /weights are 1,000 bytes but the manifest in model\.json describes [\d,]+: the file is cut short \(an interrupted copy or download\?\); copy the model folder again/ };
    case "five-classes":
      return { file: path.join(dir, MODEL_FILE), what: /the model outputs 5 classes; MNIST has 10/ };
    case "hundred-inputs":
      return { file: path.join(dir, MODEL_FILE), what: /expects inputs of shape \[null,100\]; MNIST provides 28×28 images/ };
    case "nan-weights":
      return { file: path.join(dir, WEIGHTS_FILE), what: /the weights hold NaN values \(first in "[^"]+"\): its training diverged, or the file is damaged/ };
  }
}

const KINDS: IncompatibleKind[] = ["short-weights", "five-classes", "hundred-inputs", "nan-weights"];

test("startDrawServer refuses each bad model before listening, naming the file and the problem", async () => {
  for (const kind of KINDS) {
    const { file, what } = expected(kind);
    // Next to a good model: one bad directory is enough to refuse.
    await assert.rejects(startDrawServer({ modelDirs: [dirs["keras-style"], dirs[kind]] }), (err: Error) => {
      assert.ok(err instanceof ModelFileError, `${kind}: ${err.name}: ${err.message}`);
      assert.ok(err.message.startsWith(`${file}: `), `${kind}: ${err.message}`);
      assert.match(err.message, what, kind);
      return true;
    });
  }
});

test("a good model (Keras-style [null,28,28] input), given by its folder or its model.json, starts the pad", async () => {
  for (const given of [dirs["keras-style"], path.join(dirs["keras-style"], MODEL_FILE)]) {
    const server = await startDrawServer({ modelDirs: [given] });
    try {
      assert.deepEqual(server.models.map((m) => m.name), ["keras-style"]);
      assert.ok(server.routes.includes("/models/0/weights.bin"), server.routes.join(" "));
    } finally {
      await server.close();
    }
  }
});

test("`digit-lab draw --no-open` exits 1 with the error and never prints a URL", () => {
  for (const kind of KINDS) {
    const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "digit-lab.js"), "draw", "--no-open", "--model-dir", dirs[kind]], {
      cwd: PROJECT_ROOT,
      encoding: "utf8",
      timeout: 60_000, // a server that started would wait for Ctrl+C: the timeout makes that a failure
    });
    const { file, what } = expected(kind);
    assert.equal(r.status, 1, `${kind}: status ${r.status}, signal ${r.signal}\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /http:\/\//, kind);
    assert.ok(r.stderr.includes(`digit-lab draw: ${file}: `), `${kind}: ${r.stderr}`);
    assert.match(r.stderr, what, kind);
    assert.doesNotMatch(r.stderr, /\n\s+at /, `${kind}: no stack trace`);
  }
});

test("`digit-lab draw` serves a Fashion-MNIST model but warns that it does not read digits", async () => {
  const fashion = copySavedModel(dirs["keras-style"], path.join(root, "fashion"), trainedOn("fashion-mnist"));
  const child = spawn(process.execPath, [path.join(PROJECT_ROOT, "bin", "digit-lab.js"), "draw", "--no-open", "--port", "0", "--model-dir", fashion], { cwd: PROJECT_ROOT });
  let stdout = "", stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  // "close" comes after both pipes are drained, so all of stderr is in by then.
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 60 s\n${stdout}\n${stderr}`)), 60_000);
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("http://")) { clearTimeout(timer); resolve(); }
      });
      void exited.then((code) => { clearTimeout(timer); reject(new Error(`exited ${code} before serving\n${stderr}`)); });
    });
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
  assert.ok(stderr.includes(`digit-lab draw: warning: ${fashion} was trained on fashion-mnist, not handwritten digits`), stderr);
  assert.match(stderr, /9 Ankle boot/);
});

test("`digit-lab draw --port N` on a busy port says so in one line (exit 2, no stack trace)", async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve()));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    // runCli is synchronous; the blocker keeps its port bound meanwhile (the kernel accepts no connections to it, which is fine).
    const r = runCli(["draw", "--no-open", "--port", String(port), "--model-dir", dirs["keras-style"]], { timeout: 60_000 });
    assert.equal(r.code, 2, `status ${r.code}\n${r.stdout}\n${r.stderr}`);
    assert.doesNotMatch(r.stdout, /http:\/\//);
    const lines = r.stderr.trimEnd().split("\n").filter((l) => !l.startsWith("digit-lab: TensorFlow.js")); // the backend line
    assert.deepEqual(lines, [`digit-lab draw: port ${port} is in use; pick another with --port, or --port 0 for any free port`], r.stderr);
  } finally {
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  }
});

test("two models of the same architecture are both named by their folder (and by position when the folders match too)", async () => {
  const copies = [path.join(root, "runs-a", "m1"), path.join(root, "runs-b", "m2")];
  for (const dir of copies) copySavedModel(dirs["keras-style"], dir, () => ({ model: "dense-128-64" }));
  const server = await startDrawServer({ modelDirs: [...copies, dirs["keras-style"], copies[0]] });
  try {
    assert.deepEqual(server.models.map((m) => m.name), ["dense-128-64 (m1 #1)", "dense-128-64 (m2)", "keras-style", "dense-128-64 (m1 #4)"]);
  } finally {
    await server.close();
  }
  const pair = await startDrawServer({ modelDirs: copies });
  try {
    assert.deepEqual(pair.models.map((m) => m.name), ["dense-128-64 (m1)", "dense-128-64 (m2)"]);
  } finally {
    await pair.close();
  }
});
