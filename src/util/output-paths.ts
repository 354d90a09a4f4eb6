/**
 * Checks a command's output paths (--save DIR, --report FILE, …) before it does any work, so a
 * wrong path costs a one-line UsageError rather than a finished training run.
 */
import * as path from "node:path";
import { UsageError } from "../errors";
import { dirTargetProblem, fileTargetProblem, type WriteDirOptions } from "./atomic-write";

/** Throws a UsageError naming `file` unless a file can be written there (see fileTargetProblem). */
export function checkOutputFile(file: string | undefined, flag: string): void {
  if (file === undefined) return;
  const problem = fileTargetProblem(file);
  if (problem) throw new UsageError(`${flag} ${file}: ${problem}`);
}

/**
 * Throws a UsageError naming `dir` unless writeDirAtomic(dir, …, options) may write there.
 * `newName` is a folder name to suggest instead, e.g. the model's name.
 */
export function checkOutputDir(dir: string | undefined, flag: string, options: WriteDirOptions = {}, newName?: string): void {
  if (dir === undefined) return;
  const problem = dirTargetProblem(dir, options);
  if (!problem) return;
  let advice = "";
  if (newName && !/^cannot be written/.test(problem)) {
    // An existing folder gets a new sub-folder; a file or link, a sibling.
    const base = /^exists and is not|current directory/.test(problem) ? dir : path.dirname(dir);
    advice = `; choose a new folder, e.g. ${path.join(base, newName)}`;
  }
  throw new UsageError(`${flag} ${dir}: ${problem}${advice}`);
}
