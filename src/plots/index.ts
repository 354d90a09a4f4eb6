/**
 * Figure builders: pure functions from data to a Plotly figure `{ data, layout }`.
 * Show one in a notebook with `show(fig)` from "../src/display", or put it in an
 * HTML report with `writeReport` from "../src/report".
 */
export * from "./figure";
export { digitGrid, meanImages, pixelHistogram, imageGridFigure } from "./images";
export type { ImagesInput, GridCell, DigitGridOptions, NamedImages } from "./images";
export { labelDistribution } from "./distribution";
export { trainingCurves, type TrainingCurvesOptions, type TrainingCurvesInput } from "./training";
export { confusionMatrix, classMetricsBars, misclassifiedGallery, classProbabilities } from "./evaluation";
export { architectureComparison } from "./comparison";
export { weightImages } from "./weights";
export { seedSpread } from "./seeds";
export type { SeedRuns, SeedSpreadOptions } from "./seeds";
export type { WeightImagesOptions } from "./weights";
export { embeddingScatter, DEFAULT_EMBEDDING_POINTS } from "./embedding";
export type { Embedding, EmbeddingScatterOptions } from "./embedding";
export { saliencyFigure, inkOutline } from "./saliency";
export type { SaliencyRow, SaliencyFigureOptions } from "./saliency";
export { featureMapsFigure, ACTIVATION_COLORSCALE, type FeatureMapsFigureOptions } from "./feature-maps";
export type { EpochLog, RunHistory, ConfusionMatrix, ClassificationReport } from "../types";
