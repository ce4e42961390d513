import * as z from "zod";
import { isSessionId } from "../domain/index.ts";
import type { OpenedStorage } from "./create-storage.ts";
import { attachmentMetaKey, blobKey } from "./keys.ts";

/**
 * The bookkeeping that makes an import all or nothing per session.
 * `imports/pending/{id}.json` says a session is being written; the blobs it
 * brings are named, before each is written, in `imports/pending-blobs/{id}/{n}.json`
 * lists of at most {@link PENDING_SEGMENT} ids. A session of 100,000
 * screenshots so rewrites one small list per batch, never a list that grows
 * with every batch (which made a large import quadratic in its size).
 */

export const PENDING_PREFIX = "imports/pending/";
export const REPORT_PREFIX = "imports/reports/";
export const MARKERS_KEY = (sessionId: string) => `markers/${sessionId}.json`;
const PENDING_BLOBS_PREFIX = "imports/pending-blobs/";
/** Blob ids per pending list. */
export const PENDING_SEGMENT = 200;

const PendingSchema = z.looseObject({ sessionId: z.string(), blobs: z.array(z.string()).default([]) });
const PendingSegmentSchema = z.object({ blobs: z.array(z.string()) });

type ImportStorage = Pick<OpenedStorage, "store" | "sessions" | "attachments">;

/** The keys of a pending session's blob lists. */
export function pendingListKeys(storage: Pick<OpenedStorage, "store">, sessionId: string): Promise<string[]> {
  return storage.store.list(`${PENDING_BLOBS_PREFIX}${sessionId}/`);
}

/** Names a session's new blobs in its pending lists, each list written before the blobs it names. */
export function createPendingBlobs(storage: Pick<OpenedStorage, "store">, sessionId: string) {
  const named = new Set<string>();
  let list: string[] = [];
  let listNo = 0;
  return {
    has: (id: string) => named.has(id),
    async add(ids: readonly string[]): Promise<void> {
      if (ids.length === 0) return;
      const writes: { key: string; blobs: string[] }[] = [];
      for (const id of ids) {
        named.add(id);
        if (list.length === PENDING_SEGMENT) {
          writes.push({ key: `${PENDING_BLOBS_PREFIX}${sessionId}/${listNo}.json`, blobs: list });
          list = [];
          listNo++;
        }
        list.push(id);
      }
      writes.push({ key: `${PENDING_BLOBS_PREFIX}${sessionId}/${listNo}.json`, blobs: [...list] });
      await storage.store.transaction(async (tx) => {
        for (const write of writes) tx.putJson(write.key, { blobs: write.blobs });
      }, { priority: "critical" });
    },
  };
}

/** Attachments a session's records name (to drop with it when nothing else uses them). */
async function blobsOf(storage: ImportStorage, sessionId: string): Promise<string[]> {
  const full = await storage.sessions.getFullSession(sessionId).catch(() => undefined);
  if (full === undefined) return [];
  return [...full.screenshots.map((s) => s.attachmentId), ...full.audioSegments.map((a) => a.attachmentId), ...(full.video?.segments ?? []).map((v) => v.attachmentId)];
}

/** Deletes a session and the blobs it brought in that nothing references any more. */
export async function removeSession(storage: ImportStorage, sessionId: string, pendingBlobs: readonly string[]): Promise<void> {
  const blobs = [...new Set([...pendingBlobs, ...(await blobsOf(storage, sessionId))])];
  await storage.sessions.deleteSession(sessionId);
  await storage.store.transaction(async (tx) => {
    tx.delete(MARKERS_KEY(sessionId));
    tx.delete(`${REPORT_PREFIX}${sessionId}.json`);
  });
  for (const id of blobs) {
    const attachment = await storage.attachments.getAttachment(id).catch(() => undefined);
    if (attachment !== undefined && attachment.refCount > 0) continue;
    await storage.store.transaction(async (tx) => {
      tx.delete(blobKey(id));
      tx.delete(attachmentMetaKey(id));
    });
  }
}

/** The blobs a pending session named, from its record and its lists, and the lists' keys. */
async function pendingBlobsOf(storage: ImportStorage, sessionId: string, fromRecord: readonly string[]): Promise<{ blobs: string[]; keys: string[] }> {
  const keys = await pendingListKeys(storage, sessionId);
  const blobs = new Set(fromRecord);
  for (const key of keys) {
    const segment = await storage.store.getJson(key, PendingSegmentSchema).catch(() => undefined);
    for (const id of segment?.blobs ?? []) blobs.add(id);
  }
  return { blobs: [...blobs], keys };
}

/** Rolls back a pending session: its records, the blobs it brought, then the pending record and its lists together. */
export async function rollBack(storage: ImportStorage, pendingKey: string, sessionId: string, fromRecord: readonly string[]): Promise<void> {
  const { blobs, keys } = await pendingBlobsOf(storage, sessionId, fromRecord);
  await removeSession(storage, sessionId, blobs);
  await storage.store.transaction(async (tx) => {
    for (const key of keys) tx.delete(key);
    tx.delete(pendingKey);
  }, { priority: "critical" });
}

/** Rolls back every import that did not finish (failed, or the process was killed). Returns how many. */
export async function recoverUnfinishedImports(storage: ImportStorage): Promise<number> {
  let removed = 0;
  for (const key of await storage.store.list(PENDING_PREFIX)) {
    const pending = await storage.store.getJson(key, PendingSchema).catch(() => undefined);
    if (pending !== undefined && isSessionId(pending.sessionId)) await rollBack(storage, key, pending.sessionId, pending.blobs);
    else await storage.store.delete(key, { priority: "critical" });
    removed++;
  }
  return removed;
}
