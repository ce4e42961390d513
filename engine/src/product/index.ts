import type { FeatureFactory } from "../engine/index.ts";
import { createReviewFeatureFactory } from "../review/index.ts";
import { createStorageFeature } from "../storage/index.ts";
import { sessionFeature } from "../session/index.ts";
import { createEnrichmentFeature } from "../enrichment/index.ts";
import { createSearchFeature } from "../search/index.ts";

/**
 * The composition root's list, above every feature folder: features import the
 * engine's types from `engine/`, and only this folder imports the features.
 *
 * The product's features in dependency order (storage before sessions before
 * enrichment). This list is the composition root's one seam.
 */
export const PRODUCT_FEATURES: readonly FeatureFactory[] = [createStorageFeature(), sessionFeature, createEnrichmentFeature(), createReviewFeatureFactory(), createSearchFeature()];
