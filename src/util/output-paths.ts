/**
 * Checks a command's output paths (--save DIR, --report FILE, …) before it does any work, so a
 * wrong path costs a one-line UsageError rather than a finished training run.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { UsageError } from "../errors";
import { dirTargetProblem, fileTargetProblem, type WriteDirOptions } from "./atomic-write";

/**
 * The kinds of file a command writes, each with how to recognize one digit-lab wrote before:
 * only those are replaced, so a slip such as `--report models/cnn/weights.bin` or
 * `--report my-digits/7.png` is refused instead of destroying the file.
 */
export const OUTPUT_KINDS = {
  /** An offline HTML page (writeReport): its footer, or the generator tag of newer pages. */
  report: { what: "a digit-lab report page", example: "report.html", written: (text: string) => /<meta name="generator" content="digit-lab"|Written by digit-lab with plotly\.js/.test(text) },
  /** The benchmark's markdown table (benchMarkdown). */
  "bench-markdown": { what: "a digit-lab benchmark table", example: "bench.md", written: (text: string) => /^## .*\n\n\| model \| backend \|/.test(text) },
} as const;
export type OutputKind = keyof typeof OUTPUT_KINDS;

/**
 * Throws a UsageError naming `file` unless a file can be written there (see fileTargetProblem)
 * and, with a `kind`, unless an existing file there is one digit-lab wrote of that kind.
 */
export function checkOutputFile(file: string | undefined, flag: string, kind?: OutputKind): void {
  if (file === undefined) return;
  const problem = fileTargetProblem(file, kind && OUTPUT_KINDS[kind].example) ?? (kind ? existingFileProblem(file, kind) : undefined);
  if (problem) throw new UsageError(`${flag} ${file}: ${problem}`);
}

/** Why an existing `file` must not be replaced by a new one of `kind`, if it must not. */
function existingFileProblem(file: string, kind: OutputKind): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return undefined;
  const { what, written } = OUTPUT_KINDS[kind];
  const refusal = `exists and is not ${what}, so it is left as it is; choose another file name`;
  if (!stat.isFile()) return refusal;
  if (stat.size === 0) return undefined; // nothing to lose
  // The marks sit in the first or the last lines; a page with plotly.js embedded is megabytes long.
  const fd = fs.openSync(file, "r");
  try {
    const edge = 4096;
    const head = Buffer.alloc(Math.min(edge, stat.size));
    fs.readSync(fd, head, 0, head.length, 0);
    const tail = Buffer.alloc(Math.min(edge, stat.size));
    fs.readSync(fd, tail, 0, tail.length, stat.size - tail.length);
    return written(head.toString("utf8")) || written(tail.toString("utf8")) ? undefined : refusal;
  } finally {
    fs.closeSync(fd);
  }
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
