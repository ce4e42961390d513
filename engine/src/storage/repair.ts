/**
 * `repair()`: restore from every redundant copy first, then recount. A
 * reference count never drops below the records that still name the blob:
 * readable chunks and video records, quarantined records, and — for a
 * session whose chunks are lost — the references the attachment already
 * recorded for it. Repair never deletes a blob; `gc` removes what nothing names.
 */
import type { Attachment } from "../domain/index.ts";
import { attachmentMetaKey, blobKey, INDEX_KEY } from "./keys.ts";
import type { QueuedOp } from "./persistence-queue.ts";
import { readQuarantine } from "./quarantine-evidence.ts";
import { restoreFromCopies } from "./restore.ts";
import type { SessionCore } from "./session-reads.ts";
import { encodeJson } from "./store.ts";
import { sameSet, scan } from "./integrity.ts";
import type { RepairReport } from "./types.ts";

export async function repairStorage(core: SessionCore): Promise<RepairReport> {
  return core.lock(async () => {
    await core.refreshIndex();
    await core.persistDeferred();
    await core.store.flush();
    const restored = await restoreFromCopies(core, await readQuarantine(core));
    const before = await scan(core, {});
    const { store, host, index } = core;
    const ops: QueuedOp[] = [];

    const { namers } = before;
    let refcountsFixed = 0;
    for (const attachment of before.attachments.values()) {
      const referencedBy = namers(attachment);
      if (sameSet(attachment.referencedBy, new Set(referencedBy)) && attachment.refCount === referencedBy.length) continue;
      ops.push({ type: "put", key: attachmentMetaKey(attachment.id), value: encodeJson({ ...attachment, referencedBy, refCount: referencedBy.length }) });
      refcountsFixed++;
    }
    // Blobs whose metadata is gone get minimal metadata back when anything still names them.
    for (const id of before.blobIds) {
      if (before.attachments.has(id)) continue;
      const referencedBy = namers({ id, referencedBy: [] });
      if (referencedBy.length === 0) continue;
      const size = (await store.adapter.size?.(blobKey(id))) ?? (await store.get(blobKey(id)))?.length ?? 0;
      const now = host.clock.now();
      ops.push({ type: "put", key: attachmentMetaKey(id), value: encodeJson({ id, contentHash: id, storageKey: blobKey(id), refCount: referencedBy.length, referencedBy, type: "other", mimeType: "application/octet-stream", size, createdAt: now, lastAccessedAt: now } satisfies Attachment) });
      refcountsFixed++;
    }
    ops.push({ type: "lazy", key: INDEX_KEY, produce: index.replaceAll([...before.metadata.values()]) });
    await store.commitOps(ops, { priority: "critical" });
    core.resetCaches();
    const after = await scan(core, { quarantine: true });
    return {
      sessionsRestored: restored.sessionsRestored,
      chunksRestored: restored.chunksRestored,
      refcountsFixed,
      indexRebuilt: true,
      lostChunksRecorded: restored.lostChunksRecorded,
      problemsBefore: before.report.problems.length + restored.sessionsRestored + restored.chunksRestored + restored.lostChunksRecorded,
      problemsAfter: after.report.problems.length,
      orphanBlobs: after.report.orphans.length,
    };
  });
}
