/** Runs `digit-lab` as a user would: a child process on the real MNIST files, from the project folder unless `cwd` says otherwise. */
import { spawn, spawnSync, type ChildProcessByStdio } from "node:child_process";
import type { Readable } from "node:stream";
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

const CLI = path.join(PROJECT_ROOT, "bin", "digit-lab.js");

function cliEnv(options: CliOptions): NodeJS.ProcessEnv {
  return { ...process.env, DIGIT_LAB_DATA_DIR: REAL_DATA_DIR, ...options.env };
}

export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? PROJECT_ROOT,
    encoding: "utf8",
    env: cliEnv(options),
    timeout: options.timeout,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `digit-lab args…` as runCli does, without waiting: stdin ignored, stdout and stderr piped. */
export function startCli(args: string[], options: Omit<CliOptions, "timeout"> = {}): ChildProcessByStdio<null, Readable, Readable> {
  return spawn(process.execPath, [CLI, ...args], { cwd: options.cwd ?? PROJECT_ROOT, env: cliEnv(options), stdio: ["ignore", "pipe", "pipe"] });
}
