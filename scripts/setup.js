#!/usr/bin/env node
// `npm run setup`: installs Jupyter for the notebooks if it is missing — Debian's
// packages through apt when running as root on Debian/Ubuntu, pip (user site) otherwise.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const { findJupyterPython, installAdvice } = require("./jupyter");

function run(cmd, args) {
  console.error(`$ ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  return r.status === 0;
}

const found = findJupyterPython();
if (found) {
  console.error(`Jupyter is already available (${found}).`);
  process.exit(0);
}
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
let ok = false;
if (fs.existsSync("/etc/debian_version") && isRoot) {
  ok = run("apt-get", ["update"]) &&
    run("apt-get", ["install", "-y", "--no-install-recommends", "jupyter-notebook", "jupyter-nbconvert", "jupyter-client"]);
} else {
  ok = run("python3", ["-m", "pip", "install", "--user", "notebook", "nbconvert", "nbclient"]);
}
if (!ok || !findJupyterPython()) {
  console.error("\nCould not install Jupyter automatically.\n" + installAdvice());
  process.exit(1);
}
console.error(`Jupyter is ready (${findJupyterPython()}).`);
