export * from "./context.ts";
export * from "./create-engine.ts";
export * from "./feature.ts";
export * from "./redact.ts";
export * from "./version.ts";
