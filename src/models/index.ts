export * from "./variants";
export * from "./summary";
export * from "./persist";
export * from "./inspect";
export * from "./feature-maps";
