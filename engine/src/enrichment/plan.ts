import { ANTHROPIC_DEFAULT_MODELS } from "./providers/anthropic.ts";
import { OPENAI_DEFAULT_MODELS } from "./providers/openai.ts";
import type { ModelChoice } from "./providers/port.ts";
import type { EnrichmentOptions, ProviderName } from "./types.ts";

/** Which provider does each stage, with which models: resolved once per job from options and keys. */
export interface EnrichmentPlan {
  readonly provider: ProviderName;
  /**
   * Who transcribes: the user's provider when it can (OpenAI), else on-device speech
   * (local). Audio goes to OpenAI under another provider only when the user chose so.
   */
  readonly transcription: "openai" | "local";
  /** Who looks at screenshots: `local` when the user keeps them on the machine. */
  readonly screenshots: ProviderName;
  readonly models: ModelChoice;
  readonly batch: boolean;
  readonly tokenBudget: number;
  readonly perRequest: number;
  readonly redactEmails: boolean;
  /** Send screenshots the device could not read for secrets (no on-device text recognition). */
  readonly allowUnreadScreenshots: boolean;
  /** Base URL of the model server for `local-server`, when the user named one. */
  readonly localServerUrl?: string;
}

/** Providers that bill nothing: everything runs on this machine. */
export function isFreeProvider(provider: ProviderName): boolean {
  return provider === "local" || provider === "local-server";
}

export const DEFAULT_TOKEN_BUDGET = 450;
export const DEFAULT_PER_REQUEST = 8;

export interface AvailableKeys {
  readonly anthropic: boolean;
  readonly openai: boolean;
}

/** What the host can do on the device that changes the plan. */
export interface HostAbilities {
  /** On-device text recognition with line boxes (screenshots are read for secrets before they leave). */
  readonly readsScreens: boolean;
}

/** The provider used when none is asked for: Anthropic, then OpenAI, then local. */
export function defaultProvider(keys: AvailableKeys): ProviderName {
  if (keys.anthropic) return "anthropic";
  if (keys.openai) return "openai";
  return "local";
}

/** `keys` only picks the provider when none was chosen; a chosen one is never swapped for another. */
export function resolvePlan(options: EnrichmentOptions, keys: AvailableKeys, host: HostAbilities = { readsScreens: true }): EnrichmentPlan {
  const provider = options.provider ?? defaultProvider(keys);
  const defaults =
    provider === "anthropic"
      ? { ...ANTHROPIC_DEFAULT_MODELS, transcription: OPENAI_DEFAULT_MODELS.transcription }
      : provider === "openai"
        ? OPENAI_DEFAULT_MODELS
        : provider === "local-server"
          ? { screenshot: "auto", summary: "auto", transcription: "local" }
          : { screenshot: "local", summary: "local", transcription: "local" };
  const transcription = options.transcriptionProvider ?? (provider === "openai" ? "openai" : "local");
  return {
    provider,
    transcription,
    // A screenshot nobody read for secrets leaves only with the user's say-so.
    screenshots: options.keepScreenshotsLocal === true || (!host.readsScreens && options.allowUnreadScreenshots !== true) ? "local" : provider,
    models: {
      screenshot: options.screenshotModel ?? defaults.screenshot,
      summary: options.summaryModel ?? defaults.summary,
      // Splitting into chapters is per-item work: the Haiku-class model does it.
      chapters: options.chaptersModel ?? defaults.screenshot,
      transcription: options.transcriptionModel ?? (transcription === "openai" ? OPENAI_DEFAULT_MODELS.transcription : "local"),
    },
    // Background work can wait: batches are the default where the provider offers them.
    batch: provider === "anthropic" && options.allowBatch !== false,
    tokenBudget: options.screenshotTokenBudget ?? DEFAULT_TOKEN_BUDGET,
    perRequest: options.screenshotsPerRequest ?? DEFAULT_PER_REQUEST,
    redactEmails: options.redactEmails === true,
    allowUnreadScreenshots: options.allowUnreadScreenshots === true,
    ...(options.localServerUrl === undefined ? {} : { localServerUrl: options.localServerUrl }),
  };
}
