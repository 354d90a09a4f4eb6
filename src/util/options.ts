/**
 * Option objects are checked for names their function does not know. A misspelled
 * `{ dropuot: 0.2 }` would otherwise build a model without dropout and say nothing; Keras
 * raises on an unknown keyword argument, and so does digit-lab. TypeScript catches such
 * names only in object literals, not in objects built elsewhere or spread from variables.
 */
import { UsageError } from "../errors";

/** Every option name of T, each mapped to true: the compiler then insists the list is complete. */
export type OptionNames<T> = Record<keyof T, true>;

/** A value as an error message shows it: strings quoted, so "0.2" is told apart from 0.2. */
export function describeValue(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return "an array";
  return String(value);
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
