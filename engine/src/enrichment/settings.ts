import * as z from "zod";
import { defineMethod, type MethodTable } from "../bridge/index.ts";
import type { Store } from "../storage/index.ts";
import type { BackgroundEnrichmentManager } from "./manager.ts";
import { EnrichmentOptionsSchema } from "./types.ts";

/** Where the user's enrichment settings live in the store. */
export const SETTINGS_KEY = "settings/enrichment.json";

/** Stored settings: job defaults (provider, models, per-session cap, …) and the monthly budget. */
export const StoredSettingsSchema = z.object({
  enrichment: EnrichmentOptionsSchema.strict(),
  monthlyBudgetUsd: z.number().min(0).max(100_000).nullable(),
});
export type StoredSettings = z.infer<typeof StoredSettingsSchema>;

/**
 * `settings.update` params. `enrichment` replaces the job defaults as a whole (the
 * Mac's Settings send their full state); `monthlyBudgetUsd: null` removes the budget.
 */
export const SettingsUpdateParamsSchema = z
  .object({
    enrichment: EnrichmentOptionsSchema.strict().optional(),
    monthlyBudgetUsd: z.number().min(0).max(100_000).nullable().optional(),
  })
  .strict();

function view(manager: BackgroundEnrichmentManager): StoredSettings {
  const current = manager.currentSettings();
  return { enrichment: current.defaults, monthlyBudgetUsd: current.monthlyBudgetUsd ?? null };
}

/** Applies stored settings, if any, over the feature's defaults. A damaged file is reported and ignored. */
export async function loadSettings(store: Store, manager: BackgroundEnrichmentManager, warn: (message: string, data: Record<string, unknown>) => void): Promise<void> {
  try {
    const stored = await store.getJson(SETTINGS_KEY, StoredSettingsSchema);
    if (stored !== undefined) manager.configure({ defaults: stored.enrichment, monthlyBudgetUsd: stored.monthlyBudgetUsd ?? undefined });
  } catch (error) {
    warn("stored enrichment settings are unreadable; using defaults", { error });
  }
}

/** `settings.get` and `settings.update`: durable before they answer, applied to the next job. */
export function createSettingsMethods(store: Store, manager: BackgroundEnrichmentManager): MethodTable {
  return {
    "settings.get": defineMethod(z.object({}).strict(), () => view(manager)),
    "settings.update": defineMethod(SettingsUpdateParamsSchema, async (params) => {
      const current = manager.currentSettings();
      const next = {
        defaults: params.enrichment ?? current.defaults,
        monthlyBudgetUsd: params.monthlyBudgetUsd === undefined ? current.monthlyBudgetUsd : (params.monthlyBudgetUsd ?? undefined),
      };
      await store.putJson(SETTINGS_KEY, { enrichment: next.defaults, monthlyBudgetUsd: next.monthlyBudgetUsd ?? null } satisfies StoredSettings, { priority: "critical" });
      manager.configure(next);
      return view(manager);
    }),
  };
}
