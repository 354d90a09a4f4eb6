/**
 * Plain words for Node's file-system error codes: one table for every message that reads or
 * writes a user's file, so the same failure is worded the same way everywhere.
 */

const FS_CODES: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EISDIR: "is a folder, not a file",
  ENOTDIR: "a folder on the way is a file",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  EEXIST: "already exists",
  EBUSY: "is busy (in use)",
  ENAMETOOLONG: "name too long",
  EMFILE: "too many open files",
  ENOTEMPTY: "folder is not empty",
  EXDEV: "cannot move across file systems",
  EIO: "input/output error",
  ELOOP: "too many symbolic links",
};

/** Words for an fs error code, e.g. "EACCES" → "permission denied". */
export function describeFsCode(code: string | undefined): string {
  return (code && FS_CODES[code]) ?? (code ? `error ${code}` : "unknown error");
}

/**
 * Words for a caught fs error; `instead` rewords codes for one context (reading an image: EISDIR →
 * "is a folder, not an image"). Errors without a code keep their own message.
 */
export function describeFsError(err: unknown, instead: Record<string, string> = {}): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== "string") return err instanceof Error ? err.message : String(err);
  return instead[code] ?? describeFsCode(code);
}

/** True for a Node system error such as ENOENT or EACCES (as opposed to a bug or a DigitLabError). */
export function isFsError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" && /^E[A-Z]+$/.test(code);
}
