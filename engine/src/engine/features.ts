import type { FeatureFactory } from "./feature.ts";
import { createReviewFeatureFactory } from "../review/index.ts";
import { createStorageFeature } from "../storage/index.ts";
import { sessionFeature } from "../session/index.ts";
import { createEnrichmentFeature } from "../enrichment/index.ts";
import { createSearchFeature } from "../search/index.ts";

/**
 * The product's features in dependency order (storage before sessions before
 * enrichment). This list is the composition root's one seam.
 */
export const PRODUCT_FEATURES: readonly FeatureFactory[] = [createStorageFeature(), sessionFeature, createEnrichmentFeature(), createReviewFeatureFactory(), createSearchFeature()];
