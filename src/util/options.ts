/**
 * Option objects are checked for names their function does not know. A misspelled
 * `{ dropuot: 0.2 }` would otherwise build a model without dropout and say nothing; Keras
 * raises on an unknown keyword argument, and so does digit-lab. TypeScript catches such
 * names only in object literals, not in objects built elsewhere or spread from variables.
 */
import { UsageError } from "../errors";
import type { ImageSet } from "../data/mnist";

/** Every option name of T, each mapped to true: the compiler then insists the list is complete. */
export type OptionNames<T> = Record<keyof T, true>;

/**
 * A value as an error message shows it, in a few words: strings quoted, so "0.2" is told apart
 * from 0.2; a tensor by its shape and dtype, an object by its keys, a typed array by its length,
 * never their contents (`String(tensor)` prints every value, and a plain object "[object Object]").
 */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "function") return value.name ? `a function (${value.name})` : "a function";
  if (value === null || typeof value !== "object") return String(value);
  if (isTensorLike(value)) {
    const shape = `a tf.Tensor of shape [${value.shape.join(",")}] (${value.dtype})`;
    return looksLikeMnist(value.shape) ? `${shape}: digit-lab takes the ImageSet itself (images and labels) and makes the tensors` : shape;
  }
  if (ArrayBuffer.isView(value)) {
    const length = (value as unknown as { length?: unknown }).length;
    return `a ${value.constructor.name}${typeof length === "number" ? ` of ${length.toLocaleString("en-US")} values` : ""}`;
  }
  if (typeof (value as { then?: unknown }).then === "function") return "a Promise (is an `await` missing?)";
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === "string" && name ? `${/^[AEIOU]/.test(name) ? "an" : "a"} ${name}` : "an object";
  }
  return describeKeys(Object.keys(value));
}

/** What an ImageSet holds: an object with some of these keys was meant as one. */
const IMAGE_SET_KEYS: OptionNames<ImageSet> = { images: true, labels: true, count: true, rows: true, cols: true };

/** "an object with images, labels — an ImageSet also needs count, rows, cols" (the latter part only for a partial ImageSet). */
function describeKeys(keys: string[]): string {
  if (keys.length === 0) return "an empty object";
  const shown = keys.length > 8 ? `${keys.slice(0, 8).join(", ")} and ${keys.length - 8} more` : keys.join(", ");
  const imageSetKeys = Object.keys(IMAGE_SET_KEYS);
  const missing = imageSetKeys.filter((k) => !keys.includes(k));
  const partial = missing.length > 0 && missing.length < imageSetKeys.length;
  return `an object with ${shown}${partial ? ` — an ImageSet also needs ${missing.join(", ")}` : ""}`;
}

/** Images ([n,784], [n,28,28], [n,28,28,1]) or labels ([n]), as toTensors makes them. */
function looksLikeMnist(shape: number[]): boolean {
  const tail = shape.slice(1).join(",");
  return shape.length === 1 || tail === "784" || tail === "28,28" || tail === "28,28,1";
}

/** A tf.Tensor, told by what it has: util must not import tfjs (only src/backend does). */
function isTensorLike(value: object): value is { shape: number[]; dtype: string } {
  const v = value as { shape?: unknown; dtype?: unknown; dataSync?: unknown };
  return Array.isArray(v.shape) && typeof v.dtype === "string" && typeof v.dataSync === "function";
}

/**
 * Throws a UsageError naming `where` when `options` is not a plain object, or has a key
 * outside `known`; the message suggests the nearest known name. `undefined` passes (defaults).
 */
export function checkOptionNames(options: unknown, known: OptionNames<object> | readonly string[], where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== "object" || Array.isArray(options)) {
    throw new UsageError(`${where} must be an object of options, got ${describeValue(options)}`);
  }
  const names = Array.isArray(known) ? known : Object.keys(known);
  for (const key of Object.keys(options)) {
    if (names.includes(key)) continue;
    const near = nearestName(key, names);
    throw new UsageError(
      `${where}: unknown option "${key}"${near ? ` (did you mean "${near}"?)` : ""}; the options are ${names.join(", ")}`,
    );
  }
}

/** The known name closest to `name` (case ignored), if it is at most two edits away. */
export function nearestName(name: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit ("dropuot" → "dropout"). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
