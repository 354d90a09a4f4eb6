/**
 * Predicting the digits in image files: find the files, preprocess each (a file that
 * cannot be read fails alone), run the model over all of them in batches, and rank
 * the classes. The true digit is read from the name when it gives one (`7.png`,
 * `7_abc.png`, or a folder named `7`), so accuracy on your own digits comes for free.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { tf } from "../backend";
import { DigitLabError, UsageError } from "../errors";
import { predictProbabilities } from "../eval/evaluate";
import { preprocessFile, type GreyImage, type PreprocessOptions, type Preprocessed } from "../preprocess";
import { IMAGE_EXTENSIONS, isHiddenEntry, otherFormatMessage, otherFormatOfExtension } from "../preprocess/files";
import { describeFsError, isFsError } from "../util/fs-errors";

export { IMAGE_EXTENSIONS };
export const DEFAULT_PREDICT_BATCH_SIZE = 256;

export interface RankedDigit {
  digit: number;
  probability: number;
}

export interface DigitPrediction {
  digit: number;
  /** Probability of the predicted digit. */
  confidence: number;
  /** The three most likely digits, most likely first. */
  top3: RankedDigit[];
  /** All ten class probabilities. */
  probabilities: number[];
}

export interface FilePrediction extends DigitPrediction {
  file: string;
  /** The true digit, when the file or folder name gives it. */
  label?: number;
  /** The pipeline's stages (only with `keepStages`). */
  preprocessed?: Preprocessed & { original: GreyImage };
}

export interface FileFailure {
  file: string;
  /** What is wrong, naming the file. */
  error: string;
}

export interface PredictFilesResult {
  predictions: FilePrediction[];
  failures: FileFailure[];
  /** Predictions whose true digit is known, and how many of them are right. */
  labelled: number;
  correct: number;
  /** correct / labelled, or undefined when no name gives the digit. */
  accuracy?: number;
}

export interface PredictFilesOptions {
  batchSize?: number;
  /** Keep every preprocessing stage in the results (for galleries). */
  keepStages?: boolean;
  preprocess?: PreprocessOptions;
}

/** Classes sorted by probability, most likely first. */
export function rankDigits(probabilities: ArrayLike<number>, k = 3): RankedDigit[] {
  return Array.from(probabilities, (probability, digit) => ({ digit, probability }))
    .sort((a, b) => b.probability - a.probability || a.digit - b.digit)
    .slice(0, k);
}

/** Turns a row of class probabilities into a prediction. */
export function toPrediction(probabilities: ArrayLike<number>): DigitPrediction {
  const top3 = rankDigits(probabilities, 3);
  return { digit: top3[0].digit, confidence: top3[0].probability, top3, probabilities: Array.from(probabilities) };
}

/**
 * Predicts preprocessed 28×28 images (784 floats in [0, 1] each) with `model`,
 * `batchSize` images per forward pass.
 */
export async function predictPixels(model: tf.LayersModel, images: Float32Array[], batchSize = DEFAULT_PREDICT_BATCH_SIZE): Promise<DigitPrediction[]> {
  if (images.length === 0) return [];
  const all = new Float32Array(images.length * 784);
  images.forEach((img, i) => all.set(img, i * 784));
  const probabilities = await predictProbabilities(model, all, { batchSize });
  const classes = probabilities.length / images.length;
  return images.map((_, i) => toPrediction(probabilities.subarray(i * classes, (i + 1) * classes)));
}

/** The true digit from a file name (`7.png`, `7_abc.png`, `7-x.jpg`) or its folder (`…/7/x.png`). */
export function labelFromPath(file: string): number | undefined {
  const base = path.basename(file);
  const own = /^(\d)(?:[_\-. ][^/\\]*)?\.[A-Za-z]+$/.exec(base);
  if (own) return Number(own[1]);
  const folder = path.basename(path.dirname(path.resolve(file)));
  return /^\d$/.test(folder) ? Number(folder) : undefined;
}

/**
 * The image files named by `inputs`: files as given (whatever their extension, so a
 * wrong file gets a clear error), folders searched recursively for .png/.jpg/.jpeg
 * (hidden files and folders, and a zip's __MACOSX folder, are passed over).
 * Inputs that do not exist, folders that cannot be listed, and pictures in a folder in a
 * format digit-lab does not read (HEIC, WebP, …), are failures; the rest is still collected.
 */
export function collectImageFiles(inputs: string[]): { files: string[]; failures: FileFailure[] } {
  const files: string[] = [];
  const failures: FileFailure[] = [];
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      // A folder that cannot be listed (a USB stick's root-only lost+found) fails alone, like a file.
      if (!isFsError(err)) throw err;
      failures.push({ file: dir, error: `${dir}: folder cannot be read (${describeFsError(err)}); the pictures in it are left out` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name, "en", { numeric: true }));
    for (const e of entries) {
      // Files named explicitly are still read, hidden or not.
      if (isHiddenEntry(e.name)) continue;
      const p = path.join(dir, e.name);
      const ext = path.extname(e.name).toLowerCase();
      if (e.isDirectory()) walk(p);
      else if (IMAGE_EXTENSIONS.includes(ext)) files.push(p);
      else {
        // A phone's HEIC photo or a WebP from the web is reported, not passed over in silence,
        // so that "12 pictures" does not quietly leave out the three the user just added.
        const other = otherFormatOfExtension(ext);
        if (other) failures.push({ file: p, error: `${p}: ${otherFormatMessage(other)}` });
      }
    }
  };
  for (const input of inputs) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(input);
    } catch {
      failures.push({ file: input, error: `${input}: file not found` });
      continue;
    }
    if (stat.isDirectory()) {
      const before = files.length + failures.length;
      walk(input);
      if (files.length + failures.length === before) failures.push({ file: input, error: `${input}: folder has no .png, .jpg or .jpeg images` });
    } else {
      files.push(input);
    }
  }
  return { files, failures };
}

/**
 * Reads and preprocesses one picture; a file digit-lab cannot read (any DigitLabError, which
 * names the file) is a failure to report, not an exception: it fails alone.
 */
function readOrFailure(file: string, options?: PreprocessOptions): { pre: Preprocessed & { original: GreyImage } } | { failure: FileFailure } {
  try {
    return { pre: preprocessFile(file, options) };
  } catch (err) {
    if (!(err instanceof DigitLabError)) throw err;
    return { failure: { file, error: err.message } };
  }
}

/** A picture read for prediction: its 784 prepared pixels, and its stages only when asked for. */
interface ReadPicture {
  file: string;
  pixels: Float32Array;
  pre?: Preprocessed & { original: GreyImage };
}

/**
 * Reads and preprocesses `files`, adding the unreadable ones to `failures`. Only the 784 pixels
 * the model needs are kept from each picture unless `keepStages` is set: the full-size original
 * and the stages of one phone photo take about 50 MB, so a folder of them would otherwise all
 * be held at once. (A function of its own so that not even the last picture outlives it.)
 */
function readPictures(files: string[], failures: FileFailure[], keepStages: boolean, options?: PreprocessOptions): ReadPicture[] {
  const pictures: ReadPicture[] = [];
  for (const file of files) {
    const read = readOrFailure(file, options);
    if ("failure" in read) failures.push(read.failure);
    else pictures.push(keepStages ? { file, pixels: read.pre.pixels, pre: read.pre } : { file, pixels: read.pre.pixels });
  }
  return pictures;
}

/** Preprocesses and predicts every image in `inputs` (files or folders); failures are collected, not thrown. */
export async function predictFiles(model: tf.LayersModel, inputs: string[], options: PredictFilesOptions = {}): Promise<PredictFilesResult> {
  const { files, failures } = collectImageFiles(inputs);
  const ready = readPictures(files, failures, options.keepStages === true, options.preprocess);
  const predictions = await predictPixels(model, ready.map((r) => r.pixels), options.batchSize);
  let labelled = 0, correct = 0;
  const results: FilePrediction[] = ready.map(({ file, pre }, i) => {
    const label = labelFromPath(file);
    const result: FilePrediction = { file, ...predictions[i] };
    if (label !== undefined) {
      result.label = label;
      labelled++;
      if (label === result.digit) correct++;
    }
    if (pre) result.preprocessed = pre;
    return result;
  });
  return { predictions: results, failures, labelled, correct, accuracy: labelled ? correct / labelled : undefined };
}

/**
 * The first of `files` that can be read, preprocessed with every stage kept (for a look at
 * the pipeline step by step), and the files before it that could not be read, each with
 * what is wrong: one unreadable picture at the top of a folder should not stop a notebook.
 * Throws a UsageError that lists them all when none can be read.
 */
export function preprocessFirstReadable(files: string[], options?: PreprocessOptions): {
  file: string;
  preprocessed: Preprocessed & { original: GreyImage };
  skipped: FileFailure[];
} {
  const skipped: FileFailure[] = [];
  for (const file of files) {
    const read = readOrFailure(file, options);
    if ("failure" in read) skipped.push(read.failure);
    else return { file, preprocessed: read.pre, skipped };
  }
  if (files.length === 0) throw new UsageError("no pictures given: the list of files is empty");
  throw new UsageError(`none of the ${files.length} pictures could be read:\n${skipped.map((f) => `  ${f.error}`).join("\n")}`);
}

/**
 * The prediction the model was least sure of (lowest confidence; the first on a tie).
 * Throws a UsageError when there is none, e.g. when no picture in a folder could be read.
 */
export function leastConfident<T extends DigitPrediction>(predictions: T[]): T {
  if (predictions.length === 0) throw new UsageError("no predictions to choose from: no picture could be read (predictFiles' failures say why)");
  return predictions.reduce((a, b) => (b.confidence < a.confidence ? b : a));
}

/**
 * The `--json` shape of one prediction: file, digit, confidence, top3 (+ label when known).
 * With the class names of a model that does not read digits, also `className`: the name of `digit`.
 */
export function predictionJson(p: FilePrediction, classNames?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { file: p.file, digit: p.digit, confidence: p.confidence, top3: p.top3 };
  if (p.label !== undefined) out.label = p.label;
  if (classNames?.[p.digit] !== undefined) out.className = classNames[p.digit];
  return out;
}

export interface FormatPredictionsOptions {
  /**
   * The classes of a model that does not read digits (Fashion-MNIST): shown by name, and the
   * digits that file names give are not scored against them.
   */
  classNames?: readonly string[];
  /** Score the digits file names give (default: only when no classNames are given). */
  scoreLabels?: boolean;
}

/** A plain-text table of predictions, with accuracy when names give the digits. */
export function formatPredictions(result: PredictFilesResult, options: FormatPredictionsOptions = {}): string {
  const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
  const names = options.classNames;
  const score = options.scoreLabels ?? !names;
  const width = Math.max(4, ...result.predictions.map((p) => p.file.length));
  const nameOf = (c: number) => names?.[c] ?? String(c);
  // Digits keep their right-aligned column; names are left-aligned in a column as wide as the longest.
  const classWidth = names ? Math.max(5, ...result.predictions.map((p) => nameOf(p.digit).length)) : 5;
  const shown = (c: number) => (names ? nameOf(c).padEnd(classWidth) : nameOf(c).padStart(classWidth));
  const lines = [`${"file".padEnd(width)}  ${names ? "class".padEnd(classWidth) : "digit"}  confidence  top 3`];
  for (const p of result.predictions) {
    const top = p.top3.map((t) => `${nameOf(t.digit)} ${pct(t.probability).padStart(6)}`).join("  ");
    const truth = !score || p.label === undefined ? "" : p.label === p.digit ? `  (true ${p.label}, right)` : `  (true ${p.label}, WRONG)`;
    lines.push(`${p.file.padEnd(width)}  ${shown(p.digit)}  ${pct(p.confidence).padStart(10)}  ${top}${truth}`);
  }
  if (score && result.accuracy !== undefined) {
    lines.push("", `accuracy: ${result.correct}/${result.labelled} = ${pct(result.accuracy)} (images whose file or folder name gives the digit)`);
  }
  return lines.join("\n");
}

export { ensureDefaultModel, defaultModelPlan, DEFAULT_MODEL_DIR, QUICK_MODEL_DIR, type DefaultModelOptions } from "./default-model";
export { ensureOwnDigits, writePaperDigits, OWN_DIGITS_DIR, type OwnDigitsOptions } from "./own-digits";
export { predictionGalleryHtml, preprocessingStagesHtml, imageTag } from "./gallery";
export { measureRobustness, type RobustnessResult } from "./robustness";
