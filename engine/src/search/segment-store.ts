import * as z from "zod";
import type { Store, Transaction } from "../storage/index.ts";
import type { SearchDocument } from "./documents.ts";
import { decodeRow, StoredSegmentSchema, type StoredSegment } from "./segment.ts";

/**
 * A segment on disk: a small head at `search/segments/{id}.json` and its
 * entries in chunks of {@link DOCS_PER_CHUNK} at `search/docs/{id}/{k}.json`,
 * so a snippet reads one chunk, not the whole session.
 */
export const DOCS_PER_CHUNK = 64;
export const segmentKey = (sessionId: string) => `search/segments/${sessionId}.json`;
export const docsKey = (sessionId: string, k: number) => `search/docs/${sessionId}/${k}.json`;
export const docsFolder = (sessionId: string) => `search/docs/${sessionId}/`;

const SegmentHeadSchema = z.object({ v: z.literal(2), sessionId: z.string(), startedAt: z.number(), name: z.string(), tags: z.array(z.string()), docs: z.number().int().nonnegative() });
const ChunkSchema = z.array(z.array(z.unknown()));

/** Writes a session's segment (or deletes it, with `undefined`) in `tx`, removing chunks it no longer has. */
export async function writeSegment(store: Pick<Store, "list">, tx: Transaction, sessionId: string, stored: StoredSegment | undefined): Promise<void> {
  const chunks = stored === undefined ? 0 : Math.ceil(stored.docs.length / DOCS_PER_CHUNK);
  for (const key of await store.list(docsFolder(sessionId))) {
    const k = Number(key.slice(docsFolder(sessionId).length).replace(/\.json$/, ""));
    if (!(k < chunks)) tx.delete(key);
  }
  if (stored === undefined) {
    tx.delete(segmentKey(sessionId));
    return;
  }
  const { docs, ...head } = stored;
  tx.putJson(segmentKey(sessionId), { ...head, v: 2, docs: docs.length });
  for (let k = 0; k < chunks; k++) tx.putJson(docsKey(sessionId, k), docs.slice(k * DOCS_PER_CHUNK, (k + 1) * DOCS_PER_CHUNK));
}

/** The whole segment as stored, or undefined when its head or any chunk is missing or unreadable. */
export async function readStoredSegment(store: Pick<Store, "getJson">, sessionId: string): Promise<StoredSegment | undefined> {
  const head = await store.getJson(segmentKey(sessionId), SegmentHeadSchema).catch(() => undefined);
  if (head === undefined || head.sessionId !== sessionId) return undefined;
  const docs: unknown[][] = [];
  for (let k = 0; k * DOCS_PER_CHUNK < head.docs; k++) {
    const chunk = await store.getJson(docsKey(sessionId, k), ChunkSchema).catch(() => undefined);
    if (chunk === undefined) return undefined;
    docs.push(...chunk);
  }
  if (docs.length !== head.docs) return undefined;
  const { docs: _count, ...rest } = head;
  const parsed = StoredSegmentSchema.safeParse({ ...rest, v: 1, docs });
  return parsed.success ? (parsed.data as StoredSegment) : undefined;
}

/** One chunk's entries by position (an unreadable row is undefined), or undefined when the chunk is unreadable. */
export async function readDocsChunk(store: Pick<Store, "getJson">, sessionId: string, k: number): Promise<(SearchDocument | undefined)[] | undefined> {
  const chunk = await store.getJson(docsKey(sessionId, k), ChunkSchema).catch(() => undefined);
  return chunk?.map(decodeRow);
}
