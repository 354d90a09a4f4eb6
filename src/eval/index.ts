export * from "./metrics";
export * from "./format";
export * from "./evaluate";
export * from "./pca";
export * from "./saliency";
