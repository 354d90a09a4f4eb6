/**
 * One error class per kind of failure. Each names the file (or directory) it is
 * about, so a message always says *where* and *what*.
 */
export class DigitLabError extends Error {
  constructor(message: string, readonly file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = new.target.name;
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
