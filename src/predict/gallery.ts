/**
 * HTML for notebooks: a gallery of predictions (original picture → what the model saw →
 * its answer with the class probabilities), and the preprocessing stages of one picture.
 * Pure builders: they return strings; displaying them is the caller's business
 * (`tslab.display.html(…)`).
 */
import { escapeHtml } from "../util/format";
import { encodePng } from "../preprocess/files";
import { resize, type GreyImage } from "../preprocess/image";
import type { Preprocessed } from "../preprocess/core";
import { probabilityLabel } from "../plots/evaluation";
import type { FileFailure, FilePrediction } from "./index";

const RIGHT = "#2ca02c";
const WRONG = "#d62728";
/**
 * Each block is its own light card, like the white chart boxes: on a transparent background its
 * grey text vanished in JupyterLab's dark theme and the empty probability tracks read as full bars.
 */
const CARD = "font-family:sans-serif;background:#fff;color:#222;padding:8px;border-radius:4px";

/** A file as its folder and name ("own-digits/0_04531.jpg"): enough to find it, short enough for a caption. */
function shortName(file: string): string {
  return file.split(/[\\/]/).slice(-2).join("/");
}

/** A grey image as an <img> (PNG data URL), shrunk to fit `maxSide` px, or enlarged crisply to `scaleTo`. */
export function imageTag(image: GreyImage, options: { maxSide?: number; scaleTo?: number; title?: string } = {}): string {
  let shown = image;
  const longest = Math.max(image.width, image.height);
  if (options.maxSide && longest > options.maxSide) {
    const f = options.maxSide / longest;
    shown = resize(image, Math.max(1, Math.round(image.width * f)), Math.max(1, Math.round(image.height * f)));
  }
  const style = options.scaleTo
    ? `width:${options.scaleTo}px;height:${Math.round((options.scaleTo * shown.height) / shown.width)}px;image-rendering:pixelated;`
    : "";
  const src = `data:image/png;base64,${encodePng(shown).toString("base64")}`;
  return `<img src="${src}" alt="${escapeHtml(options.title ?? "")}" title="${escapeHtml(options.title ?? "")}" style="${style}border:1px solid #ccc;background:#fff">`;
}

function probabilityBars(probabilities: number[], predicted: number, label?: number): string {
  const rows = probabilities.map((p, d) => {
    const colour = d === predicted ? (label === undefined ? "#4c78a8" : d === label ? RIGHT : WRONG) : "#9fb4c7";
    const mark = d === label ? "font-weight:700;" : "";
    return `<div style="display:flex;align-items:center;gap:4px;font-size:11px;line-height:12px">`
      + `<span style="width:8px;${mark}">${d}</span>`
      + `<span style="display:inline-block;width:90px;height:9px;background:#eceff3"><span style="display:block;height:9px;width:${(p * 100).toFixed(1)}%;background:${colour}"></span></span>`
      + `<span style="width:38px;text-align:right">${escapeHtml(probabilityLabel(p))}</span></div>`;
  });
  return rows.join("");
}

/**
 * One card per prediction: the original picture, the 28×28 the model saw, the predicted
 * digit (green if right, red if wrong, when the name gives the truth) and all ten probabilities.
 * Predictions need their stages (`predictFiles(…, { keepStages: true })`).
 * `failures` (predictFiles' result.failures) are listed under the cards, each with what is
 * wrong with it: a picture that silently goes missing from the gallery would leave the
 * user guessing which one it was and why.
 */
export function predictionGalleryHtml(
  predictions: FilePrediction[],
  options: { originalSize?: number; failures?: FileFailure[] } = {},
): string {
  const size = options.originalSize ?? 120;
  const cards = predictions.map((p) => {
    const pre = p.preprocessed;
    const name = shortName(p.file);
    const verdict = p.label === undefined ? "" : p.label === p.digit
      ? `<span style="color:${RIGHT}">✓ true ${p.label}</span>`
      : `<span style="color:${WRONG}">✗ true ${p.label}</span>`;
    const pictures = pre
      ? `${imageTag(pre.original, { maxSide: size, title: "original" })}<span style="font-size:18px;color:#888">→</span>${imageTag(pre.stages.output, { scaleTo: 84, title: "what the model saw (28×28)" })}`
      : "";
    return `<div style="border:1px solid #ddd;border-radius:6px;padding:8px;display:flex;flex-direction:column;gap:6px;width:250px;font-family:sans-serif">`
      + `<div style="font-size:12px;color:#555;overflow:hidden;text-overflow:ellipsis;white-space:nowrap" title="${escapeHtml(p.file)}">${escapeHtml(name)}</div>`
      + `<div style="display:flex;align-items:center;gap:6px">${pictures}</div>`
      + `<div style="display:flex;gap:10px;align-items:flex-start"><div><div style="font-size:30px;font-weight:700;line-height:32px">${p.digit}</div>`
      + `<div style="font-size:12px">${escapeHtml(probabilityLabel(p.confidence))}</div><div style="font-size:12px">${verdict}</div></div>`
      + `<div>${probabilityBars(p.probabilities, p.digit, p.label)}</div></div></div>`;
  });
  const failures = options.failures ?? [];
  const none = predictions.length === 0
    ? `<div style="font-size:13px;color:#555">No picture to show${failures.length ? ": none of them could be read" : ""}.</div>`
    : "";
  return `<div style="${CARD}">${none}<div style="display:flex;flex-wrap:wrap;gap:10px">${cards.join("")}</div>${failuresHtml(failures)}</div>`;
}

/** The files that could not be read, each with its error (which names the file). */
function failuresHtml(failures: FileFailure[]): string {
  if (failures.length === 0) return "";
  const items = failures.map((f) => `<li>${escapeHtml(f.error.includes(f.file) ? f.error : `${f.file}: ${f.error}`)}</li>`);
  return `<div style="margin-top:8px;font-size:12px;color:${WRONG}">${failures.length} file(s) could not be read:`
    + `<ul style="margin:4px 0 0 0;padding-left:18px">${items.join("")}</ul></div>`;
}

/**
 * The preprocessing stages of one picture side by side, each with a caption; `file` names
 * the picture above them, and `skipped` (files passed over because they could not be read,
 * see preprocessFirstReadable) are listed under them.
 */
export function preprocessingStagesHtml(
  pre: Preprocessed & { original?: GreyImage },
  options: { file?: string; skipped?: FileFailure[] } = {},
): string {
  const { stages, info } = pre;
  const panels: [string, string][] = [
    ["original", imageTag(pre.original ?? stages.grey, { maxSide: 160 })],
    [info.inverted ? "ink made bright, paper and lighting removed" : "paper and lighting removed", imageTag(stages.ink, { maxSide: 160 })],
    [`cropped${info.strokeAdjustment === "none" ? "" : `, strokes ${info.strokeAdjustment}`}`, imageTag(stages.cropped, { maxSide: 100 })],
    ["longest side 20 px", imageTag(stages.boxed, { scaleTo: 80 })],
    ["28×28, centred by mass", imageTag(stages.output, { scaleTo: 112 })],
  ];
  const cells = panels.map(([caption, img]) => `<figure style="margin:0;display:flex;flex-direction:column;align-items:center;gap:4px">${img}<figcaption style="font-size:12px;color:#444;max-width:170px;text-align:center">${escapeHtml(caption)}</figcaption></figure>`);
  const specks = info.specksRemoved === 0 ? "no specks" : info.specksRemoved === 1 ? "1 speck" : `${info.specksRemoved} specks`;
  const facts = `stroke width ${info.strokeWidth.toFixed(1)} px → ${info.adjustedStrokeWidth.toFixed(1)} px (MNIST ≈ 2.8); ${specks} removed; ink contrast ${(info.contrast * 100).toFixed(0)}%`;
  // Named like the gallery's cards (folder/file), the full path on hover.
  const heading = options.file === undefined
    ? ""
    : `<div style="font-size:12px;color:#555;margin-bottom:6px" title="${escapeHtml(options.file)}">${escapeHtml(shortName(options.file))}</div>`;
  return `<div style="${CARD}">${heading}<div style="display:flex;align-items:flex-end;gap:14px;flex-wrap:wrap">${cells.join("<span style=\"font-size:20px;color:#888\">→</span>")}</div>`
    + `<div style="font-size:12px;color:#555;margin-top:6px">${escapeHtml(facts)}</div>${failuresHtml(options.skipped ?? [])}</div>`;
}
