#!/usr/bin/env node
// `npm test [words…]`: every test/**/*.test.ts (or those whose path contains a word)
// through Node's own runner, with tsx for TypeScript. Node 20's --test does not expand
// globs itself, so the files are listed here. Ends with a plain "N passed, N failed" line.
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

const root = path.join(__dirname, "..");
const filter = process.argv.slice(2);
const files = fs
  .readdirSync(path.join(root, "test"), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.ts") && !f.split(path.sep).includes("fixtures"))
  .filter((f) => filter.length === 0 || filter.some((word) => f.includes(word)))
  .sort()
  .map((f) => path.join("test", f));

if (files.length === 0) {
  console.error(`no test files match ${filter.join(" ")}`);
  process.exit(1);
}
const outDir = path.join(root, "test-output");
fs.mkdirSync(outDir, { recursive: true });
const tapFile = path.join(outDir, "results.tap");
const result = spawnSync(
  process.execPath,
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-reporter-destination=stdout", "--test-reporter=tap", `--test-reporter-destination=${tapFile}`, ...files],
  { stdio: "inherit", cwd: root },
);
const tap = fs.existsSync(tapFile) ? fs.readFileSync(tapFile, "utf8") : "";
const count = (name) => Number((tap.match(new RegExp(`^# ${name} (\\d+)$`, "m")) || [])[1] || 0);
console.log(`\ntests: ${count("pass")} passed, ${count("fail")} failed, ${count("skipped")} skipped`);
process.exit(result.status ?? 1);
