/**
 * `npm run typecheck` stays clean: the library, the tests and the browser pages under strict
 * TypeScript 5.9. Tests run through tsx, which strips types without checking them, so without
 * this a type error in a test helper would pass `npm test` unnoticed.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT } from "../helpers/paths";

const TSC = path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");

for (const project of [".", "test", "src/web"]) {
  test(`tsc --noEmit -p ${project} reports no errors`, { timeout: 300_000 }, () => {
    const run = spawnSync(process.execPath, [TSC, "--noEmit", "-p", project], { cwd: PROJECT_ROOT, encoding: "utf8" });
    assert.equal(run.status, 0, `tsc -p ${project}:\n${run.stdout}${run.stderr}`);
  });
}
