export * from "./loop";
export * from "./step";
export * from "./loss";
export * from "./progress";
export * from "./schedule";
export * from "./batches";
