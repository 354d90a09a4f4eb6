/**
 * Text renderings of evaluation results (pure: data in, string out), aligned like
 * scikit-learn's classification_report and a labelled confusion matrix.
 */
import type { ClassificationReport, ConfusionMatrix } from "../types";

/** The report laid out as scikit-learn prints it. */
export function formatClassificationReport(report: ClassificationReport, digits = 4, labels?: string[]): string {
  const name = (c: number) => labels?.[c] ?? String(c);
  // Like scikit-learn: a name column as wide as the longest name ("weighted avg"), then a space.
  const first = Math.max(12, ...report.classes.map((c) => name(c.label).length)) + 1;
  const w = Math.max(digits + 3, 9);
  const num = (v: number) => v.toFixed(digits).padStart(w + 1);
  const int = (v: number) => String(v).padStart(w + 1);
  const lines = [
    " ".repeat(first) + ["precision", "recall", "f1-score", "support"].map((h) => h.padStart(w + 1)).join(""),
    "",
  ];
  for (const c of report.classes) lines.push((name(c.label).padStart(first - 1) + " ") + num(c.precision) + num(c.recall) + num(c.f1) + int(c.support));
  lines.push("");
  const total = report.macro.support;
  lines.push("accuracy ".padStart(first) + " ".repeat(2 * (w + 1)) + num(report.accuracy) + int(total));
  const avg = (label: string, m: ClassificationReport["macro"]) =>
    (label + " ").padStart(first) + num(m.precision) + num(m.recall) + num(m.f1) + int(m.support);
  lines.push(avg("macro avg", report.macro));
  lines.push(avg("weighted avg", report.weighted));
  return lines.join("\n");
}

/** Rows are true labels, columns predicted labels. */
export function formatConfusionMatrix(cm: ConfusionMatrix, labels?: string[]): string {
  const name = (c: number) => labels?.[c] ?? String(c);
  const w = Math.max(4, ...cm.flat().map((v) => String(v).length), ...cm.map((_, c) => name(c).length)) + 1;
  const first = Math.max("true\\pred".length, ...cm.map((_, c) => name(c).length)) + 1;
  const lines = ["true\\pred".padEnd(first) + cm.map((_, c) => name(c).padStart(w)).join("")];
  cm.forEach((row, t) => lines.push(name(t).padEnd(first) + row.map((v) => String(v).padStart(w)).join("")));
  return lines.join("\n");
}
