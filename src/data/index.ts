/** Data: reading MNIST-format datasets, splitting them, and turning them into tensors. */
export { DATASETS, DATASET_NAMES, type DatasetName, type DatasetSpec, type DataFileRole } from "./datasets";
export { loadMnist, defaultDataDir, parseDatasetName, pairImagesAndLabels, type ImageSet, type MnistData, type LoadOptions } from "./mnist";
export { parseIdx, readIdxFile, encodeIdx, isGzip } from "./idx";
export { downloadVerified, sha256 } from "./download";
export { normalizePixels, toTensors, subset, head, type InputLayout, type TensorOptions } from "./tensors";
export { splitTrainValidation, DEFAULT_SPLIT_SEED, type SplitOptions, type ValidationFrom } from "./split";
export { labelCounts, intensityCounts, pixelStats, meanImagePerClass, type PixelStats } from "./stats";
