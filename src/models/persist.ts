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
import { tf, currentBackend } from "../backend";
import { ModelFileError } from "../errors";
import type { EpochLog } from "../types";
import { writeDirAtomic } from "../util/atomic-write";
import { inputShapeOf } from "./variants";

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
  /** Which data: dataset name, whether checksums matched, file SHA-256s. */
  data?: { dataset?: string; sha256Verified?: boolean; checksums?: Record<string, string>; trainCount?: number; identifier?: string };
  history?: EpochLog[];
  test?: { loss: number; accuracy: number };
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

/** Writes `model` and `metadata` to `dir` (replacing it atomically). Returns the metadata written. */
export async function saveModel(model: tf.LayersModel, dir: string, metadata: MetadataInput = {}): Promise<ModelMetadata> {
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
    ...metadata,
    format: "digit-lab-model",
    formatVersion: 1,
    model: metadata.model ?? model.name,
    inputShape: inputShapeOf(model),
    params: model.countParams(),
    backend: metadata.backend ?? currentBackend()?.name ?? tf.getBackend(),
    createdAt: new Date().toISOString(),
  };
  await writeDirAtomic(dir, (tmp) => {
    fs.writeFileSync(path.join(tmp, MODEL_FILE), JSON.stringify(modelJson));
    fs.writeFileSync(path.join(tmp, WEIGHTS_FILE), weights);
    fs.writeFileSync(path.join(tmp, METADATA_FILE), JSON.stringify(meta, null, 2) + "\n");
  });
  return meta;
}

/**
 * Loads a directory written by `saveModel` (or any tfjs layers model directory: without
 * metadata.json the metadata is derived from the model). Throws ModelFileError naming the
 * file when something is missing or damaged.
 */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; metadata: ModelMetadata }> {
  const modelFile = path.join(dir, MODEL_FILE);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new ModelFileError("no such model directory", dir);
  const json = readJson(modelFile, "model file") as Record<string, unknown>;
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new ModelFileError("not a JSON object", modelFile);
  if (typeof json.modelTopology !== "object" || json.modelTopology === null) {
    throw new ModelFileError("has no modelTopology (not a TensorFlow.js layers model)", modelFile);
  }
  const manifest = json.weightsManifest as tf.io.WeightsManifestConfig | undefined;
  if (!Array.isArray(manifest)) throw new ModelFileError("has no weightsManifest array", modelFile);

  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
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
      actual += bytes.length;
    }
    if (actual !== expected) {
      const where = group.paths.length === 1 ? path.join(dir, String(group.paths[0])) : modelFile;
      throw new ModelFileError(`weights are ${actual} bytes but the manifest in ${MODEL_FILE} describes ${expected}`, where);
    }
    const joined = new Uint8Array(actual);
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.length;
    }
    buffers.push(joined.buffer);
  }

  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as object,
    format: json.format as string | undefined,
    generatedBy: json.generatedBy as string | undefined,
    convertedBy: json.convertedBy as string | null | undefined,
    weightSpecs: specs,
    weightData: tf.io.CompositeArrayBuffer.join(buffers),
  };
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel({ load: async () => artifacts }, { strict: true });
  } catch (err) {
    throw new ModelFileError(`does not describe a loadable model: ${(err as Error).message}`, modelFile);
  }

  const metaFile = path.join(dir, METADATA_FILE);
  let metadata: ModelMetadata;
  if (fs.existsSync(metaFile)) {
    const meta = readJson(metaFile, "metadata file");
    if (typeof meta !== "object" || meta === null || Array.isArray(meta)) {
      model.dispose();
      throw new ModelFileError("not a JSON object", metaFile);
    }
    metadata = { ...(meta as ModelMetadata), inputShape: inputShapeOf(model) };
  } else {
    metadata = {
      format: "digit-lab-model",
      formatVersion: 1,
      model: model.name,
      inputShape: inputShapeOf(model),
      params: model.countParams(),
      createdAt: fs.statSync(modelFile).mtime.toISOString(),
    };
  }
  return { model, metadata };
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
