/** The backend module: automatic choice, overrides, and being the only door to TensorFlow.js. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parseBackendName } from "../../src/backend";
import { UsageError } from "../../src/errors";
import { PROJECT_ROOT } from "../helpers/paths";

/** Runs a tiny script in a fresh process (the backend is chosen once per process). */
function chooseIn(env: Record<string, string | undefined>, options = "{}") {
  const script = `
    const { initBackend, tf } = require("./src/backend");
    initBackend(${options}).then(
      (info) => { tf.ones([2]).dataSync(); console.log(JSON.stringify({ ...info, active: tf.getBackend() })); },
      (err) => { console.log(JSON.stringify({ error: err.message, kind: err.name })); });`;
  const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, DIGIT_LAB_BACKEND: undefined, ...env },
  });
  return { result: JSON.parse(run.stdout.trim().split("\n").pop()!), stderr: run.stderr };
}

test("automatic choice: native when installed, else wasm — and it says which and why, once", () => {
  const nativeInstalled = fs.existsSync(path.join(PROJECT_ROOT, "node_modules", "tfjs-node-native"));
  const { result, stderr } = chooseIn({});
  assert.equal(result.name, nativeInstalled ? "native" : "wasm");
  assert.equal(result.active, nativeInstalled ? "tensorflow" : "wasm");
  if (!nativeInstalled) assert.equal(result.reason, "@tensorflow/tfjs-node is not installed: its install must download libtensorflow");
  const lines = stderr.split("\n").filter((l) => l.includes("digit-lab: TensorFlow.js"));
  assert.equal(lines.length, 1, `one line says which backend: ${stderr}`);
  assert.match(lines[0], new RegExp(`on the ${result.name} backend \\(`));
  assert.ok(lines[0].length <= 140, `the line fits a notebook's width without wrapping: ${lines[0].length} characters`);
  assert.doesNotMatch(stderr, /Hi there|speed things up/, "the tfjs banner is silenced");
});

test("DIGIT_LAB_BACKEND and the backend option override the choice", () => {
  assert.deepEqual(pick(chooseIn({ DIGIT_LAB_BACKEND: "cpu" }).result), { name: "cpu", active: "cpu", reason: "DIGIT_LAB_BACKEND=cpu" });
  assert.deepEqual(pick(chooseIn({}, `{ backend: "cpu" }`).result), { name: "cpu", active: "cpu", reason: "requested=cpu" });
  const bad = chooseIn({ DIGIT_LAB_BACKEND: "gpu" }).result;
  assert.equal(bad.kind, "UsageError");
  assert.match(bad.error, /unknown DIGIT_LAB_BACKEND "gpu": choose one of auto, native, wasm, cpu/);
});

test("asking for native where it is not installed fails clearly instead of falling back", () => {
  if (fs.existsSync(path.join(PROJECT_ROOT, "node_modules", "tfjs-node-native"))) return; // the native package is there
  const { result } = chooseIn({ DIGIT_LAB_BACKEND: "native" });
  assert.equal(result.kind, "UsageError");
  assert.match(result.error, /the native backend is not available: @tensorflow\/tfjs-node is not installed/);
});

test("parseBackendName accepts the names and aliases", () => {
  assert.equal(parseBackendName("WASM"), "wasm");
  assert.equal(parseBackendName("tensorflow"), "native");
  assert.equal(parseBackendName(""), "auto");
  assert.throws(() => parseBackendName("webgpu", "--backend"), (e: Error) => e instanceof UsageError && /--backend/.test(e.message));
});

test("nothing outside src/backend imports a TensorFlow.js package", () => {
  const offenders: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.(ts|js)$/.test(entry.name) && !file.startsWith(path.join(PROJECT_ROOT, "src", "backend") + path.sep)) {
        const text = fs.readFileSync(file, "utf8");
        if (/(from\s+|require\(\s*|import\(\s*)["']@tensorflow\/|["']tfjs-node-native["']/.test(text)) offenders.push(path.relative(PROJECT_ROOT, file));
      }
    }
  };
  for (const dir of ["src", "notebooks", "scripts", "bin"]) walk(path.join(PROJECT_ROOT, dir));
  assert.deepEqual(offenders, []);
});

function pick(r: { name: string; active: string; reason: string }) {
  return { name: r.name, active: r.active, reason: r.reason };
}
