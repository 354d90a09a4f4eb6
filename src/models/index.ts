export * from "./variants";
export * from "./summary";
export * from "./persist";
