import * as z from "zod";
import type { CascadeOps, Store, Transaction } from "../../storage/index.ts";
import { LedgerEntrySchema, type LedgerEntry, type Usage } from "../types.ts";
import { costOf } from "./prices.ts";

const MonthTotalSchema = z.object({ month: z.string(), totalUsd: z.number(), calls: z.number().int() });
const TotalSchema = z.object({ totalUsd: z.number(), calls: z.number().int() });

const safe = (id: string) => id.replace(/[^A-Za-z0-9._-]/g, "_");

export function monthOf(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 7);
}

/**
 * One entry per provider call, from the usage the provider reported, plus a
 * running total per month, per job and per session written in the same
 * transaction (the budget, the job record and the session read those, never
 * the whole ledger).
 */
export interface Ledger {
  /** Records a call's usage inside the caller's transaction (with the step's checkpoint). */
  record(tx: Transaction, entry: { readonly jobId: string; readonly sessionId: string; readonly stepId: string; readonly usage: Usage; readonly at: number; readonly id: string }): Promise<LedgerEntry>;
  monthTotal(month: string): Promise<number>;
  /** Every cent recorded for one job, across all its runs. */
  jobTotal(jobId: string): Promise<number>;
  /** Every cent recorded for one session, across all its jobs. */
  sessionTotal(sessionId: string): Promise<number>;
  entries(month: string): Promise<LedgerEntry[]>;
}

export function createLedger(store: Store): Ledger {
  return {
    async record(tx, input) {
      const month = monthOf(input.at);
      const entry: LedgerEntry = { id: input.id, jobId: input.jobId, sessionId: input.sessionId, stepId: input.stepId, at: input.at, month, usage: input.usage, costUsd: costOf(input.usage) };
      tx.putJson(`ledger/${month}/entries/${input.id}.json`, entry);
      const totalKey = `ledger/${month}/total.json`;
      const current = (await tx.getJson(totalKey, MonthTotalSchema)) ?? { month, totalUsd: 0, calls: 0 };
      tx.putJson(totalKey, { month, totalUsd: current.totalUsd + entry.costUsd, calls: current.calls + 1 });
      for (const key of [`ledger/jobs/${safe(input.jobId)}.json`, `ledger/sessions/${safe(input.sessionId)}.json`]) {
        const running = (await tx.getJson(key, TotalSchema)) ?? { totalUsd: 0, calls: 0 };
        tx.putJson(key, { totalUsd: running.totalUsd + entry.costUsd, calls: running.calls + 1 });
      }
      return entry;
    },
    async monthTotal(month) {
      return (await store.getJson(`ledger/${month}/total.json`, MonthTotalSchema))?.totalUsd ?? 0;
    },
    async jobTotal(jobId) {
      return (await store.getJson(`ledger/jobs/${safe(jobId)}.json`, TotalSchema))?.totalUsd ?? 0;
    },
    async sessionTotal(sessionId) {
      return (await store.getJson(`ledger/sessions/${safe(sessionId)}.json`, TotalSchema))?.totalUsd ?? 0;
    },
    async entries(month) {
      const keys = await store.list(`ledger/${month}/entries/`);
      const out: LedgerEntry[] = [];
      for (const key of keys) {
        const entry = await store.getJson(key, LedgerEntrySchema);
        if (entry !== undefined) out.push(entry);
      }
      return out.sort((a, b) => a.at - b.at);
    },
  };
}

/** What a ledger entry names in place of a session that was deleted. */
export const DELETED_SESSION = "deleted";

/**
 * The ledger's part in deleting a session: every entry of its jobs stays, with
 * its cost, marked as belonging to a deleted session (the session's id goes);
 * the session's running total goes, as the month totals keep every cent.
 */
export async function markSessionDeleted(store: Store, sessionId: string, jobIds: readonly string[], at: number, ops: CascadeOps): Promise<number> {
  const prefixes = jobIds.map((id) => `${id}.`);
  let marked = 0;
  for (const key of await store.list("ledger/")) {
    const match = /^ledger\/\d{4}-\d{2}\/entries\/(.+)\.json$/.exec(key);
    if (match === null || !prefixes.some((prefix) => match[1]!.startsWith(prefix))) continue;
    const entry = await store.getJson(key, LedgerEntrySchema).catch(() => undefined);
    if (entry === undefined || entry.sessionId !== sessionId) continue;
    ops.putJson(key, { ...entry, sessionId: DELETED_SESSION, sessionDeletedAt: at } satisfies LedgerEntry);
    marked++;
  }
  ops.delete(`ledger/sessions/${safe(sessionId)}.json`);
  return marked;
}
