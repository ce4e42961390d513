import type { EnrichmentPlan } from "../plan.ts";
import type { SagaStep } from "../saga/steps.ts";
import type { CostEstimate } from "../types.ts";
import { priceOf } from "./prices.ts";

/** The most output any structured answer may use (the providers' `max_tokens` for the largest). */
const REVIEW_OUTPUT_TOKENS = 1500;

/**
 * What one step is expected to cost, reserved against the caps before its call.
 * Shares of the job's estimate; a review of the audio is priced from its prompt.
 */
export function stepCostEstimate(step: SagaStep, estimate: CostEstimate, plan: EnrichmentPlan): number {
  switch (step.kind) {
    case "transcribe":
      return plan.transcription === "openai" ? ((step.segment.tEnd - step.segment.tStart) / 60_000) * (priceOf(plan.models.transcription).perAudioMinute ?? 0) : 0;
    case "analyse":
      // A group sent alone (outside a batch) pays full price.
      return estimate.screenshotsToAnalyse === 0 ? 0 : (estimate.stages.screenshots * step.shots.length * (plan.batch ? 2 : 1)) / estimate.screenshotsToAnalyse;
    case "batch-submit":
    case "batch-collect":
      return estimate.stages.screenshots;
    case "review-audio": {
      if (plan.provider === "local") return 0;
      const price = priceOf(plan.models.screenshot);
      const input = JSON.stringify(step.context).length / 4 + 700;
      return (input * price.inputPerMTok + REVIEW_OUTPUT_TOKENS * price.outputPerMTok) / 1_000_000;
    }
    case "chapters":
      return estimate.stages.chapters;
    case "summary":
      return estimate.stages.summary;
    default:
      return 0;
  }
}
