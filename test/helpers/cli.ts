/** Runs `digit-lab` as a user would: a child process on the real MNIST files, from the project folder unless `cwd` says otherwise. */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { PROJECT_ROOT, REAL_DATA_DIR } from "./paths";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Extra environment variables (on top of this process's, with DIGIT_LAB_DATA_DIR on the real data). */
  env?: Record<string, string>;
  cwd?: string;
  /** Kills the run after this many ms (a hung command then fails its test instead of the whole suite). */
  timeout?: number;
}

export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "bin", "digit-lab.js"), ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    encoding: "utf8",
    env: { ...process.env, DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, ...options.env },
    timeout: options.timeout,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
