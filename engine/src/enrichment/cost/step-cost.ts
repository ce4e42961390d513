import type { EnrichmentPlan } from "../plan.ts";
import type { ImageInput } from "../providers/port.ts";
import type { SagaStep } from "../saga/steps.ts";
import type { CostEstimate } from "../types.ts";
import { imageTokens } from "./estimate.ts";
import { BATCH_DISCOUNT, priceOf } from "./prices.ts";

/** Output tokens an answer is expected to use (as the job estimate assumes; the limits are higher). */
const OUTPUT = { perScreenshot: 40, review: 400, chapters: 800, summary: 1200 } as const;
const REQUEST_OVERHEAD_TOKENS = 700;
const PER_IMAGE_TEXT_TOKENS = 12;

function priced(model: string, inputTokens: number, outputTokens: number, batch = false): number {
  const price = priceOf(model);
  return ((inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1_000_000) * (batch ? BATCH_DISCOUNT : 1);
}

/** What the images of one request cost as they will really be sent (sizes after any downscaling). */
export function imagesCostBound(images: readonly ImageInput[], plan: EnrichmentPlan, batch: boolean): number {
  if (plan.screenshots === "local") return 0;
  const tokens = images.reduce((sum, image) => sum + (plan.screenshots === "openai" ? 85 : imageTokens(image.width, image.height)) + PER_IMAGE_TEXT_TOKENS, 0);
  return priced(plan.models.screenshot, tokens + REQUEST_OVERHEAD_TOKENS, OUTPUT.perScreenshot * images.length, batch);
}

/**
 * What one step is expected to cost, reserved against the caps before its call: text
 * calls priced from their real prompt, transcription from the audio's length,
 * screenshots from the images as they will be sent (`images`) or else the job
 * estimate's share. Actual spend replaces it as the ledger records it.
 */
export function stepCostEstimate(step: SagaStep, estimate: CostEstimate, plan: EnrichmentPlan, images?: readonly (readonly ImageInput[])[]): number {
  const prompt = (context: unknown) => JSON.stringify(context).length / 4 + REQUEST_OVERHEAD_TOKENS;
  switch (step.kind) {
    case "transcribe":
      return plan.transcription === "openai" ? ((step.segment.tEnd - step.segment.tStart) / 60_000) * (priceOf(plan.models.transcription).perAudioMinute ?? 0) : 0;
    case "analyse":
      if (images !== undefined) return images.reduce((sum, group) => sum + imagesCostBound(group, plan, false), 0);
      return estimate.screenshotsToAnalyse === 0 ? 0 : (estimate.stages.screenshots * step.shots.length * (plan.batch ? 2 : 1)) / estimate.screenshotsToAnalyse;
    case "batch-submit":
      if (images !== undefined) return images.reduce((sum, group) => sum + imagesCostBound(group, plan, true), 0);
      return estimate.stages.screenshots;
    case "batch-collect":
      return estimate.stages.screenshots;
    case "review-audio":
      return plan.provider === "local" ? 0 : priced(plan.models.screenshot, prompt(step.context), OUTPUT.review);
    case "chapters":
      return plan.provider === "local" ? 0 : priced(plan.models.chapters ?? plan.models.summary, prompt(step.context), OUTPUT.chapters);
    case "summary":
      return plan.provider === "local" ? 0 : priced(plan.models.summary, prompt(step.context), OUTPUT.summary);
    default:
      return 0;
  }
}
