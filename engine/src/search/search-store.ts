import * as z from "zod";
import type { KvOp, OpenedStorage } from "../storage/index.ts";
import { documentsOf, UserEditsSchema, type SearchDocument } from "./documents.ts";
import { buildSegment, decodeDocs, encodeSegment, type Segment, type StoredSegment } from "./segment.ts";
import { readStoredSegment } from "./segment-store.ts";
export { segmentKey } from "./segment-store.ts";

/** Bumped when what a segment holds changes shape: every session is then indexed again (2: chunked entries, runs). */
export const INDEX_VERSION = 2;
export const META_KEY = "search/meta.json";
export const dirtyKey = (sessionId: string) => `search/dirty/${sessionId}`;
export const MetaSchema = z.object({ version: z.number().int() });

const MarkersSchema = z.array(z.looseObject({ id: z.string(), sessionTimeMs: z.number(), note: z.string().optional() }));
const SESSION_ID = /^[A-Za-z0-9._-]+$/;

/** The session a stored record belongs to, for the records the index reads; undefined for anything else. */
export function sessionOfKey(key: string): string | undefined {
  const parts = key.split("/");
  let id: string | undefined;
  if (parts[0] === "sessions" && parts[1] === "metadata" && parts.length === 3 && parts[2] !== "index.json") id = parts[2]!.replace(/\.json$/, "");
  else if ((parts[0] === "screenshots" || parts[0] === "audio") && parts.length === 3) id = parts[1];
  else if ((parts[0] === "summaries" || parts[0] === "markers") && parts.length === 2) id = parts[1]!.replace(/\.json$/, "");
  else if (parts[0] === "review" && parts[1] === "edits" && parts.length === 3) id = parts[2]!.replace(/\.json$/, "");
  return id !== undefined && SESSION_ID.test(id) ? id : undefined;
}

const ONE = new Uint8Array([49]);

/** The dirty marks to commit with a group of record writes. */
export function dirtyOps(keys: readonly string[]): { ops: KvOp[]; sessions: Set<string> } {
  const sessions = new Set<string>();
  for (const key of keys) {
    const id = sessionOfKey(key);
    if (id !== undefined) sessions.add(id);
  }
  return { ops: [...sessions].map((id) => ({ type: "put", key: dirtyKey(id), value: ONE }) as const), sessions };
}

export type SearchStorage = Pick<OpenedStorage, "store" | "sessions">;

/** Reads a session's records and turns them into entries; undefined when the session is gone. */
export async function readSessionDocs(storage: SearchStorage, sessionId: string): Promise<{ segment: Segment; stored: StoredSegment } | undefined> {
  const full = await storage.sessions.getFullSession(sessionId).catch(() => undefined);
  if (full === undefined) return undefined;
  const markers = (await storage.store.getJson(`markers/${sessionId}.json`, MarkersSchema).catch(() => undefined)) ?? [];
  const edits = await storage.store.getJson(`review/edits/${sessionId}.json`, UserEditsSchema).catch(() => undefined);
  const docs = documentsOf({ metadata: full.metadata, screenshots: full.screenshots, audioSegments: full.audioSegments, summary: full.summary, markers, edits });
  const meta = { sessionId, startedAt: full.metadata.startedAt, name: full.metadata.name, tags: full.metadata.tags };
  return { segment: buildSegment(meta, docs), stored: encodeSegment(meta, docs) };
}

/** A stored segment, or undefined when missing, unreadable or holding a malformed row (then it is rebuilt from the records). */
export async function loadSegment(storage: SearchStorage, sessionId: string): Promise<{ segment: Segment; docs: SearchDocument[] } | undefined> {
  const stored = await readStoredSegment(storage.store, sessionId);
  if (stored === undefined) return undefined;
  const docs = decodeDocs(stored);
  if (docs.length !== stored.docs.length) return undefined;
  return { segment: buildSegment(stored, docs), docs };
}
