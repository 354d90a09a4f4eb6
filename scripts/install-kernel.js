#!/usr/bin/env node
// `npm run kernel:install`: registers the "TypeScript (digit-lab)" kernel for this user, for
// front ends that do not read JUPYTER_PATH (VS Code, a JupyterLab started elsewhere). The
// project-local kernelspec finds tslab relative to itself; the user copy needs absolute paths.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const { KERNEL_DIR, PROJECT_ROOT, findJupyterPython, installAdvice } = require("./jupyter");

const python = findJupyterPython(["jupyter_core"]);
if (!python) {
  console.error(installAdvice());
  process.exit(1);
}
const dataDir = spawnSync(python, ["-c", "from jupyter_core.paths import jupyter_data_dir; print(jupyter_data_dir())"], { encoding: "utf8" }).stdout.trim();
const target = path.join(dataDir, "kernels", "digit-lab");
const spec = JSON.parse(fs.readFileSync(path.join(KERNEL_DIR, "kernels", "digit-lab", "kernel.json"), "utf8"));
spec.argv = [process.execPath, path.join(PROJECT_ROOT, "node_modules", "tslab", "bin", "tslab"), ...spec.argv.slice(2)];
fs.mkdirSync(target, { recursive: true });
fs.writeFileSync(path.join(target, "kernel.json"), JSON.stringify(spec, null, 2) + "\n");
console.log(`Installed the "${spec.display_name}" kernel for this user in ${target}`);
console.log(`It runs ${spec.argv[0]} with tslab from ${PROJECT_ROOT}; run this again if you move the project.`);
