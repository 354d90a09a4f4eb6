export * from "./variants";
export * from "./summary";
export * from "./persist";
export { modelSpecOf } from "./origin";
export * from "./inspect";
export * from "./feature-maps";
