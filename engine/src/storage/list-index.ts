import * as z from "zod";
import { SessionMetadataSchema, type SessionMetadata } from "../domain/index.ts";
import { encodeUtf8 as utf8Encode } from "./codec.ts";
import type { ListFilter, ListResult } from "./types.ts";

/** `sessions/metadata/index.json`: every session's metadata as of its last save, for listing. */
export const ListIndexSchema = z.object({ v: z.literal(1), sessions: z.array(SessionMetadataSchema) });

const STATUSES = new Set(["active", "paused", "completed", "interrupted"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isRefs = (value: unknown) => typeof value === "object" && value !== null && typeof (value as { itemCount?: unknown }).itemCount === "number" && Array.isArray((value as { lostChunks?: unknown }).lostChunks);

/**
 * Parses the index. Entries were validated when written, so each gets a
 * structural check of what listing relies on; only an entry that fails it
 * goes through the full schema. Opening 10,000 sessions stays cheap.
 */
export function parseListIndex(raw: unknown): SessionMetadata[] {
  if (typeof raw !== "object" || raw === null || (raw as { v?: unknown }).v !== 1 || !Array.isArray((raw as { sessions?: unknown }).sessions)) {
    throw new Error("not a session index");
  }
  return ((raw as { sessions: unknown[] }).sessions).map((entry) => {
    const e = entry as Record<string, unknown> | null;
    const plausible =
      e !== null &&
      typeof e === "object" &&
      e.schemaVersion === 2 &&
      typeof e.id === "string" &&
      UUID.test(e.id) &&
      typeof e.name === "string" &&
      typeof e.status === "string" &&
      STATUSES.has(e.status) &&
      typeof e.startedAt === "number" &&
      typeof e.activeDurationMs === "number" &&
      Array.isArray(e.tags) &&
      Array.isArray(e.topicIds) &&
      Array.isArray(e.extractedTaskIds) &&
      Array.isArray(e.extractedNoteIds) &&
      isRefs(e.screenshots) &&
      isRefs(e.audio) &&
      typeof e.sizeBytes === "number";
    return plausible ? (entry as SessionMetadata) : SessionMetadataSchema.parse(entry);
  });
}

/**
 * The list index in memory. Each change makes a new snapshot, so the bytes
 * queued for one commit describe exactly the metadata in that commit even when
 * later saves are already waiting; encoding happens once per group commit.
 */
export function createListIndex() {
  let snapshot = new Map<string, SessionMetadata>();
  let sorted: SessionMetadata[] | undefined;
  const encoded = new WeakMap<SessionMetadata, string>();

  const encode = (entries: Map<string, SessionMetadata>): Uint8Array => {
    const parts: string[] = [];
    for (const metadata of entries.values()) {
      let json = encoded.get(metadata);
      if (json === undefined) {
        json = JSON.stringify(metadata);
        encoded.set(metadata, json);
      }
      parts.push(json);
    }
    return utf8Encode(`{"v":1,"sessions":[${parts.join(",")}]}`);
  };

  return {
    load(entries: readonly SessionMetadata[]) {
      snapshot = new Map(entries.map((entry) => [entry.id, entry]));
      sorted = undefined;
    },
    get(id: string): SessionMetadata | undefined {
      return snapshot.get(id);
    },
    /** Updates one entry; returns a producer of the index bytes as of now. */
    set(metadata: SessionMetadata): () => Uint8Array {
      snapshot = new Map(snapshot).set(metadata.id, metadata);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    /** Updates many entries at once (import, migration). */
    setMany(entries: readonly SessionMetadata[]): () => Uint8Array {
      snapshot = new Map(snapshot);
      for (const metadata of entries) snapshot.set(metadata.id, metadata);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    /** Updates an entry in memory only (item counts change on every append; the file catches up on the next save). */
    touch(metadata: SessionMetadata): void {
      if (!snapshot.has(metadata.id)) return;
      snapshot.set(metadata.id, metadata);
      sorted = undefined;
    },
    remove(id: string): () => Uint8Array {
      snapshot = new Map(snapshot);
      snapshot.delete(id);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    all(): SessionMetadata[] {
      return [...snapshot.values()];
    },
    get size() {
      return snapshot.size;
    },
    list(filter: ListFilter = {}): ListResult {
      sorted ??= [...snapshot.values()].sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1));
      const matches = sorted.filter((metadata) => matchesFilter(metadata, filter));
      const offset = Math.max(0, filter.offset ?? 0);
      const end = filter.limit === undefined ? undefined : offset + Math.max(0, filter.limit);
      return { sessions: matches.slice(offset, end), total: matches.length };
    },
  };
}
export type ListIndex = ReturnType<typeof createListIndex>;

/** The list filter as a pure predicate (also the model in property tests). */
export function matchesFilter(metadata: SessionMetadata, filter: ListFilter): boolean {
  if (filter.status !== undefined && metadata.status !== filter.status) return false;
  if (filter.statuses !== undefined && !filter.statuses.includes(metadata.status)) return false;
  if (filter.startAfter !== undefined && !(metadata.startedAt > filter.startAfter)) return false;
  if (filter.startBefore !== undefined && !(metadata.startedAt < filter.startBefore)) return false;
  if (filter.tags !== undefined && !filter.tags.every((tag) => metadata.tags.includes(tag))) return false;
  if (filter.topicIds !== undefined && filter.topicIds.length > 0 && !filter.topicIds.some((topic) => metadata.topicIds.includes(topic))) return false;
  return true;
}

/** The fields the index must agree on with the metadata files (item counts catch up lazily). */
export function indexFieldsDiffer(a: SessionMetadata, b: SessionMetadata): boolean {
  return (
    a.name !== b.name ||
    a.status !== b.status ||
    a.startedAt !== b.startedAt ||
    a.endedAt !== b.endedAt ||
    a.tags.join("\u0000") !== b.tags.join("\u0000") ||
    a.topicIds.join("\u0000") !== b.topicIds.join("\u0000")
  );
}
