import * as z from "zod";
import type { Store } from "../../storage/index.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { SagaStep } from "./steps.ts";

/**
 * A step's checkpoint carries its basis: what the result depends on (provider,
 * model, the exact input). A checkpoint is reused, by its own job on resume or by
 * a later job of the same session, only when the basis still matches, so changed
 * options redo exactly the steps they change and nothing that was paid for twice.
 */
const CheckpointSchema = z.object({ stepId: z.string(), basis: z.string().optional(), result: z.unknown() });

export function stepKey(jobId: string, stepId: string): string {
  return `checkpoints/${jobId}/${stepId.replace(/[^A-Za-z0-9._-]/g, "_")}.json`;
}

/** Removes a finished job's checkpoints; call only once its completion is durable. */
export async function deleteCheckpoints(store: Store, jobId: string): Promise<void> {
  const stale = await store.list(`checkpoints/${jobId}/`);
  if (stale.length > 0) await store.transaction(async (tx) => stale.forEach((key) => tx.delete(key)));
}

/** FNV-1a, 32 bits, over the JSON of a value: a short, stable fingerprint of a step's input. */
export function fingerprint(value: unknown): string {
  const text = JSON.stringify(value) ?? "";
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0") + text.length.toString(16);
}

/** What a step's result depends on under a plan; undefined for steps always performed again. */
export function basisOf(step: SagaStep, plan: EnrichmentPlan): string | undefined {
  const images = () => `${plan.screenshots}:${plan.models.screenshot}:${plan.tokenBudget}`;
  switch (step.kind) {
    case "stage":
    case "load":
    case "lock":
    case "estimate":
    case "save":
      return undefined;
    case "media":
      return "media";
    case "transcribe":
      return `${plan.transcription}:${plan.models.transcription}:${step.segment.tStart}-${step.segment.tEnd}`;
    case "analyse":
      return `${images()}:${fingerprint(step.shots.map((shot) => shot.ref))}`;
    case "batch-submit":
      return `batch:${images()}:${fingerprint(step.groups.map((group) => group.map((shot) => shot.ref)))}`;
    case "batch-collect":
      return `batch:${images()}:${step.handle.batchId}`;
    case "review-audio":
      return `${plan.provider}:${plan.models.screenshot}:${plan.redactEmails}:${fingerprint(step.context)}`;
    case "chapters":
      return `${plan.provider}:${plan.models.chapters ?? plan.models.summary}:${plan.redactEmails}:${fingerprint(step.context)}`;
    case "summary":
      return `${plan.provider}:${plan.models.summary}:${plan.redactEmails}:${fingerprint(step.context)}`;
  }
}

export interface StoredCheckpoint {
  readonly basis: string | undefined;
  readonly result: unknown;
  /** The job that paid for it. */
  readonly jobId: string;
}

/**
 * The checkpoints a run may reuse: its own job's, then those of the session's
 * earlier unfinished jobs (newest first) for steps it has none of.
 */
export async function loadCheckpoints(store: Store, jobId: string, earlierJobs: readonly string[]): Promise<Map<string, StoredCheckpoint>> {
  const out = new Map<string, StoredCheckpoint>();
  for (const id of [jobId, ...earlierJobs]) {
    for (const key of await store.list(`checkpoints/${id}/`)) {
      const checkpoint = await store.getJson(key, CheckpointSchema).catch(() => undefined);
      if (checkpoint === undefined || out.has(checkpoint.stepId)) continue;
      // A checkpoint written before bases existed is trusted only by the job that wrote it.
      if (checkpoint.basis === undefined && id !== jobId) continue;
      out.set(checkpoint.stepId, { basis: checkpoint.basis, result: checkpoint.result, jobId: id });
    }
  }
  return out;
}

/** Whether a stored checkpoint stands for this step under this plan. */
export function reusable(stored: StoredCheckpoint | undefined, step: SagaStep, plan: EnrichmentPlan, ownJobId: string): stored is StoredCheckpoint {
  if (stored === undefined) return false;
  const basis = basisOf(step, plan);
  if (basis === undefined) return false;
  return stored.basis === undefined ? stored.jobId === ownJobId : stored.basis === basis;
}
