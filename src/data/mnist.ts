/**
 * Loading MNIST (or Fashion-MNIST, same format) from a data root laid out as
 * `<root>/mnist/` and `<root>/fashion-mnist/`, each holding the four original files
 * (gzip, or already decompressed). Missing files are downloaded and cached.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DataError, UsageError } from "../errors";
import { DATASETS, DATASET_NAMES, datasetSpec, type DataFileRole, type DatasetName, type DatasetSpec } from "./datasets";
import { downloadVerified, sha256 } from "./download";
import { parseIdx } from "./idx";
import { describeFsError } from "../util/fs-errors";
import { infoLine } from "../util/notebook";
import { checkOptionNames, type OptionNames } from "../util/options";

/** Images and their labels; `images` holds count × rows × cols bytes (0 = background, 255 = ink), row-major. */
export interface ImageSet {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

export interface MnistData {
  dataset: DatasetName;
  train: ImageSet;
  test: ImageSet;
  classNames: readonly string[];
  /** True when all four files matched their published SHA-256. */
  sha256Verified: boolean;
  /** SHA-256 of each file as read (identifies the data a model was trained on). */
  checksums: Record<DataFileRole, string>;
  /** The dataset's folder the files were read from. */
  dataDir: string;
}

export interface LoadOptions {
  dataset?: DatasetName;
  /** Data root; defaults to DIGIT_LAB_DATA_DIR, else the project's `data/` folder. */
  dataDir?: string;
  /** Download missing files (default true). */
  download?: boolean;
  /** Mirrors to try instead of the standard ones (default: DIGIT_LAB_MIRRORS, else the standard ones). */
  mirrors?: readonly string[];
  /** Progress lines (downloads); defaults to stderr. */
  log?: (line: string) => void;
}

const LOAD_OPTIONS: OptionNames<LoadOptions> = { dataset: true, dataDir: true, download: true, mirrors: true, log: true };

const PROJECT_DATA_DIR = path.resolve(__dirname, "..", "..", "data");

/** The data root in effect: an explicit option, else DIGIT_LAB_DATA_DIR, else `<project>/data`. */
export function defaultDataDir(explicit?: string): string {
  return path.resolve(explicit ?? process.env.DIGIT_LAB_DATA_DIR ?? PROJECT_DATA_DIR);
}

export function parseDatasetName(value: string): DatasetName {
  if (datasetSpec(value)) return value as DatasetName;
  throw new UsageError(`unknown dataset "${value}": choose one of ${DATASET_NAMES.join(", ")}`);
}

const cache = new Map<string, Promise<MnistData>>();

/** Loads a dataset (once per process and folder: later calls share the arrays). */
export function loadMnist(options: LoadOptions = {}): Promise<MnistData> {
  let dataset: DatasetName;
  try {
    checkOptionNames(options, LOAD_OPTIONS, "loadMnist options");
    dataset = parseDatasetName(options.dataset ?? "mnist");
  } catch (err) {
    return Promise.reject(err); // callers await this: bad options are a rejection, not a throw
  }
  const dir = path.join(defaultDataDir(options.dataDir), dataset);
  const key = `${dataset}:${dir}`;
  let loading = cache.get(key);
  if (!loading) {
    loading = loadFromDir(DATASETS[dataset], dir, options);
    cache.set(key, loading);
    loading.catch(() => cache.delete(key));
  }
  return loading;
}

async function loadFromDir(spec: DatasetSpec, dir: string, options: LoadOptions): Promise<MnistData> {
  checkDirectory(dir);
  const roles: DataFileRole[] = ["trainImages", "trainLabels", "testImages", "testLabels"];
  const files = {} as Record<DataFileRole, { file: string; bytes: Uint8Array; verified: boolean; digest: string }>;
  // Offline with an empty folder, name every missing file at once, not one per attempt.
  const missing = roles.map((r) => spec.files[r].name).filter((name) => !findDataFile(dir, name));
  for (const role of roles) {
    try {
      files[role] = await readDataFile(spec, role, dir, options);
    } catch (err) {
      const others = missing.filter((name) => name !== spec.files[role].name);
      if (!(err instanceof DataError) || err instanceof MisplacedDataRoot || !missing.includes(spec.files[role].name) || others.length === 0) throw err;
      throw new DataError(`${err.message}\nAlso missing there: ${others.join(", ")}.`);
    }
  }
  const train = pairImagesAndLabels(files.trainImages, files.trainLabels);
  const test = pairImagesAndLabels(files.testImages, files.testLabels);
  return {
    dataset: spec.name,
    train,
    test,
    classNames: spec.classNames,
    sha256Verified: roles.every((r) => files[r].verified),
    checksums: Object.fromEntries(roles.map((r) => [r, files[r].digest])) as Record<DataFileRole, string>,
    dataDir: dir,
  };
}

function checkDirectory(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // created on download
    throw new DataError(`cannot open the data folder: ${describeFsError(err)}`, dir);
  }
  if (!stat.isDirectory()) throw new DataError("the data folder is not a directory", dir);
  try {
    fs.readdirSync(dir);
  } catch (err) {
    throw new DataError(`cannot read the data folder: ${describeFsError(err)}`, dir);
  }
}

/** The hint below says where all the files are, so listing the others as missing would be noise. */
class MisplacedDataRoot extends DataError {}

/**
 * A common slip: the data root given as the dataset's own folder (`--data-dir data/mnist`), so the
 * files sit one level up from where they are looked for. Says so instead of downloading them again.
 */
function misplacedDataRootHint(dir: string, name: string, expected: string): void {
  const root = path.dirname(dir);
  const found = [name, name.replace(/\.gz$/, "")].map((n) => path.join(root, n)).find((f) => fs.existsSync(f));
  if (found) {
    throw new MisplacedDataRoot(
      `missing, but ${found} is there: the data folder (--data-dir, DIGIT_LAB_DATA_DIR) is the one that holds ` +
        `${path.basename(dir)}/, so give ${path.dirname(root)} rather than ${root}`,
      expected,
    );
  }
}

/** The data file `name` (a .gz name) in `dir`: the gzip if it is there, else the decompressed one. */
function findDataFile(dir: string, name: string): string | undefined {
  const gzFile = path.join(dir, name);
  const rawFile = gzFile.replace(/\.gz$/, "");
  return fs.existsSync(gzFile) ? gzFile : fs.existsSync(rawFile) ? rawFile : undefined;
}

/**
 * Finds one file (gzip first, then decompressed), downloading the gzip when neither is
 * there. A gzip file must match its published checksum; a decompressed one cannot be
 * checked that way and is marked unverified.
 */
async function readDataFile(spec: DatasetSpec, role: DataFileRole, dir: string, options: LoadOptions) {
  const fileSpec = spec.files[role];
  const gzFile = path.join(dir, fileSpec.name);
  let file = findDataFile(dir, fileSpec.name);
  if (!file) {
    misplacedDataRootHint(dir, fileSpec.name, gzFile);
    if (options.download === false) throw new DataError("missing (downloads are turned off)", gzFile);
    const mirrors = (options.mirrors ?? mirrorsFromEnv() ?? spec.mirrors).map((m) => m.replaceAll("{dataset}", spec.name));
    const log = options.log ?? infoLine;
    await downloadVerified(fileSpec, gzFile, { mirrors, log });
    file = gzFile;
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new DataError(`cannot read: ${describeFsError(err)}`, file);
  }
  const digest = sha256(bytes);
  if (file === gzFile && digest !== fileSpec.sha256) {
    throw new DataError(
      `checksum mismatch: sha256 is ${digest}, the published value is ${fileSpec.sha256}. ` +
        `The file is damaged or not the original; delete it and it will be downloaded again.`,
      file,
    );
  }
  return { file, bytes, verified: file === gzFile, digest };
}

/**
 * DIGIT_LAB_MIRRORS: comma-separated base URLs that replace the standard mirrors (e.g. a local
 * copy). Both datasets use the same file names, so `{dataset}` in a URL stands for the dataset's
 * folder name ("mnist", "fashion-mnist"): one setting serves both.
 */
function mirrorsFromEnv(): string[] | undefined {
  const list = (process.env.DIGIT_LAB_MIRRORS ?? "").split(",").map((m) => m.trim()).filter(Boolean);
  return list.length ? list : undefined;
}

type ReadFile = { file: string; bytes: Uint8Array };

/** Parses an images file and a labels file and checks that they belong together. */
export function pairImagesAndLabels(imagesFile: ReadFile, labelsFile: ReadFile): ImageSet {
  const images = parseIdx(imagesFile.bytes, imagesFile.file, 3);
  const labels = parseIdx(labelsFile.bytes, labelsFile.file, 1);
  const [count, rows, cols] = images.dims;
  if (labels.dims[0] !== count) {
    throw new DataError(`${labels.dims[0]} labels for ${count} images in ${imagesFile.file}: the two files do not belong together`, labelsFile.file);
  }
  for (let i = 0; i < labels.data.length; i++) {
    if (labels.data[i] > 9) throw new DataError(`label ${labels.data[i]} at index ${i} is not a class 0–9`, labelsFile.file);
  }
  return { images: images.data, labels: labels.data, count, rows, cols };
}
