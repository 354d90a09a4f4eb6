#!/usr/bin/env node
// `npm start`: opens Jupyter on 127.0.0.1 with the notebooks, using the project's own
// TypeScript kernel (no global kernel registration needed).
const { spawn } = require("node:child_process");
const path = require("node:path");
const { PROJECT_ROOT, findJupyterPython, installAdvice, jupyterEnv } = require("../scripts/jupyter");

const python = findJupyterPython(["notebook"]);
if (!python) {
  console.error(installAdvice());
  process.exit(1);
}
const extra = process.argv.slice(2);
const args = ["-m", "notebook", "--ip=127.0.0.1"];
if (!extra.some((a) => /notebook[-_]dir/.test(a))) args.push(`--notebook-dir=${path.join(PROJECT_ROOT, "notebooks")}`);
// Jupyter refuses to run as root without this (containers, CI machines).
if (typeof process.getuid === "function" && process.getuid() === 0) args.push("--allow-root");
args.push(...extra);
console.error(`digit-lab: starting Jupyter (${python} ${args.join(" ")}); kernel "TypeScript (digit-lab)"`);
const child = spawn(python, args, { stdio: "inherit", env: jupyterEnv() });
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
