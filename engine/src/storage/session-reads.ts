import { EngineError } from "../bridge/index.ts";
import type { HostPort } from "../host/index.ts";
import { SessionMetadataSchema, VideoRecordSchema, type SessionMetadata } from "../domain/index.ts";
import { chunkIndexOf, decodeChunk, type StoredChunk } from "./chunks.ts";
import { audioChunkKey, metadataKey, screenshotChunkKey, videoKey } from "./keys.ts";
import { readPack } from "./session-pack.ts";
import type { ListIndex } from "./list-index.ts";
import type { InternalStore } from "./store.ts";
import type { IntegrityProblem, ItemRange } from "./types.ts";

export type ItemKind = "screenshots" | "audio";

/** What the session layer's pieces share. */
import type { LibraryChange } from "./library-events.ts";

export interface SessionCore {
  readonly host: HostPort;
  readonly store: InternalStore;
  readonly lock: <T>(task: () => Promise<T>) => Promise<T>;
  readonly index: ListIndex;
  /** Latest metadata per session, queued writes included. Cleared when a commit fails. */
  readonly metaCache: Map<string, SessionMetadata>;
  /** The tail chunk per `${kind}/${sessionId}`, where appends land. */
  readonly tailCache: Map<string, StoredChunk<unknown>>;
  /** Problems met while reading (for logs and `capture.health`). */
  report(problem: IntegrityProblem): void;
  /** Writes attachment metadata still waiting for its first record (before scans and on close). */
  persistDeferred(): Promise<void>;
  /** Drops every cache (metadata, tail chunks, attachments) after a repair or a failed commit. */
  resetCaches(): void;
  /**
   * Reloads the list index from the store if a commit failed since it was last
   * loaded: mutations update the in-memory index before their commit, and a
   * failed commit must not leave it describing writes that never happened.
   * It also loads a lazily opened index whole, except `forList`.
   */
  refreshIndex(options?: { readonly forList?: boolean }): Promise<void>;
  /** Hears every durable change to a session's list entry (the storage feature turns it into `library.changed`). */
  readonly notify?: (change: LibraryChange) => void;
}

export const chunkKeyOf = (kind: ItemKind, sessionId: string, chunkIndex: number) =>
  kind === "screenshots" ? screenshotChunkKey(sessionId, chunkIndex) : audioChunkKey(sessionId, chunkIndex);

export async function readMetadata(core: SessionCore, sessionId: string): Promise<SessionMetadata | undefined> {
  const cached = core.metaCache.get(sessionId);
  if (cached !== undefined) return cached;
  const metadata = await core.store.getJson(metadataKey(sessionId), SessionMetadataSchema);
  if (metadata !== undefined) core.metaCache.set(sessionId, metadata);
  return metadata;
}

export async function mustReadMetadata(core: SessionCore, sessionId: string): Promise<SessionMetadata> {
  const metadata = await readMetadata(core, sessionId);
  if (metadata === undefined) throw new EngineError("storage.not_found", `no session ${sessionId}`, { data: { sessionId } });
  return metadata;
}

/** Moves a bad file to `quarantine/` (atomically: copy in, delete out) unless it changed meanwhile. */
export async function quarantine(core: SessionCore, key: string, bytes: Uint8Array): Promise<string | undefined> {
  const now = await core.store.get(key);
  if (now === undefined || !sameBytes(now, bytes)) return undefined;
  const target = `quarantine/${key.replaceAll("/", "__")}.${core.host.clock.now()}`;
  await core.store.commitOps(
    [
      { type: "put", key: target, value: bytes },
      { type: "delete", key },
    ],
    { priority: "critical" },
  );
  return target;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export type ChunkRead<T> = { readonly chunk: StoredChunk<T> } | { readonly missing: true } | { readonly problem: IntegrityProblem };

/** Reads one chunk; a corrupt one is quarantined and reported, never thrown. */
export async function readChunk<T>(core: SessionCore, kind: ItemKind, sessionId: string, chunkIndex: number, options: { readonly quarantine?: boolean; readonly inLock?: boolean } = {}): Promise<ChunkRead<T>> {
  const key = chunkKeyOf(kind, sessionId, chunkIndex);
  const bytes = await core.store.get(key);
  if (bytes === undefined) return { missing: true };
  try {
    return { chunk: await decodeChunk<T>(core.host.crypto, key, bytes, { sessionId, chunkIndex }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    let quarantinedTo: string | undefined;
    if (options.quarantine !== false) {
      const move = () => quarantine(core, key, bytes);
      quarantinedTo = await (options.inLock === true ? move() : core.lock(move)).catch(() => undefined);
      core.tailCache.delete(`${kind}/${sessionId}`);
    }
    const problem: IntegrityProblem = { kind: "chunk_corrupt", key, message, sessionId, chunkIndex, ...(quarantinedTo === undefined ? {} : { quarantinedTo }) };
    core.report(problem);
    return { problem };
  }
}

/** Items of a session in append order; unreadable chunks are skipped and reported. */
export async function readItems<T>(
  core: SessionCore,
  kind: ItemKind,
  metadata: SessionMetadata,
  range: ItemRange = {},
  options: { readonly inLock?: boolean; readonly skipPack?: boolean } = {},
): Promise<{ items: T[]; problems: IntegrityProblem[] }> {
  const refs = metadata[kind];
  if (options.skipPack !== true && (range.offset ?? 0) === 0 && range.limit === undefined) {
    const packed = await readPack<T>(core, kind, metadata);
    if (packed !== undefined) return { items: packed, problems: [] };
  }
  const offset = Math.max(0, range.offset ?? 0);
  const end = range.limit === undefined ? refs.itemCount : Math.min(refs.itemCount, offset + range.limit);
  if (end <= offset) return { items: [], problems: [] };
  const first = chunkIndexOf(offset);
  const last = Math.min(refs.chunkCount - 1, chunkIndexOf(end - 1));
  const reads = [];
  for (let index = first; index <= last; index++) reads.push(readChunk<T>(core, kind, metadata.id, index, { inLock: options.inLock }).then((read) => ({ index, read })));
  const items: T[] = [];
  const problems: IntegrityProblem[] = [];
  for (const { index, read } of await Promise.all(reads)) {
    if ("chunk" in read) {
      const base = index * 20;
      for (let i = 0; i < read.chunk.items.length; i++) if (base + i >= offset && base + i < end) items.push(read.chunk.items[i]!);
    } else if ("problem" in read) problems.push(read.problem);
    else if (!refs.lostChunks.includes(index)) {
      const key = chunkKeyOf(kind, metadata.id, index);
      problems.push({ kind: "chunk_missing", key, message: `${key} is missing`, sessionId: metadata.id, chunkIndex: index });
    }
  }
  return { items, problems };
}

/**
 * Which sessions reference which attachments, recomputed from the records
 * themselves (chunks and video records), never from the stored refcounts.
 */
export async function collectReferences(
  core: SessionCore,
  options: { readonly inLock?: boolean } = {},
): Promise<{ references: Map<string, Set<string>>; problems: IntegrityProblem[]; chunks: number; itemsHeld: Map<string, number> }> {
  const references = new Map<string, Set<string>>();
  /** Items in readable chunks, by `${kind}/${sessionId}`. */
  const itemsHeld = new Map<string, number>();
  const problems: IntegrityProblem[] = [];
  const add = (attachmentId: string, sessionId: string) => {
    let set = references.get(attachmentId);
    if (set === undefined) references.set(attachmentId, (set = new Set()));
    set.add(sessionId);
  };
  let chunks = 0;
  for (const kind of ["screenshots", "audio"] as const) {
    const keys = await core.store.list(`${kind}/`);
    for (const key of keys) {
      const match = /^(?:screenshots|audio)\/([0-9a-f-]{36})\/(\d+)\.json$/.exec(key);
      if (match === null) continue;
      const read = await readChunk<{ attachmentId: string }>(core, kind, match[1]!, Number(match[2]), options);
      if ("chunk" in read) {
        chunks++;
        itemsHeld.set(`${kind}/${match[1]!}`, (itemsHeld.get(`${kind}/${match[1]!}`) ?? 0) + read.chunk.items.length);
        for (const item of read.chunk.items) add(item.attachmentId, match[1]!);
      } else if ("problem" in read) problems.push(read.problem);
    }
  }
  for (const key of await core.store.list("videos/")) {
    const match = /^videos\/([0-9a-f-]{36})\.json$/.exec(key);
    if (match === null) continue;
    try {
      const video = await core.store.getJson(videoKey(match[1]!), VideoRecordSchema);
      for (const segment of video?.segments ?? []) add(segment.attachmentId, match[1]!);
      if (video?.merged !== undefined) add(video.merged.attachmentId, match[1]!);
    } catch (error) {
      problems.push({ kind: "record_invalid", key, message: error instanceof Error ? error.message : String(error), sessionId: match[1]! });
    }
  }
  return { references, problems, chunks, itemsHeld };
}
