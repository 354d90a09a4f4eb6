import * as fs from "node:fs";
import * as path from "node:path";
import { DigitLabError, UsageError } from "../errors";
import { describeFsCode, isFsError } from "./fs-errors";

/**
 * Writes a file so that readers see either the old content or the complete new one:
 * the data goes to a temporary file in the same directory, which is then renamed.
 * Refuses (UsageError) to replace a directory; an fs failure becomes one DigitLabError naming `file`.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const problem = fileTargetProblem(file);
  if (problem) throw new UsageError(problem, file);
  const tmp = tempSibling(file);
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw asWriteError(err, file);
  }
}

/** A unique temporary path next to `file` (same filesystem, so rename is atomic). */
export function tempSibling(file: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${rand}.tmp`);
}

export interface WriteDirOptions {
  /**
   * The caller vouches that an existing, non-empty `dir` holding `entries` (file names; sub-folders
   * end in "/") may be deleted and replaced. Without it only a missing or empty directory is replaced.
   */
  replaceable?: (dir: string, entries: string[]) => boolean;
  /** What a replaceable directory is, for the refusal message: "a saved model" → "exists and is not a saved model". */
  kind?: string;
  /**
   * For a folder that holds a `kind` plus other entries: those other entries (undefined when it holds
   * no `kind`), so the refusal says "exists and holds a saved model and other files (r.html, sub/)".
   */
  besideKind?: (dir: string, entries: string[]) => string[] | undefined;
}

/**
 * Builds a directory atomically: `fill` writes into a fresh temporary directory, which replaces
 * `dir` only when `fill` succeeded. `dir` must be missing, empty, or vouched for by
 * `options.replaceable`: anything else (a file, a folder with other contents, the current
 * directory or one of its parents) is refused with a UsageError before `fill` runs, and left as it is.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void> | void, options: WriteDirOptions = {}): Promise<void> {
  const problem = dirTargetProblem(dir, options);
  if (problem) throw new UsageError(problem, dir);
  const target = path.resolve(dir);
  const tmp = tempSibling(target);
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.mkdirSync(tmp);
    await fill(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true }); // our own temporary directory
    throw asWriteError(err, dir);
  }
  // Checked again now: `fill` may have taken minutes, and the folder may have changed meanwhile.
  const late = dirTargetProblem(dir, options);
  if (late) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new UsageError(late, dir);
  }
  let old: string | undefined;
  try {
    if (fs.existsSync(target)) {
      old = tempSibling(target);
      fs.renameSync(target, old);
    }
    fs.renameSync(tmp, target);
  } catch (err) {
    if (old && !fs.existsSync(target)) fs.renameSync(old, target); // put the old directory back
    fs.rmSync(tmp, { recursive: true, force: true });
    throw asWriteError(err, dir);
  }
  if (old) removeVouched(old);
}

/**
 * Deletes a directory that was checked as replaceable, without recursion: its files, then the
 * folder itself. A sub-folder that appeared since the check survives (and so does the folder).
 */
function removeVouched(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) fs.rmSync(path.join(dir, entry.name), { force: true });
  }
  try {
    fs.rmdirSync(dir);
  } catch {
    // Not empty any more: someone put a folder there meanwhile; keep it rather than guess.
  }
}

/**
 * Why `dir` cannot be (re)written as a directory, or undefined when it can: it is the current
 * directory or a parent of it, a path under a regular file, something other than a directory,
 * or a non-empty directory that `options.replaceable` does not vouch for.
 */
export function dirTargetProblem(dir: string, options: WriteDirOptions = {}): string | undefined {
  const target = path.resolve(dir);
  const cwd = process.cwd();
  if (target === cwd) return "is the current directory, which cannot be replaced";
  if (cwd.startsWith(target.endsWith(path.sep) ? target : target + path.sep)) return "is a parent of the current directory, which cannot be replaced";
  const ancestor = ancestorProblem(path.dirname(target));
  if (ancestor) return ancestor;
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return `cannot be checked (${describeFsCode((err as NodeJS.ErrnoException).code)})`;
  }
  if (stat.isSymbolicLink()) return "exists and is a symbolic link, which is not replaced";
  if (!stat.isDirectory()) return "exists and is a file, not a folder";
  const entries = listEntries(target);
  if (entries.length === 0) return undefined;
  if (options.replaceable?.(target, entries)) return undefined;
  const others = options.kind ? options.besideKind?.(target, entries) : undefined;
  if (others?.length) return `exists and holds ${options.kind} and other files (${summarizeEntries(others)}), which replacing it would delete`;
  return `exists and is not ${options.kind ?? "empty"} (it holds ${summarizeEntries(entries)})`;
}

/**
 * Why `file` cannot be written as a regular file, or undefined when it can: it is an existing
 * directory, or a folder on its way is a regular file, or that folder is not writable.
 */
export function fileTargetProblem(file: string, exampleName = "report.html"): string | undefined {
  const target = path.resolve(file);
  try {
    if (fs.statSync(target).isDirectory()) return "is a folder; give a file name, e.g. " + path.join(file, exampleName);
  } catch {
    // missing (or unreadable): the checks below say more
  }
  return ancestorProblem(path.dirname(target));
}

/** The nearest existing ancestor of `folder` must be a writable directory (the rest is created). */
function ancestorProblem(folder: string): string | undefined {
  let current = folder;
  for (;;) {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(current);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a file on the way; going up finds it and names it.
      if (code !== "ENOENT" && code !== "ENOTDIR") return `cannot be written: ${current} ${describeFsCode(code)}`;
    }
    if (stat) {
      if (!stat.isDirectory()) return `cannot be written: ${current} is a file, not a folder`;
      try {
        fs.accessSync(current, fs.constants.W_OK);
      } catch {
        return `cannot be written: no permission to write in ${current}`;
      }
      return undefined;
    }
    const up = path.dirname(current);
    if (up === current) return undefined;
    current = up;
  }
}

function listEntries(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
    .sort();
}

/** "cnn/, keep/, notes.txt" — at most six names, then how many more. */
export function summarizeEntries(entries: string[], max = 6): string {
  const shown = entries.slice(0, max).join(", ");
  return entries.length > max ? `${shown}, … ${entries.length - max} more` : shown;
}

/** An fs error (code set) while writing `target` → one DigitLabError naming `target`; others pass through. */
export function asWriteError(err: unknown, target: string): unknown {
  if (err instanceof DigitLabError || !isFsError(err)) return err;
  return new DigitLabError(`cannot be written: ${describeFsCode(err.code)} (${err.code})`, target);
}
