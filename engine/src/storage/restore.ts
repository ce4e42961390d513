/**
 * The first step of repair: bring back what a redundant copy still holds
 * before anything is recounted. Session metadata comes back from the list
 * index, from a readable quarantined copy, or is rebuilt from the session's
 * own chunks; a corrupt or missing chunk comes back from the session's pack.
 * What has no copy anywhere is recorded as lost, never deleted.
 */
import { CHUNK_SIZE, SESSION_SCHEMA_VERSION, SessionMetadataSchema, type SessionMetadata } from "../domain/index.ts";
import { decodeChunk, encodeChunk } from "./chunks.ts";
import { metadataKey, sessionIdFromMetadataKey } from "./keys.ts";
import type { QueuedOp } from "./persistence-queue.ts";
import { type QuarantineEvidence, sessionOfKey } from "./quarantine-evidence.ts";
import { chunkKeyOf, quarantine, type ItemKind, type SessionCore } from "./session-reads.ts";
import { readPackContents } from "./session-pack.ts";
import { decodeJson, encodeJson } from "./store.ts";

export interface RestoreReport {
  readonly sessionsRestored: number;
  readonly chunksRestored: number;
  readonly lostChunksRecorded: number;
}

const KINDS: readonly ItemKind[] = ["screenshots", "audio"];

/** Must run under the storage lock; commits what it restores. */
export async function restoreFromCopies(core: SessionCore, evidence: QuarantineEvidence): Promise<RestoreReport> {
  const { store } = core;
  const ops: QueuedOp[] = [];
  const metadata = new Map<string, SessionMetadata>();
  let sessionsRestored = 0;

  // Every session any record knows of.
  const known = new Set<string>(core.index.all().map((entry) => entry.id));
  for (const key of await store.list("sessions/metadata/")) {
    const id = sessionIdFromMetadataKey(key);
    if (id !== undefined) known.add(id);
  }
  for (const id of evidence.metadataSessions) known.add(id);
  const recordKeys = [...(await store.list("screenshots/")), ...(await store.list("audio/")), ...(await store.list("videos/"))];
  for (const key of recordKeys) {
    const id = sessionOfKey(key);
    if (id !== undefined) known.add(id);
  }

  for (const id of known) {
    const key = metadataKey(id);
    const bytes = await store.get(key);
    if (bytes !== undefined) {
      try {
        const parsed = decodeJson(key, bytes, SessionMetadataSchema);
        if (parsed.id === id) {
          metadata.set(id, parsed);
          continue;
        }
      } catch {
        // Restored below; the bad file is kept in the quarantine.
      }
    }
    // Only a session that had metadata comes back: records alone may be what a delete left behind.
    const hadMetadata = bytes !== undefined || core.index.get(id) !== undefined || evidence.metadataSessions.has(id);
    if (!hadMetadata) continue;
    const restored = core.index.get(id) ?? (await fromQuarantine(core, evidence, id)) ?? (await fromChunks(core, id));
    if (restored === undefined) continue;
    if (bytes !== undefined) await quarantine(core, key, bytes);
    metadata.set(id, restored);
    ops.push({ type: "put", key, value: encodeJson(restored) });
    sessionsRestored++;
  }

  // Chunks: each unreadable one from the pack when the pack covers it, else recorded as lost.
  let chunksRestored = 0;
  let lostChunksRecorded = 0;
  for (const [id, session] of metadata) {
    let changed = session;
    for (const kind of KINDS) {
      const refs = changed[kind];
      const pack = await readPackContents<unknown>(core, kind, id);
      const usable = pack !== undefined && pack.lostChunks.length === 0 && pack.chunkCount === refs.chunkCount && pack.itemCount === refs.itemCount && pack.items.length === refs.itemCount;
      const lost = new Set(refs.lostChunks);
      for (let index = 0; index < refs.chunkCount; index++) {
        const key = chunkKeyOf(kind, id, index);
        const bytes = await store.get(key);
        if (bytes !== undefined) {
          try {
            await decodeChunk(core.host.crypto, key, bytes, { sessionId: id, chunkIndex: index });
            lost.delete(index);
            continue;
          } catch {
            await quarantine(core, key, bytes);
          }
        }
        if (usable) {
          const items = pack.items.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE);
          const now = core.host.clock.now();
          const encoded = await encodeChunk(core.host.crypto, { sessionId: id, chunkIndex: index, items, createdAt: now, updatedAt: now });
          ops.push({ type: "put", key, value: encoded.bytes });
          lost.delete(index);
          chunksRestored++;
        } else if (!lost.has(index)) {
          lost.add(index);
          lostChunksRecorded++;
        }
      }
      const lostChunks = [...lost].sort((a, b) => a - b);
      if (lostChunks.join(",") !== refs.lostChunks.join(",")) changed = { ...changed, [kind]: { ...refs, lostChunks } };
    }
    if (changed !== session) {
      metadata.set(id, changed);
      const key = metadataKey(id);
      const at = ops.findIndex((op) => op.key === key);
      if (at >= 0) ops.splice(at, 1);
      ops.push({ type: "put", key, value: encodeJson(changed) });
    }
  }
  if (ops.length > 0) await store.commitOps(ops, { priority: "critical" });
  core.resetCaches();
  return { sessionsRestored, chunksRestored, lostChunksRecorded };
}

async function fromQuarantine(core: SessionCore, evidence: QuarantineEvidence, id: string): Promise<SessionMetadata | undefined> {
  for (const file of evidence.files) {
    if (file.original !== metadataKey(id)) continue;
    try {
      const parsed = decodeJson(file.original, (await core.store.get(file.key)) ?? new Uint8Array(0), SessionMetadataSchema);
      if (parsed.id === id) return parsed;
    } catch {
      // A garbage copy is no copy.
    }
  }
  return undefined;
}

/** Rebuilds minimal metadata from what the session's packs and chunks hold. */
async function fromChunks(core: SessionCore, id: string): Promise<SessionMetadata | undefined> {
  const refs: Record<ItemKind, { itemCount: number; chunkCount: number; lostChunks: number[] }> = { screenshots: { itemCount: 0, chunkCount: 0, lostChunks: [] }, audio: { itemCount: 0, chunkCount: 0, lostChunks: [] } };
  let startedAt: number | undefined;
  let endedAt: number | undefined;
  const seen = (at: unknown) => {
    if (typeof at !== "number" || !Number.isFinite(at) || at < 0) return;
    startedAt = Math.min(startedAt ?? at, at);
    endedAt = Math.max(endedAt ?? at, at);
  };
  for (const kind of KINDS) {
    const pack = await readPackContents<{ capturedAt?: unknown }>(core, kind, id);
    const indexes = (await core.store.list(`${kind}/${id}/`)).map((key) => /\/(\d+)\.json$/.exec(key)?.[1]).filter((n): n is string => n !== undefined).map(Number);
    const chunkCount = Math.max(pack?.chunkCount ?? 0, indexes.length === 0 ? 0 : Math.max(...indexes) + 1);
    let itemCount = 0;
    for (let index = 0; index < chunkCount; index++) {
      const key = chunkKeyOf(kind, id, index);
      const bytes = await core.store.get(key);
      const chunk = bytes === undefined ? undefined : await decodeChunk<{ capturedAt?: unknown }>(core.host.crypto, key, bytes, { sessionId: id, chunkIndex: index }).catch(() => undefined);
      const items = chunk?.items ?? (pack !== undefined && pack.lostChunks.length === 0 ? pack.items.slice(index * CHUNK_SIZE, (index + 1) * CHUNK_SIZE) : undefined);
      if (items === undefined) refs[kind].lostChunks.push(index);
      for (const item of items ?? []) seen(item.capturedAt);
      // Items before the last chunk fill whole chunks; the last holds what it holds.
      itemCount = index * CHUNK_SIZE + (items?.length ?? CHUNK_SIZE);
    }
    refs[kind].chunkCount = chunkCount;
    refs[kind].itemCount = chunkCount === 0 ? 0 : itemCount;
  }
  if (refs.screenshots.chunkCount + refs.audio.chunkCount === 0) return undefined;
  const parsed = SessionMetadataSchema.safeParse({
    schemaVersion: SESSION_SCHEMA_VERSION,
    id,
    name: `Recovered session ${id.slice(0, 8)}`,
    status: "interrupted",
    startedAt: startedAt ?? 0,
    ...(endedAt === undefined ? {} : { endedAt }),
    activeDurationMs: startedAt === undefined || endedAt === undefined ? 0 : Math.round(endedAt - startedAt),
    screenshots: refs.screenshots,
    audio: refs.audio,
    updatedAt: core.host.clock.now(),
  });
  return parsed.success ? parsed.data : undefined;
}
