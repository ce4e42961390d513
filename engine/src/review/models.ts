/**
 * The review's pure models without its schemas or feature: what the panel
 * bundles, so that opening the panel does not build the engine's validators.
 */
export * from "./window-math.ts";
export * from "./timeline.ts";
export * from "./progressive-audio.ts";
export type * from "./review-schemas.ts";
