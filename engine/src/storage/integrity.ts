import { AttachmentSchema, SessionMetadataSchema, type Attachment, type SessionMetadata } from "../domain/index.ts";
import { attachmentIdFromBlobKey, attachmentIdFromMetaKey, attachmentMetaKey, blobKey, INDEX_KEY, metadataKey, sessionIdFromMetadataKey } from "./keys.ts";
import { indexFieldsDiffer, ListIndexSchema } from "./list-index.ts";
import { CHUNK_SIZE } from "../domain/index.ts";
import { type QuarantineEvidence, readQuarantine, sessionOfKey } from "./quarantine-evidence.ts";
import { chunkKeyOf, collectReferences, quarantine, type SessionCore } from "./session-reads.ts";
import { decodeJson } from "./store.ts";
import type { IntegrityProblem, VerifyOptions, VerifyReport } from "./types.ts";

export interface Scan {
  readonly report: VerifyReport;
  readonly metadata: Map<string, SessionMetadata>;
  readonly attachments: Map<string, Attachment>;
  readonly references: Map<string, Set<string>>;
  readonly blobIds: Set<string>;
  readonly evidence: QuarantineEvidence;
  /** The sessions that should count as referencing an attachment (see `repair`). */
  readonly namers: (attachment: Pick<Attachment, "id" | "referencedBy">) => string[];
}

export const sameSet = (a: readonly string[], b: Set<string> | undefined) => a.length === (b?.size ?? 0) && a.every((id) => b?.has(id) === true);

/** Must run under the storage lock. */
export async function scan(core: SessionCore, options: VerifyOptions): Promise<Scan> {
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

  // Who may name each attachment: the readable records, quarantined records of a live session, and — for a
  // session that lost records — what the attachment already recorded for it (the only trace left).
  const evidence = await readQuarantine(core);
  const damaged = new Set<string>();
  for (const session of metadata.values()) if (session.screenshots.lostChunks.length + session.audio.lostChunks.length > 0) damaged.add(session.id);
  for (const problem of problems) {
    if ((problem.kind === "chunk_corrupt" || problem.kind === "chunk_missing" || problem.kind === "record_invalid") && problem.sessionId !== undefined) damaged.add(problem.sessionId);
  }
  const namers = (attachment: Pick<Attachment, "id" | "referencedBy">): string[] => {
    const names = new Set(collected.references.get(attachment.id) ?? []);
    for (const sessionId of attachment.referencedBy) if (damaged.has(sessionId) && metadata.has(sessionId)) names.add(sessionId);
    for (const sessionId of evidence.namedIds.get(attachment.id) ?? []) if (metadata.has(sessionId)) names.add(sessionId);
    return [...names].sort();
  };

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
    const expected = namers(attachment);
    if (!sameSet(attachment.referencedBy, new Set(expected)) || attachment.refCount !== attachment.referencedBy.length) {
      problems.push({ kind: "refcount_mismatch", key: attachmentMetaKey(attachment.id), message: `attachment ${attachment.id} counts ${attachment.refCount} references, the records make ${expected.length}`, attachmentId: attachment.id });
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

  // What the records hold against what the list says, unless damage already reported explains it.
  const damagedKinds = new Set(problems.filter((p) => p.kind === "chunk_corrupt" || p.kind === "chunk_missing").map((p) => `${p.key.split("/")[0]}/${p.sessionId}`));
  for (const session of metadata.values()) {
    for (const kind of ["screenshots", "audio"] as const) {
      const refs = session[kind];
      if (damagedKinds.has(`${kind}/${session.id}`)) continue;
      const inLost = refs.lostChunks.reduce((sum, index) => sum + Math.max(0, Math.min(CHUNK_SIZE, refs.itemCount - index * CHUNK_SIZE)), 0);
      const held = collected.itemsHeld.get(`${kind}/${session.id}`) ?? 0;
      if (held !== refs.itemCount - inLost) {
        problems.push({ kind: "count_mismatch", key: metadataKey(session.id), message: `session ${session.id} lists ${refs.itemCount} ${kind === "audio" ? "audio segments" : "screenshots"}${inLost > 0 ? ` (${inLost} in lost chunks)` : ""}; its records hold ${held}`, sessionId: session.id });
      }
    }
  }

  // Records whose session has no metadata: a delete or an import that did not finish.
  const invalidSessions = new Set(problems.filter((p) => p.kind === "metadata_invalid").map((p) => p.sessionId));
  const orphanSessions = new Map<string, string>();
  for (const key of [...present, ...(await store.list("videos/"))]) {
    const id = sessionOfKey(key);
    if (id !== undefined && !metadata.has(id) && !invalidSessions.has(id) && !orphanSessions.has(id)) orphanSessions.set(id, key);
  }
  for (const [id, key] of orphanSessions) problems.push({ kind: "orphan_records", key, message: `records of session ${id} remain without its metadata (an unfinished delete or import)`, sessionId: id });

  // Blobs nothing names: no metadata, no record, nothing quarantined. Left by a failed write or a delete, they
  // are not damage: they are listed apart, and `gc` removes them.
  const orphans: IntegrityProblem[] = [];
  for (const id of blobIds) {
    if (collected.references.has(id) || evidence.namedIds.has(id)) continue;
    const attachment = attachments.get(id);
    if (attachment !== undefined && (attachment.refCount > 0 || attachment.referencedBy.length > 0)) continue;
    if (attachment === undefined && problems.some((p) => p.attachmentId === id)) continue;
    orphans.push({ kind: "orphan_blob", key: blobKey(id), message: `blob ${id} is used by no session${attachment === undefined ? " and has no metadata" : ""}; \`stint gc\` removes it`, attachmentId: id });
  }

  const report: VerifyReport = { ok: problems.length === 0, sessions: metadata.size, chunks: collected.chunks, attachments: attachments.size, problems, orphans };
  return { report, metadata, attachments, references: collected.references, blobIds, evidence, namers };
}

export async function verifyStorage(core: SessionCore, options: VerifyOptions = {}): Promise<VerifyReport> {
  return core.lock(async () => (await scan(core, options)).report);
}
