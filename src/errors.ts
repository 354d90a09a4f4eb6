/**
 * One error class per kind of failure. Each names the file (or directory) it is
 * about, so a message always says *where* and *what*.
 */
/** Marks an error the tslab kernel prints as "Name: message" alone (see patches/tslab+1.0.22.patch). */
export const BRIEF_ERROR = Symbol.for("tslab.briefError");

export class DigitLabError extends Error {
  /** The file or directory the error is about, if any (already part of the message). */
  declare readonly file?: string;

  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = new.target.name;
    // Not enumerable: Node (and so a tslab notebook) prints an error's enumerable fields after
    // its stack, which would show `{ file: undefined }` or repeat the path.
    Object.defineProperty(this, "file", { value: file, enumerable: false, configurable: true });
    // The message says what is wrong and where: the patched tslab kernel shows it as one line, no stack.
    Object.defineProperty(this, BRIEF_ERROR, { value: true, enumerable: false });
  }
}

/** A data file is missing, damaged or inconsistent. */
export class DataError extends DigitLabError {}

/** A saved model directory is missing, damaged or incompatible. */
export class ModelFileError extends DigitLabError {}

/** An image cannot be decoded, or holds no digit. */
export class ImageError extends DigitLabError {}

/** A command-line argument or option is wrong. */
export class UsageError extends DigitLabError {}

/**
 * Kernel → Interrupt (the notebook's stop button) ended the work; the message says what was
 * kept. Thrown so that the rest of the interrupted cell does not run on in the background.
 */
export class Interrupted extends DigitLabError {}
