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
  /** Finished sessions older than this many days are deleted; null keeps everything. */
  retentionDays: z.number().int().min(1).max(3650).nullable().default(null),
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
    retentionDays: z.number().int().min(1).max(3650).nullable().optional(),
  })
  .strict();

/** Settings that are not the manager's: how long finished sessions are kept. */
export interface EngineSettingsState {
  retentionDays: number | null;
}

function view(manager: BackgroundEnrichmentManager, state: EngineSettingsState): StoredSettings {
  const current = manager.currentSettings();
  return { enrichment: current.defaults, monthlyBudgetUsd: current.monthlyBudgetUsd ?? null, retentionDays: state.retentionDays };
}

/** Applies stored settings, if any, over the feature's defaults. A damaged file is reported and ignored. */
export async function loadSettings(store: Store, manager: BackgroundEnrichmentManager, state: EngineSettingsState, warn: (message: string, data: Record<string, unknown>) => void): Promise<void> {
  try {
    const stored = await store.getJson(SETTINGS_KEY, StoredSettingsSchema);
    if (stored === undefined) return;
    manager.configure({ defaults: stored.enrichment, monthlyBudgetUsd: stored.monthlyBudgetUsd ?? undefined });
    state.retentionDays = stored.retentionDays;
  } catch (error) {
    warn("stored enrichment settings are unreadable; using defaults", { error });
  }
}

/** `settings.get` and `settings.update`: durable before they answer, applied to the next job. */
export function createSettingsMethods(store: Store, manager: BackgroundEnrichmentManager, state: EngineSettingsState, onRetentionChange: () => Promise<void>): MethodTable {
  return {
    "settings.get": defineMethod(z.object({}).strict(), () => view(manager, state)),
    "settings.update": defineMethod(SettingsUpdateParamsSchema, async (params) => {
      const current = manager.currentSettings();
      const next = {
        defaults: params.enrichment ?? current.defaults,
        monthlyBudgetUsd: params.monthlyBudgetUsd === undefined ? current.monthlyBudgetUsd : (params.monthlyBudgetUsd ?? undefined),
      };
      const retentionDays = params.retentionDays === undefined ? state.retentionDays : params.retentionDays;
      await store.putJson(SETTINGS_KEY, { enrichment: next.defaults, monthlyBudgetUsd: next.monthlyBudgetUsd ?? null, retentionDays } satisfies StoredSettings, { priority: "critical" });
      manager.configure(next);
      const retentionChanged = retentionDays !== state.retentionDays;
      state.retentionDays = retentionDays;
      if (retentionChanged) await onRetentionChange();
      return view(manager, state);
    }),
  };
}
