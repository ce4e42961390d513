export * from "./context.ts";
export * from "./create-engine.ts";
export * from "./feature.ts";
export { PRODUCT_FEATURES } from "./features.ts";
export * from "./redact.ts";
export * from "./version.ts";
