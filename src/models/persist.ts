/**
 * Saving and loading trained models as a directory:
 *
 *   model.json     standard TensorFlow.js layers format (topology + weightsManifest), so
 *                  `tf.loadLayersModel("http://…/model.json")` works as is in a browser;
 *   weights.bin    the weights, little-endian, in manifest order;
 *   metadata.json  how the model was made and how it scored (digit-lab's own).
 *
 * tfjs has no file:// handler without tfjs-node, so a small custom IOHandler does the I/O.
 * Saving writes a temporary directory and renames it into place; loading checks every file
 * and reports problems as ModelFileError naming the file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { tf, currentBackend, initBackend } from "../backend";
import { ModelFileError, UsageError } from "../errors";
import type { EpochLog } from "../types";
import { writeDirAtomic, type WriteDirOptions } from "../util/atomic-write";
import { inputShapeOf } from "./variants";
import { checkOptionNames, describeValue, type OptionNames } from "../util/options";
import { originOf, rememberOrigin } from "./origin";
import { isImageSet, isMnistData } from "../data/tensors";
import type { ImageSet, MnistData } from "../data/mnist";
import type { TrainResult } from "../train/loop";

export const MODEL_FILE = "model.json";
export const WEIGHTS_FILE = "weights.bin";
export const METADATA_FILE = "metadata.json";

/** Everything digit-lab records beside the weights. Unknown extra fields are kept. */
export interface ModelMetadata {
  format: "digit-lab-model";
  formatVersion: 1;
  /** Variant name or spec string, e.g. "dense-128-64" or "dense:512-256". */
  model: string;
  /** The recipe the model was trained with (name or the full settings). */
  recipe?: unknown;
  seed?: number;
  /**
   * Which data: dataset name, whether checksums matched, file SHA-256s. `trainCount` and
   * `imagesBeforeSplit` (its clearer name) count the training images before the validation split
   * (as --train-limit does); `trainCountAfterSplit` and `validationCount` are the two parts
   * (train --json's `trainCount` and `validationCount`).
   */
  data?: {
    dataset?: string; sha256Verified?: boolean; checksums?: Record<string, string>; trainCount?: number;
    imagesBeforeSplit?: number; trainCountAfterSplit?: number; validationCount?: number; identifier?: string;
  };
  history?: EpochLog[];
  /** Set when early stopping put back the weights of this epoch (of `history`): they are the saved ones. */
  restoredEpoch?: number;
  test?: { loss: number; accuracy: number };
  /** Epochs the run was asked to train (`history` holds the ones it finished). */
  epochsRequested?: number;
  /**
   * Why training ended before `epochsRequested`, if it did: "early-stopping", "diverged", "stopped"
   * (from code) or "interrupted" (Ctrl-C during `digit-lab train`: the saved weights are those of
   * the last finished epoch, or of `restoredEpoch`).
   */
  stopReason?: string;
  /** One example's shape: [784] or [28, 28, 1]. */
  inputShape: number[];
  params: number;
  /** Backend the model was trained on. */
  backend?: string;
  /** ISO time the directory was written. */
  createdAt: string;
  [key: string]: unknown;
}

export type MetadataInput = Partial<ModelMetadata> & { model?: string };

/** The dataset a model's metadata.json records (`data.dataset`), or undefined when it names none. */
export function recordedDataset(metadata: { data?: unknown } | undefined): string | undefined {
  const dataset = (metadata?.data as { dataset?: unknown } | undefined)?.dataset;
  return typeof dataset === "string" && dataset !== "" ? dataset : undefined;
}

/** metadata.json's `data`: which data, and how many images trained. */
export type MetadataData = NonNullable<ModelMetadata["data"]>;

/**
 * A training run as a notebook holds it: `saveModel` (through `runMetadata`) turns it into the
 * fields `digit-lab train --save` writes, so the CLI knows the model's dataset and history.
 */
export interface RunRecord {
  /**
   * The data from `loadMnist()` (e.g. `mnist`, not `mnist.train`): records its dataset, checksums and
   * whether they matched. (A plain metadata object, `{ dataset: "mnist", … }`, is written as it is.)
   */
  data?: MnistData | MetadataData;
  /**
   * The images passed to `train`, e.g. `head(mnist.train, 5000)`: their count before the validation
   * split. Without it, all of `data.train` when `result`'s counts add up to it, else not recorded.
   */
  trainSet?: ImageSet;
  /** What `train` returned: history, images trained on and held out, why it stopped, the epoch restored. */
  result?: TrainResult;
  /** `evaluate` or `evaluateDetailed` on the test set: its loss and accuracy are recorded as `test`. */
  evaluation?: { loss: number; accuracy: number };
}

/** saveModel's third argument: metadata fields as they are, and a run's pieces to record (RunRecord). */
export type SaveModelInput = { [K in keyof MetadataInput as K extends "data" ? never : K]: MetadataInput[K] } & RunRecord;

/**
 * The metadata a run records, as `digit-lab train --save` writes it: `model` (the spec `buildModel`
 * was given, for a model it built), `recipe`, `seed` (the recipe's, else buildModel's), `data`
 * (dataset, sha256Verified, checksums; trainCount = imagesBeforeSplit, trainCountAfterSplit,
 * validationCount), `history`, `restoredEpoch`, `epochsRequested` (the recipe's epochs; the
 * history's length for a run that was not stopped), `stopReason`, `test`. Fields given in `input`
 * win over those worked out; undefined ones are left out. Checks the run's pieces (UsageError).
 */
export function runMetadata(input: SaveModelInput = {}, model?: tf.LayersModel): MetadataInput {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new UsageError(`saveModel's metadata must be an object such as { data: mnist, result, evaluation }, got ${describeValue(input)}`);
  }
  const { data, trainSet, result, evaluation, ...given } = input;
  checkRunRecord({ data, trainSet, result, evaluation });
  const origin = model ? originOf(model) : undefined;
  const recipe = typeof given.recipe === "object" && given.recipe !== null ? (given.recipe as { seed?: unknown; epochs?: unknown }) : undefined;
  const stopReason = given.stopReason ?? result?.stopReason;
  const derived: MetadataInput = {
    model: origin?.spec,
    recipe: given.recipe,
    seed: typeof recipe?.seed === "number" ? recipe.seed : origin?.seed,
    data: dataMetadata(data, trainSet, result, origin?.dataset),
    history: result?.history,
    restoredEpoch: result?.restoredEpoch,
    // A run that was not stopped trained every epoch it was asked for.
    epochsRequested: typeof recipe?.epochs === "number" ? recipe.epochs : result && stopReason === undefined ? result.history.length : undefined,
    stopReason,
    test: evaluation ? { loss: evaluation.loss, accuracy: evaluation.accuracy } : undefined,
  };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) derived[key] = value;
  for (const key of Object.keys(derived)) if (derived[key] === undefined) delete derived[key];
  return derived;
}

/** metadata.json's `data` from what the run has; undefined when nothing is known. */
function dataMetadata(data: RunRecord["data"], trainSet: ImageSet | undefined, result: TrainResult | undefined, loadedDataset: string | undefined): MetadataData | undefined {
  const full = isMnistData(data) ? data : undefined;
  // Before the split, as --train-limit counts (trainCount, kept for older readers, and its clearer name).
  const beforeSplit = trainSet?.count
    ?? (full && result && result.trainCount + result.validationCount === full.train.count ? full.train.count : undefined);
  const counts: MetadataData = {
    trainCount: beforeSplit, imagesBeforeSplit: beforeSplit,
    trainCountAfterSplit: result?.trainCount, validationCount: result?.validationCount,
  };
  for (const key of Object.keys(counts) as (keyof MetadataData)[]) if (counts[key] === undefined) delete counts[key];
  if (full) return { dataset: full.dataset, sha256Verified: full.sha256Verified, checksums: { ...full.checksums }, ...counts };
  // A plain metadata object keeps its own fields; a loaded model keeps the dataset its metadata.json recorded.
  const base: MetadataData | undefined = data ?? (loadedDataset !== undefined ? { dataset: loadedDataset } : undefined);
  if (!base && Object.keys(counts).length === 0) return undefined;
  return { ...counts, ...base };
}

/** UsageErrors for run pieces of the wrong kind: a whole ImageSet or a Promise must not end up in metadata.json. */
function checkRunRecord({ data, trainSet, result, evaluation }: RunRecord): void {
  if (data !== undefined) {
    if (isImageSet(data)) {
      throw new UsageError("saveModel: data is the dataset from loadMnist() (e.g. mnist), not an image set such as mnist.train; pass the images trained on as trainSet");
    }
    if (data === null || typeof data !== "object" || Array.isArray(data)) {
      throw new UsageError(`saveModel: data is the dataset from loadMnist() (e.g. mnist), got ${describeValue(data)}`);
    }
  }
  if (trainSet !== undefined && !isImageSet(trainSet)) {
    throw new UsageError(`saveModel: trainSet is the image set train() was given, such as mnist.train or head(mnist.train, 5000), got ${describeValue(trainSet)}`);
  }
  if (result !== undefined && !(result !== null && typeof result === "object" && Array.isArray((result as TrainResult).history)
    && typeof (result as TrainResult).trainCount === "number" && typeof (result as TrainResult).validationCount === "number")) {
    throw new UsageError(`saveModel: result is what train() returns (const result = await train(…)), got ${describeValue(result)}`);
  }
  if (evaluation !== undefined && !(evaluation !== null && typeof evaluation === "object"
    && typeof evaluation.loss === "number" && typeof evaluation.accuracy === "number")) {
    throw new UsageError(`saveModel: evaluation is what evaluate() or evaluateDetailed() returns on the test set, got ${describeValue(evaluation)}`);
  }
}

/**
 * Whether a folder holding `entries` (names; sub-folders end in "/") is a saved model and nothing
 * else: model.json plus only metadata.json and the weight files its manifest lists (or weights.bin).
 * Only such a folder may be replaced by `saveModel`; anything else in it would be lost.
 */
export function isSavedModelDir(dir: string, entries: string[] = fs.readdirSync(dir)): boolean {
  return entriesBesideModel(dir, entries)?.length === 0;
}

/**
 * The entries of a folder that holds a saved model (model.json) which are not part of it
 * (e.g. a report or a sub-folder put there later); undefined when there is no model.json.
 */
export function entriesBesideModel(dir: string, entries: string[] = fs.readdirSync(dir)): string[] | undefined {
  if (!entries.includes(MODEL_FILE)) return undefined;
  const allowed = new Set([MODEL_FILE, METADATA_FILE, WEIGHTS_FILE]);
  try {
    const json = JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILE), "utf8")) as { weightsManifest?: { paths?: unknown[] }[] };
    for (const group of json.weightsManifest ?? []) for (const p of group?.paths ?? []) allowed.add(path.normalize(String(p)));
  } catch {
    // A damaged model.json still marks a model folder; only the standard names count then.
  }
  return entries.filter((e) => !allowed.has(e));
}

/** How `saveModel` treats an existing folder: it replaces a saved model, nothing else. */
export const MODEL_DIR_TARGET: WriteDirOptions = { replaceable: isSavedModelDir, kind: "a saved model", besideKind: entriesBesideModel };

/**
 * Writes `model` and its metadata to `dir` (replacing it atomically). `dir` must be missing, empty
 * or a saved model (see isSavedModelDir); anything else is refused with a UsageError and left alone.
 * Returns the metadata written.
 *
 * Pass the run so the folder records it as `digit-lab train --save` does:
 * `await saveModel(model, "../models/mine", { data: mnist, trainSet, result, evaluation })`
 * (`data` from loadMnist, the `trainSet` given to train, its `result`, `evaluation` on the test set;
 * see RunRecord and runMetadata). Without `data` the dataset is not recorded, and `digit-lab
 * evaluate`, `predict` and `draw` take the model for an MNIST digit model: pass it for Fashion-MNIST.
 * Other metadata fields (`recipe`, `seed`, …) are written as given. `model` defaults to the spec
 * `buildModel` was given ("dense:128"), or the name the loaded model's metadata.json records.
 * A relative `dir` is resolved from the current directory, which in a notebook is `notebooks/`:
 * use `../models/mine` to save in the project's models folder, as notebook 02 does.
 */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: SaveModelInput = {}): Promise<ModelMetadata> {
  const recorded = runMetadata(metadata, model);
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "JSON" } };
    }),
  );
  if (!artifacts || !artifacts.modelTopology) throw new ModelFileError("tfjs produced no model topology", dir);
  const weights = artifacts.weightData ? new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)) : new Uint8Array(0);
  const modelJson = {
    format: artifacts.format ?? "layers-model",
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
  };
  const meta: ModelMetadata = {
    ...recorded,
    format: "digit-lab-model",
    formatVersion: 1,
    model: recorded.model ?? model.name,
    inputShape: inputShapeOf(model),
    params: model.countParams(),
    backend: recorded.backend ?? currentBackend()?.name ?? tf.getBackend(),
    createdAt: new Date().toISOString(),
  };
  await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, MODEL_FILE), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(tmp, WEIGHTS_FILE), weights);
    fs.writeFileSync(path.join(tmp, METADATA_FILE), JSON.stringify(meta, null, 2) + "\n");
  }, MODEL_DIR_TARGET);
  return meta;
}

export interface LoadModelOptions {
  /**
   * Check that the model fits MNIST (28×28 inputs, 10 classes, outputs that are numbers):
   * see `checkMnistModel`. Default true; false loads any layers model as it is.
   */
  checkMnist?: boolean;
}

/**
 * Loads a directory written by `saveModel` (or any tfjs layers model directory: without
 * metadata.json the metadata is derived from the model). `dir` may also be the path of its
 * model.json. Throws ModelFileError naming the file when something is missing or damaged,
 * or (unless `checkMnist: false`) when the model does not fit MNIST.
 * Initializes the backend (quietly) when no backend was chosen yet.
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  // Only when none is active: a second initBackend call could switch away from the CLI's --backend.
  checkOptionNames(options, { checkMnist: true } satisfies OptionNames<LoadModelOptions>, "loadModel options");
  if (!currentBackend() && !tf.getBackend()) await initBackend({ log: null });
  dir = modelDirOf(dir);
  const modelFile = path.join(dir, MODEL_FILE);
  const json = readJson(modelFile, "model file") as Record<string, unknown>;
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ModelFileError("not a JSON object", modelFile);
  if (typeof json.modelTopology !== "object" || json.modelTopology === null) {
    throw new ModelFileError("has no modelTopology (not a TensorFlow.js layers model)", modelFile);
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest)) throw new ModelFileError("has no weightsManifest array", modelFile);

  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  // The first weight that is not a number, with the file holding it: a NaN weight is named where it is.
  let firstNonFinite: NonFiniteWeight | undefined;
  for (const [g, group] of manifest.entries()) {
    if (!group || !Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new ModelFileError(`weightsManifest[${g}] needs "paths" and "weights" arrays`, modelFile);
    }
    let expected = 0;
    for (const spec of group.weights) {
      const bytes = weightBytes(spec);
      if (bytes === undefined) throw new ModelFileError(`weightsManifest[${g}] has an invalid entry ${JSON.stringify(spec)}`, modelFile);
      expected += bytes;
      specs.push(spec);
    }
    let actual = 0;
    const parts: Uint8Array[] = [];
    const groupFiles: string[] = [];
    for (const p of group.paths) {
      const file = path.resolve(dir, String(p));
      if (path.relative(path.resolve(dir), file).startsWith("..")) throw new ModelFileError(`weights path "${p}" leaves the model directory`, modelFile);
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new ModelFileError(code === "ENOENT" ? `weights file is missing (listed in ${MODEL_FILE})` : `cannot read weights file (${code})`, file);
      }
      parts.push(bytes);
      groupFiles.push(file);
      actual += bytes.length;
    }
    if (actual !== expected) {
      const where = group.paths.length === 1 ? path.join(dir, String(group.paths[0])) : modelFile;
      const why = actual < expected ? "cut short (an interrupted copy or download?)" : "from another model, or model.json was replaced";
      throw new ModelFileError(`weights are ${actual.toLocaleString("en-US")} bytes but the manifest in ${MODEL_FILE} describes ${expected.toLocaleString("en-US")}: `
        + `the file is ${why}; copy the model folder again or train and save it again`, where);
    }
    const joined = new Uint8Array(actual);
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    buffers.push(joined.buffer);
    const bad = nonFiniteWeight(joined, group.weights, parts, groupFiles);
    if (bad && !firstNonFinite) firstNonFinite = bad;
  }

  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    format: json.format as string | undefined,
    generatedBy: json.generatedBy as string | undefined,
    convertedBy: json.convertedBy as string | null | undefined,
    weightSpecs: specs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
  // Topology first, then the weights: tfjs' one-step loader, when the weights do not fit the
  // layers, throws holding both the model it built and the decoded weights, which then leak.
  let model: tf.LayersModel | undefined;
  try {
    model = await tf.loadLayersModel({ load: async () => ({ ...artifacts, weightData: undefined, weightSpecs: undefined }) }, { strict: true });
    loadWeightsInto(model, artifacts.weightData!, specs);
  } catch (err) {
    model?.dispose();
    throw new ModelFileError(`does not describe a loadable model: ${(err as Error).message}`, modelFile);
  }

  // Any error from here on must free the weights: the caller never gets the model to dispose.
  try {
    const metaFile = path.join(dir, METADATA_FILE);
    let metadata: ModelMetadata;
    // What the model itself says: the metadata when metadata.json is missing, and each field it lacks.
    const derived: ModelMetadata = {
      format: "digit-lab-model",
      formatVersion: 1,
      model: model.name,
      inputShape: inputShapeOf(model),
      params: model.countParams(),
      createdAt: fs.statSync(modelFile).mtime.toISOString(),
    };
    if (fs.existsSync(metaFile)) {
      const meta = readJson(metaFile, "metadata file");
      if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new ModelFileError("not a JSON object", metaFile);
      const recorded = meta as Partial<ModelMetadata>;
      const version = recorded.formatVersion;
      if (typeof version === "number" && version > SUPPORTED_FORMAT_VERSION) {
        throw new ModelFileError(`has formatVersion ${version}, newer than this digit-lab reads (${SUPPORTED_FORMAT_VERSION}): `
          + "update digit-lab, or save the model again with this version", metaFile);
      }
      metadata = { ...derived, ...recorded, inputShape: derived.inputShape } as ModelMetadata;
      // A missing or odd field falls back to what the model says, as without metadata.json.
      if (typeof recorded.model !== "string" || recorded.model.trim() === "") metadata.model = derived.model;
      if (typeof recorded.params !== "number") metadata.params = derived.params;
      if (typeof recorded.createdAt !== "string") metadata.createdAt = derived.createdAt;
      if (typeof version !== "number") metadata.formatVersion = derived.formatVersion;
      if (recorded.format !== "digit-lab-model") metadata.format = derived.format;
      // Fields of the wrong kind are dropped rather than read as what they are not.
      if (metadata.history !== undefined && !Array.isArray(metadata.history)) delete metadata.history;
      if (metadata.data !== undefined && (typeof metadata.data !== "object" || metadata.data === null || Array.isArray(metadata.data))) delete metadata.data;
    } else {
      metadata = derived;
    }
    modelFiles.set(model, modelFile);
    // Saved again (after more training, say), it keeps its name and the dataset it was trained on.
    const recordedData = recordedDataset(metadata);
    rememberOrigin(model, { spec: metadata.model, ...(recordedData !== undefined ? { dataset: recordedData } : {}) });
    if (options.checkMnist ?? true) {
      if (firstNonFinite) {
        const { file, name, problem } = firstNonFinite;
        const history = Array.isArray(metadata.history) ? metadata.history : [];
        // A run that ended in NaN explains NaN weights; a finite history means the file changed since.
        const diverged = metadata.stopReason === "diverged" || history.some((h) => !Number.isFinite(h?.loss));
        const why = diverged ? `: ${DIVERGED_HINT}`
          : history.length ? `, though the training history in ${METADATA_FILE} is finite: a damaged file? Copy the model folder again, or train and save it again`
          : ": its training diverged, or the file is damaged (retrain it with a smaller --learning-rate, or copy the model folder again)";
        throw new ModelFileError(`the weights hold ${problem} values (first in "${name}")${why}`, file);
      }
      checkMnistModel(model, modelFile);
    }
    return { model, metadata };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The newest metadata.json layout this version reads. */
export const SUPPORTED_FORMAT_VERSION = 1;

interface NonFiniteWeight {
  /** The weight file holding it. */
  file: string;
  /** The weight's name in the manifest. */
  name: string;
  problem: string;
}

/**
 * The first float32 weight of a manifest group (bytes `joined`, read from `files` as `parts`)
 * that holds NaN or infinite values, and the file it lies in; undefined when all are numbers.
 */
function nonFiniteWeight(joined: Uint8Array, weights: tf.io.WeightsManifestEntry[], parts: Uint8Array[], files: string[]): NonFiniteWeight | undefined {
  let offset = 0;
  for (const spec of weights) {
    const bytes = weightBytes(spec)!;
    if (spec.dtype === "float32" && !spec.quantization) {
      const values = new Float32Array(joined.buffer.slice(joined.byteOffset + offset, joined.byteOffset + offset + bytes));
      const problem = nonFiniteProblem(values);
      if (problem) {
        // The file whose bytes hold the first bad value.
        let index = 0;
        for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) { index = i; break; }
        let at = offset + 4 * index;
        let f = 0;
        while (f < parts.length - 1 && at >= parts[f].length) at -= parts[f++].length;
        return { file: files[f], name: spec.name, problem };
      }
    }
    offset += bytes;
  }
  return undefined;
}

/**
 * Sets `model`'s weights from the saved bytes (strictly: every weight, shapes checked), as
 * tfjs' loader does, freeing the decoded tensors also when they do not fit. Weights of the
 * "optimizer" group are skipped, as tfjs skips them for a model without an optimizer.
 */
function loadWeightsInto(model: tf.LayersModel, weightData: tf.io.WeightData, specs: tf.io.WeightsManifestEntry[]): void {
  const decoded = tf.io.decodeWeights(weightData, specs);
  try {
    const weights: tf.NamedTensorMap = {};
    for (const spec of specs) if (spec.group !== "optimizer") weights[spec.name] = decoded[spec.name];
    model.loadWeights(weights, true);
  } finally {
    tf.dispose(Object.values(decoded));
  }
}

/**
 * The model directory a user meant: `p` itself when it is a directory, the folder of
 * `p` when `p` is a model.json file. Anything else is a ModelFileError saying what it is.
 */
export function modelDirOf(p: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    throw new ModelFileError("no such model directory", p);
  }
  if (stat.isDirectory()) return p;
  if (path.basename(p) === MODEL_FILE) return path.dirname(p);
  throw new ModelFileError(`is a file, not a model directory: pass the folder that holds ${MODEL_FILE} (${path.dirname(p)})`, p);
}

// ---------------------------------------------------------------------------------------
// Does a model fit MNIST? Checked once, when a model is loaded for evaluate / predict /
// draw, so a wrong model gets one clear message instead of a tfjs shape error later on.

/** Input shapes (without the batch) that MNIST's 28×28 images are fed as. */
export const MNIST_INPUT_SHAPES: readonly (readonly number[])[] = [[784], [28, 28, 1], [28, 28]];
export const MNIST_CLASSES = 10;

/** What to retrain with when outputs are not numbers: the usual cause. */
export const DIVERGED_HINT = "its training diverged (retrain it with a smaller --learning-rate)";

// The model.json each loaded model came from, so later errors can name it.
const modelFiles = new WeakMap<tf.LayersModel, string>();

/** The model.json a model was loaded from by `loadModel`, if it was. */
export function modelFileOf(model: tf.LayersModel): string | undefined {
  return modelFiles.get(model);
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.map((d) => (d === null || d === undefined ? "null" : d)).join(",")}]`;

/**
 * Throws ModelFileError (naming `file`, default the model's model.json or its name) unless
 * the model takes one MNIST image per example (an input of [null,784], [null,28,28,1] or
 * [null,28,28]), outputs one probability per digit ([null,10]), and outputs numbers: a blank
 * and a grey image are run through it, which catches weights that training made NaN.
 */
export function checkMnistModel(model: tf.LayersModel, file?: string): void {
  const where = file ?? modelFileOf(model) ?? `model "${model.name}"`;
  if (model.inputs.length !== 1) {
    throw new ModelFileError(`the model has ${model.inputs.length} inputs; MNIST provides one 28×28 image per example`, where);
  }
  const input = model.inputs[0].shape;
  const fits = input[0] === null && MNIST_INPUT_SHAPES.some((s) => s.length === input.length - 1 && s.every((d, i) => input[i + 1] === d));
  if (!fits) {
    throw new ModelFileError(
      `the model expects inputs of shape ${shapeText(input)}; MNIST provides 28×28 images, fed as ${MNIST_INPUT_SHAPES.map((s) => shapeText([null, ...s])).join(", ")}`,
      where,
    );
  }
  if (model.outputs.length !== 1) {
    throw new ModelFileError(`the model has ${model.outputs.length} outputs; expected one, with a probability for each of MNIST's ${MNIST_CLASSES} classes`, where);
  }
  const output = model.outputs[0].shape;
  if (output.length !== 2 || output[0] !== null) {
    throw new ModelFileError(`the model outputs shape ${shapeText(output)}; expected [null,${MNIST_CLASSES}], a probability for each of MNIST's ${MNIST_CLASSES} classes`, where);
  }
  if (output[1] !== MNIST_CLASSES) throw new ModelFileError(`the model outputs ${output[1]} classes; MNIST has ${MNIST_CLASSES}`, where);

  const probe = tf.tidy(() => {
    const shape = input.slice(1) as number[];
    const images = tf.concat([tf.zeros([1, ...shape]), tf.fill([1, ...shape], 0.5)]);
    return (model.predict(images) as tf.Tensor).dataSync() as Float32Array;
  });
  const problem = nonFiniteProblem(probe);
  if (problem) throw new ModelFileError(`the model's outputs are ${problem}: ${DIVERGED_HINT}`, where);
}

/** "NaN" / "infinite" when some value is not a finite number, else undefined. */
export function nonFiniteProblem(values: ArrayLike<number>): string | undefined {
  let infinite = false;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) infinite = true;
  }
  return infinite ? "infinite" : undefined;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelFileError(code === "ENOENT" ? `${what} is missing` : `cannot read ${what} (${code})`, file);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(`is not valid JSON (${(err as Error).message})`, file);
  }
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

/** Bytes one manifest entry occupies, or undefined when the entry is malformed. */
function weightBytes(spec: tf.io.WeightsManifestEntry): number | undefined {
  if (!spec || typeof spec.name !== "string" || !Array.isArray(spec.shape)) return undefined;
  if (!spec.shape.every((d) => Number.isInteger(d) && d >= 0)) return undefined;
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const per = DTYPE_BYTES[dtype];
  return per === undefined ? undefined : size * per;
}
