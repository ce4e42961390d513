import * as z from "zod";
import type { Store } from "../storage/index.ts";
import { EnrichmentOptionsSchema, JobPrioritySchema, type JobRecord } from "./types.ts";

/**
 * The user's request to replace a job's options, left in the store for the engine
 * that runs the job, which may be another process (`stint enrich` while the app or
 * the dev host works): that engine reads it before it starts the job and at every
 * step boundary, applies it and removes it.
 */
const ReplaceRequestSchema = z.object({ options: EnrichmentOptionsSchema, priority: JobPrioritySchema.optional(), at: z.number() });

export type ReplacePatch = Partial<Pick<JobRecord, "options" | "priority">>;

export const replaceRequestKey = (jobId: string) => `requests/replace/${jobId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;

export async function writeReplaceRequest(store: Store, jobId: string, patch: Required<Pick<ReplacePatch, "options">> & ReplacePatch, at: number): Promise<void> {
  await store.putJson(replaceRequestKey(jobId), { options: patch.options, ...(patch.priority === undefined ? {} : { priority: patch.priority }), at }, { priority: "critical" });
}

/** The pending request for a job, if any (a damaged one counts as none). */
export async function readReplaceRequest(store: Store, jobId: string): Promise<ReplacePatch | undefined> {
  const request = await store.getJson(replaceRequestKey(jobId), ReplaceRequestSchema).catch(() => undefined);
  if (request === undefined) return undefined;
  return request.priority === undefined ? { options: request.options } : { options: request.options, priority: request.priority };
}

export async function clearReplaceRequest(store: Store, jobId: string): Promise<void> {
  await store.delete(replaceRequestKey(jobId)).catch(() => undefined);
}
