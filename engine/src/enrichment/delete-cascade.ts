import type { DeleteCascade, Store } from "../storage/index.ts";
import { markSessionDeleted } from "./cost/ledger.ts";
import type { PersistentEnrichmentQueue } from "./queue.ts";
import { replaceRequestKey } from "./replace-requests.ts";

/**
 * Enrichment's part in deleting a session, in the delete's own transaction:
 * its jobs leave the queue, their checkpoints, replace requests and the
 * session's lock go, and its ledger entries stay marked as a deleted session's.
 * A job still running is cancelled first (it stops at its abort signal).
 */
export function createEnrichmentDeleteCascade(deps: { readonly queue: PersistentEnrichmentQueue; readonly store: Store; readonly now: () => number }): DeleteCascade {
  const { queue, store } = deps;
  return {
    async prepare(sessionId) {
      for (const job of queue.list()) {
        if (job.sessionId === sessionId && (job.status === "waiting" || job.status === "active" || job.status === "delayed")) await queue.cancel(job.id);
      }
    },
    async collect(sessionId, ops) {
      const { jobIds, shards } = queue.forgetSession(sessionId);
      for (const shard of shards) ops.putJson(shard.key, { jobs: shard.jobs });
      for (const jobId of jobIds) {
        for (const key of await store.list(`checkpoints/${jobId}/`)) ops.delete(key);
        ops.removeFolder(`checkpoints/${jobId}`);
        ops.delete(replaceRequestKey(jobId));
      }
      ops.delete(`locks/${sessionId}.json`);
      await markSessionDeleted(store, sessionId, jobIds, deps.now(), ops);
    },
  };
}
