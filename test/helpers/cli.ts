/** Runs `digit-lab` as a user would: a child process on the real MNIST files, unless `env` says otherwise. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT, REAL_DATA_DIR } from "./paths";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "digit-lab.js"), ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
