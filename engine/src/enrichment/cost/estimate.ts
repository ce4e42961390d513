import type { EnrichmentPlan } from "../plan.ts";
import { TRANSCRIPT_BUDGET_CHARS } from "../providers/prompts.ts";
import type { CostEstimate } from "../types.ts";
import { BATCH_DISCOUNT, priceOf } from "./prices.ts";

/** What the estimator needs to know about a session. */
export interface SessionShape {
  readonly durationMs: number;
  /** Screenshots that will be analysed (non-duplicates), with their sizes. */
  readonly screenshots: readonly { readonly width: number; readonly height: number }[];
  readonly audioSeconds: number;
  readonly markers: number;
}

/** Anthropic's approximation for an image: width × height / 750 tokens. */
export function imageTokens(width: number, height: number): number {
  return Math.ceil((width * height) / 750);
}

/** The size an image is downscaled to so that it costs about `budget` tokens (never upscaled). */
export function fitToTokenBudget(width: number, height: number, budget: number): { width: number; height: number } {
  const tokens = imageTokens(width, height);
  if (tokens <= budget) return { width, height };
  const scale = Math.sqrt((budget * 750) / (width * height));
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** The longer edge for `fitToTokenBudget`, as the imaging port takes it. */
export function maxEdgeFor(width: number, height: number, budget: number): number {
  const fitted = fitToTokenBudget(width, height, budget);
  return Math.max(fitted.width, fitted.height);
}

// Prompt overheads measured on the fake servers' token counts; they err high.
const REQUEST_OVERHEAD_TOKENS = 700;
const PER_IMAGE_TEXT_TOKENS = 12;
const OUTPUT_PER_SCREENSHOT = 40;
const TRANSCRIPT_TOKENS_PER_MINUTE = 200;
const SCREEN_LINE_TOKENS = 30;

function textCost(model: string, input: number, output: number, batch: boolean): number {
  const price = priceOf(model);
  return ((input * price.inputPerMTok + output * price.outputPerMTok) / 1_000_000) * (batch ? BATCH_DISCOUNT : 1);
}

/** Per-stage estimate in USD before anything runs; `local` stages cost nothing. */
export function estimateCost(session: SessionShape, plan: EnrichmentPlan): CostEstimate {
  const audioMinutes = session.audioSeconds / 60;
  const shots = session.screenshots;
  let imageTokensEach = 0;
  let screenshotsCost = 0;
  if (plan.screenshots !== "local" && plan.screenshots !== "local-server" && shots.length > 0) {
    let tokens = 0;
    for (const shot of shots) {
      const fitted = fitToTokenBudget(shot.width, shot.height, plan.tokenBudget);
      tokens += plan.screenshots === "openai" ? 85 : imageTokens(fitted.width, fitted.height);
    }
    imageTokensEach = Math.round(tokens / shots.length);
    const requests = Math.ceil(shots.length / plan.perRequest);
    const input = tokens + shots.length * PER_IMAGE_TEXT_TOKENS + requests * REQUEST_OVERHEAD_TOKENS;
    screenshotsCost = textCost(plan.models.screenshot, input, shots.length * OUTPUT_PER_SCREENSHOT, plan.batch);
  }
  let audioCost = 0;
  if (plan.transcription === "openai" && audioMinutes > 0) {
    audioCost = audioMinutes * (priceOf(plan.models.transcription).perAudioMinute ?? 0);
  }
  let chapters = 0;
  let summary = 0;
  if (plan.provider !== "local" && plan.provider !== "local-server") {
    const transcriptTokens = Math.min(audioMinutes * TRANSCRIPT_TOKENS_PER_MINUTE, TRANSCRIPT_BUDGET_CHARS / 4);
    const context = REQUEST_OVERHEAD_TOKENS + shots.length * SCREEN_LINE_TOKENS + transcriptTokens + session.markers * 15;
    const review = audioMinutes > 0 ? textCost(plan.models.screenshot, context, 400, false) : 0;
    chapters = textCost(plan.models.chapters ?? plan.models.summary, context, 800, false);
    summary = textCost(plan.models.summary, context + 400, 1200, false);
    audioCost += review;
  }
  const round = (n: number) => Math.round(n * 1_000_000) / 1_000_000;
  const stages = { audio: round(audioCost), screenshots: round(screenshotsCost), chapters: round(chapters), summary: round(summary) };
  return {
    provider: plan.provider,
    stages,
    totalUsd: round(stages.audio + stages.screenshots + stages.chapters + stages.summary),
    screenshotsToAnalyse: plan.screenshots === "local" ? 0 : shots.length,
    imageTokensEach,
    audioMinutes: Math.round(audioMinutes * 100) / 100,
    models: { screenshot: plan.models.screenshot, summary: plan.models.summary, transcription: plan.transcription === "openai" ? plan.models.transcription : undefined },
  };
}
