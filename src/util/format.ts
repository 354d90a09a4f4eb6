/** Small text and number helpers shared by tables, reports, galleries, progress and the CLI. */

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** Rounds to `digits` decimals for compact output: 0.912345678 → 0.9123 (digits=4). */
export function round(value: number, digits = 4): number {
  if (!Number.isFinite(value)) return value;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** "1 epoch", "2 epochs": a count with its noun, plural unless it is one. */
export function counted(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/**
 * A loss for progress and summary lines: 4 decimals ("0.0812"), in exponent notation from a
 * million on ("7.236e+19"), where fixed notation would print a run of 20 meaningless digits.
 */
export function formatLoss(loss: number): string {
  return Math.abs(loss) >= 1e6 ? loss.toExponential(3) : loss.toFixed(4);
}
