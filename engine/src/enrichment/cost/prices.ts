import type { Usage } from "../types.ts";

/**
 * List prices in USD, the one place they live. Text models per million
 * tokens; transcription per minute of audio. Batch calls are half price.
 */
export interface ModelPrice {
  readonly inputPerMTok: number;
  readonly outputPerMTok: number;
  readonly perAudioMinute?: number;
}

export const PRICES: Readonly<Record<string, ModelPrice>> = {
  "claude-haiku-4-5": { inputPerMTok: 1, outputPerMTok: 5 },
  "claude-3-5-haiku-latest": { inputPerMTok: 0.8, outputPerMTok: 4 },
  "claude-sonnet-4-6": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-sonnet-4-5": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-sonnet-4-0": { inputPerMTok: 3, outputPerMTok: 15 },
  "claude-opus-4-1": { inputPerMTok: 15, outputPerMTok: 75 },
  "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
  "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  "gpt-4o-mini-transcribe": { inputPerMTok: 0, outputPerMTok: 0, perAudioMinute: 0.003 },
  "gpt-4o-transcribe": { inputPerMTok: 0, outputPerMTok: 0, perAudioMinute: 0.006 },
  "whisper-1": { inputPerMTok: 0, outputPerMTok: 0, perAudioMinute: 0.006 },
};

export const BATCH_DISCOUNT = 0.5;

/** Unknown models are priced like the most expensive known one of their provider, so estimates err high. */
export function priceOf(model: string): ModelPrice {
  const known = PRICES[model];
  if (known !== undefined) return known;
  if (model.startsWith("claude")) return PRICES["claude-opus-4-1"]!;
  if (model.includes("transcribe") || model.includes("whisper")) return PRICES["gpt-4o-transcribe"]!;
  return PRICES["gpt-4o"]!;
}

/** USD for one call's reported usage. */
export function costOf(usage: Usage): number {
  if (usage.provider === "local" || usage.provider === "local-server") return 0;
  const price = priceOf(usage.model);
  const tokens = (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1_000_000;
  const audio = price.perAudioMinute === undefined ? 0 : (usage.audioSeconds / 60) * price.perAudioMinute;
  return (tokens + audio) * (usage.batch ? BATCH_DISCOUNT : 1);
}
