export * from "./ids.ts";
export * from "./session.ts";
export * from "./capture.ts";
export * from "./attachment.ts";
export * from "./results.ts";
