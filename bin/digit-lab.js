#!/usr/bin/env node
// Runs the TypeScript CLI directly: tsx compiles src/ on the fly, so there is no build step.
require("tsx/cjs");
require("../src/cli/index.ts")
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    console.error(err && err.stack ? err.stack : err);
    process.exitCode = 1;
  });
