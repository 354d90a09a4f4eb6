// Finding a Python that has Jupyter, and the environment that makes it see the
// project's own kernelspec (jupyter/kernels/digit-lab) without installing it globally.
// Plain JavaScript so that `npm start` needs nothing compiled.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const PROJECT_ROOT = path.resolve(__dirname, "..");
const KERNEL_DIR = path.join(PROJECT_ROOT, "jupyter");

/** Pythons to try, best first: an explicit choice, Debian's (apt), then whatever is on PATH. */
function candidatePythons() {
  const list = [process.env.DIGIT_LAB_PYTHON, "/usr/bin/python3", "python3", "python"];
  return [...new Set(list.filter(Boolean))];
}

/** The first Python that can import the given Jupyter modules, or undefined. */
function findJupyterPython(modules = ["notebook", "nbconvert", "nbclient", "jupyter_client"]) {
  for (const python of candidatePythons()) {
    if (path.isAbsolute(python) && !fs.existsSync(python)) continue;
    const probe = spawnSync(python, ["-c", `import ${modules.join(", ")}`], { stdio: "ignore" });
    if (probe.status === 0) return python;
  }
  return undefined;
}

/** How to get Jupyter on this platform, in words a person can act on. */
function installAdvice() {
  const isDebian = fs.existsSync("/etc/debian_version");
  const lines = ["Jupyter was not found (no Python with the notebook, nbconvert and nbclient modules)."];
  if (isDebian) {
    lines.push(
      "On Debian/Ubuntu:",
      "  sudo apt-get update && sudo apt-get install -y --no-install-recommends jupyter-notebook jupyter-nbconvert jupyter-client",
    );
  }
  lines.push(
    `${isDebian ? "Elsewhere" : "Install it with pip"}:`,
    "  python3 -m pip install --user notebook nbconvert nbclient",
    "or run `npm run setup`, which does one of these for you.",
    "If Jupyter lives in another Python, point DIGIT_LAB_PYTHON at that interpreter.",
  );
  return lines.join("\n");
}

/** The environment for Jupyter processes: the project's kernelspec first on JUPYTER_PATH. */
function jupyterEnv(extra = {}) {
  const jupyterPath = [KERNEL_DIR, process.env.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  // The kernel runs `node`: make sure it is the node running us.
  const PATH = [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter);
  return { ...process.env, JUPYTER_PATH: jupyterPath, PATH, ...extra };
}

module.exports = { PROJECT_ROOT, KERNEL_DIR, findJupyterPython, installAdvice, jupyterEnv };
