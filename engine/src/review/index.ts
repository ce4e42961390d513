export * from "./review-schemas.ts";
export * from "./window-math.ts";
export * from "./timeline.ts";
export * from "./progressive-audio.ts";
export * from "./list-query.ts";
export * from "./export-report.ts";
export * from "./library.ts";
export { createDemoLibrary } from "./demo-library.ts";
export { createReviewFeatureFactory, type ReviewFeature, type ReviewFeatureOptions } from "./review-feature.ts";
