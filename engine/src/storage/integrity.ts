import { AttachmentSchema, SessionMetadataSchema, type Attachment, type SessionMetadata } from "../domain/index.ts";
import { attachmentIdFromBlobKey, attachmentIdFromMetaKey, attachmentMetaKey, blobKey, INDEX_KEY, metadataKey, sessionIdFromMetadataKey } from "./keys.ts";
import { indexFieldsDiffer, ListIndexSchema } from "./list-index.ts";
import type { QueuedOp } from "./persistence-queue.ts";
import { chunkKeyOf, collectReferences, quarantine, type SessionCore } from "./session-reads.ts";
import { decodeJson, encodeJson } from "./store.ts";
import type { IntegrityProblem, RepairReport, VerifyOptions, VerifyReport } from "./types.ts";

interface Scan {
  readonly report: VerifyReport;
  readonly metadata: Map<string, SessionMetadata>;
  readonly attachments: Map<string, Attachment>;
  readonly references: Map<string, Set<string>>;
  readonly blobIds: Set<string>;
}

const sameSet = (a: readonly string[], b: Set<string> | undefined) => a.length === (b?.size ?? 0) && a.every((id) => b?.has(id) === true);

/** Must run under the storage lock. */
async function scan(core: SessionCore, options: VerifyOptions): Promise<Scan> {
  await core.refreshIndex();
  const { store, host } = core;
  await core.persistDeferred();
  await store.flush();
  const problems: IntegrityProblem[] = [];
  const moveAside = async (key: string, bytes: Uint8Array | undefined) =>
    options.quarantine === false || bytes === undefined ? undefined : await quarantine(core, key, bytes).catch(() => undefined);

  // Sessions.
  const metadata = new Map<string, SessionMetadata>();
  for (const key of await store.list("sessions/metadata/")) {
    const id = sessionIdFromMetadataKey(key);
    if (id === undefined) continue;
    const bytes = await store.get(key);
    try {
      const parsed = decodeJson(key, bytes ?? new Uint8Array(0), SessionMetadataSchema);
      if (parsed.id !== id) throw new Error(`${key} holds session ${parsed.id}`);
      metadata.set(id, parsed);
    } catch (error) {
      const quarantinedTo = await moveAside(key, bytes);
      core.metaCache.delete(id);
      problems.push({ kind: "metadata_invalid", key, message: error instanceof Error ? error.message : String(error), sessionId: id, ...(quarantinedTo === undefined ? {} : { quarantinedTo }) });
    }
  }

  // Chunks and the references they make (corrupt chunks are quarantined on the way).
  const collected = await collectReferences(core, { inLock: true });
  problems.push(...collected.problems);
  const present = new Set([...(await store.list("screenshots/")), ...(await store.list("audio/"))]);
  for (const session of metadata.values()) {
    for (const kind of ["screenshots", "audio"] as const) {
      for (let index = 0; index < session[kind].chunkCount; index++) {
        const key = chunkKeyOf(kind, session.id, index);
        if (present.has(key) || session[kind].lostChunks.includes(index)) continue;
        if (problems.some((p) => p.key === key)) continue;
        problems.push({ kind: "chunk_missing", key, message: `${key} is missing`, sessionId: session.id, chunkIndex: index });
      }
    }
  }

  // Attachments, their blobs and refcounts.
  const attachments = new Map<string, Attachment>();
  for (const key of await store.list("attachments/metadata/")) {
    const id = attachmentIdFromMetaKey(key);
    if (id === undefined) continue;
    const bytes = await store.get(key);
    try {
      attachments.set(id, decodeJson(key, bytes ?? new Uint8Array(0), AttachmentSchema));
    } catch (error) {
      const quarantinedTo = await moveAside(key, bytes);
      problems.push({ kind: "attachment_invalid", key, message: error instanceof Error ? error.message : String(error), attachmentId: id, ...(quarantinedTo === undefined ? {} : { quarantinedTo }) });
    }
  }
  const blobIds = new Set<string>();
  for (const key of await store.list("attachments/blobs/")) {
    const id = attachmentIdFromBlobKey(key);
    if (id !== undefined) blobIds.add(id);
  }
  for (const [id, sessions] of collected.references) {
    if (!attachments.has(id)) {
      problems.push({ kind: "attachment_missing", key: attachmentMetaKey(id), message: `attachment ${id} is referenced by ${[...sessions].join(", ")} but has no metadata`, attachmentId: id, sessionId: [...sessions][0] });
    }
    if (!blobIds.has(id)) problems.push({ kind: "blob_missing", key: blobKey(id), message: `blob of attachment ${id} is missing`, attachmentId: id, sessionId: [...sessions][0] });
  }
  for (const attachment of attachments.values()) {
    const recomputed = collected.references.get(attachment.id);
    if (!sameSet(attachment.referencedBy, recomputed) || attachment.refCount !== attachment.referencedBy.length) {
      problems.push({ kind: "refcount_mismatch", key: attachmentMetaKey(attachment.id), message: `attachment ${attachment.id} counts ${attachment.refCount} references, the records make ${recomputed?.size ?? 0}`, attachmentId: attachment.id });
    }
    if (!blobIds.has(attachment.id)) {
      if (!collected.references.has(attachment.id)) problems.push({ kind: "blob_missing", key: blobKey(attachment.id), message: `blob of attachment ${attachment.id} is missing`, attachmentId: attachment.id });
      continue;
    }
    if (options.blobs === false) continue;
    const hashed = store.adapter.hashValue !== undefined ? await store.adapter.hashValue(blobKey(attachment.id)) : undefined;
    const sha256 = hashed?.sha256 ?? (await host.crypto.sha256((await store.get(blobKey(attachment.id))) ?? new Uint8Array(0)));
    if (sha256 !== attachment.id) {
      const quarantinedTo = await moveAside(blobKey(attachment.id), await store.get(blobKey(attachment.id)));
      problems.push({ kind: "blob_hash_mismatch", key: blobKey(attachment.id), message: `blob of attachment ${attachment.id} hashes to ${sha256}`, attachmentId: attachment.id, ...(quarantinedTo === undefined ? {} : { quarantinedTo }) });
    }
  }

  // The list index against the metadata files.
  let indexed: SessionMetadata[] | undefined;
  try {
    indexed = (await store.getJson(INDEX_KEY, ListIndexSchema))?.sessions;
    if (indexed === undefined && metadata.size > 0) problems.push({ kind: "index_invalid", key: INDEX_KEY, message: "the list index is missing" });
  } catch (error) {
    problems.push({ kind: "index_invalid", key: INDEX_KEY, message: error instanceof Error ? error.message : String(error) });
  }
  if (indexed !== undefined) {
    const byId = new Map(indexed.map((entry) => [entry.id, entry]));
    for (const session of metadata.values()) {
      const entry = byId.get(session.id);
      if (entry === undefined || indexFieldsDiffer(entry, session)) problems.push({ kind: "index_mismatch", key: INDEX_KEY, message: `index entry of ${session.id} ${entry === undefined ? "is missing" : "disagrees with its metadata"}`, sessionId: session.id });
    }
    for (const entry of indexed) {
      if (!metadata.has(entry.id) && !problems.some((p) => p.sessionId === entry.id && p.kind === "metadata_invalid")) {
        problems.push({ kind: "index_mismatch", key: INDEX_KEY, message: `index lists ${entry.id}, which has no metadata`, sessionId: entry.id });
      }
    }
  }

  const report: VerifyReport = { ok: problems.length === 0, sessions: metadata.size, chunks: collected.chunks, attachments: attachments.size, problems };
  return { report, metadata, attachments, references: collected.references, blobIds };
}

export async function verifyStorage(core: SessionCore, options: VerifyOptions = {}): Promise<VerifyReport> {
  return core.lock(async () => (await scan(core, options)).report);
}

/** Recomputes refcounts, records lost chunks, restores metadata from the index where it can, rebuilds the index. */
export async function repairStorage(core: SessionCore): Promise<RepairReport> {
  return core.lock(async () => {
    const before = await scan(core, {});
    const { store, host, index } = core;
    const ops: QueuedOp[] = [];
    const sessions = new Map(before.metadata);
    // Metadata lost but still known to the index: restore it so the chunks stay reachable.
    for (const problem of before.report.problems) {
      if (problem.kind !== "metadata_invalid" || problem.sessionId === undefined || sessions.has(problem.sessionId)) continue;
      const entry = index.get(problem.sessionId);
      if (entry !== undefined) sessions.set(entry.id, entry);
    }
    let lostChunksRecorded = 0;
    for (const problem of before.report.problems) {
      if ((problem.kind !== "chunk_corrupt" && problem.kind !== "chunk_missing") || problem.sessionId === undefined || problem.chunkIndex === undefined) continue;
      const session = sessions.get(problem.sessionId);
      if (session === undefined) continue;
      const kind = problem.key.startsWith("audio/") ? "audio" : "screenshots";
      if (session[kind].lostChunks.includes(problem.chunkIndex)) continue;
      sessions.set(session.id, { ...session, [kind]: { ...session[kind], lostChunks: [...session[kind].lostChunks, problem.chunkIndex].sort((a, b) => a - b) } });
      lostChunksRecorded++;
    }
    for (const session of sessions.values()) {
      if (session !== before.metadata.get(session.id)) ops.push({ type: "put", key: metadataKey(session.id), value: encodeJson(session) });
    }
    let refcountsFixed = 0;
    for (const attachment of before.attachments.values()) {
      const recomputed = [...(before.references.get(attachment.id) ?? [])].sort();
      if (sameSet(attachment.referencedBy, new Set(recomputed)) && attachment.refCount === attachment.referencedBy.length) continue;
      ops.push({ type: "put", key: attachmentMetaKey(attachment.id), value: encodeJson({ ...attachment, referencedBy: recomputed, refCount: recomputed.length }) });
      refcountsFixed++;
    }
    // Referenced blobs whose metadata is gone get minimal metadata back.
    for (const [id, referencing] of before.references) {
      if (before.attachments.has(id) || !before.blobIds.has(id)) continue;
      const size = (await store.adapter.size?.(blobKey(id))) ?? (await store.get(blobKey(id)))?.length ?? 0;
      const now = host.clock.now();
      const referencedBy = [...referencing].sort();
      ops.push({ type: "put", key: attachmentMetaKey(id), value: encodeJson({ id, contentHash: id, storageKey: blobKey(id), refCount: referencedBy.length, referencedBy, type: "other", mimeType: "application/octet-stream", size, createdAt: now, lastAccessedAt: now } satisfies Attachment) });
      refcountsFixed++;
    }
    index.load([...sessions.values()]);
    ops.push({ type: "put", key: INDEX_KEY, value: encodeJson({ v: 1, sessions: [...sessions.values()] }) });
    await store.commitOps(ops, { priority: "critical" });
    core.resetCaches();
    const after = await scan(core, { quarantine: true });
    return { refcountsFixed, indexRebuilt: true, lostChunksRecorded, problemsBefore: before.report.problems.length, problemsAfter: after.report.problems.length };
  });
}
