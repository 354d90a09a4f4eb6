import * as fs from "node:fs";
import * as path from "node:path";

/**
 * Writes a file so that readers see either the old content or the complete new one:
 * the data goes to a temporary file in the same directory, which is then renamed.
 */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempSibling(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** A unique temporary path next to `file` (same filesystem, so rename is atomic). */
export function tempSibling(file: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${rand}.tmp`);
}

/**
 * Builds a directory atomically: `fill` writes into a fresh temporary directory,
 * which replaces `dir` only when `fill` succeeded.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = tempSibling(dir);
  fs.mkdirSync(tmp);
  try {
    await fill(tmp);
    const old = fs.existsSync(dir) ? tempSibling(dir) : undefined;
    if (old) fs.renameSync(dir, old);
    fs.renameSync(tmp, dir);
    if (old) fs.rmSync(old, { recursive: true, force: true });
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
