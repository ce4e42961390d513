import * as z from "zod";
import { SessionMetadataSchema, type SessionMetadata } from "../domain/index.ts";
import { encodeIndexFile, listOrder, matchesFilter, plausibleEntry, type EncodedEntry, type LazyList } from "./list-head.ts";
import { encodeUtf8 as utf8Encode } from "./codec.ts";
import type { ListFilter, ListResult } from "./types.ts";

export { matchesFilter };

/** `sessions/metadata/index.json`: every session's metadata as of its last save, for listing. */
export const ListIndexSchema = z.object({ v: z.literal(1), sessions: z.array(SessionMetadataSchema) });

/**
 * Parses the index. Entries were validated when written, so each gets a
 * structural check of what listing relies on; only an entry that fails it
 * goes through the full schema.
 */
export function parseListIndex(raw: unknown): SessionMetadata[] {
  if (typeof raw !== "object" || raw === null || (raw as { v?: unknown }).v !== 1 || !Array.isArray((raw as { sessions?: unknown }).sessions)) {
    throw new Error("not a session index");
  }
  return ((raw as { sessions: unknown[] }).sessions).map((entry) => (plausibleEntry(entry) ? entry : SessionMetadataSchema.parse(entry)));
}

export interface ListIndexOptions {
  /** A fresh 16-hex-digit generation for each encoded file (so a reader can tell two versions apart). */
  readonly generation: () => string;
}

/**
 * The list index in memory. Each change makes a new snapshot, so the bytes
 * queued for one commit describe exactly the metadata in that commit even when
 * later saves are already waiting; encoding happens once per group commit.
 *
 * Opened lazily it starts from the file's head (see list-head.ts): listing
 * parses only the entries it returns, and the first write (or anything that
 * needs every entry) loads the index whole through `materialize`.
 */
export function createListIndex(options: ListIndexOptions) {
  let snapshot = new Map<string, SessionMetadata>();
  let sorted: SessionMetadata[] | undefined;
  let lazy: { list: LazyList; materialize: () => Promise<void> } | undefined;
  let materializing: Promise<void> | undefined;
  const encoded = new WeakMap<SessionMetadata, EncodedEntry>();

  const encode = (entries: Map<string, SessionMetadata>): Uint8Array => {
    const out: EncodedEntry[] = [];
    for (const metadata of entries.values()) {
      let entry = encoded.get(metadata);
      if (entry === undefined) {
        const json = JSON.stringify(metadata);
        entry = { metadata, json, bytes: utf8Encode(json).length };
        encoded.set(metadata, entry);
      }
      out.push(entry);
    }
    return encodeIndexFile(out, options.generation());
  };
  const loaded = () => {
    if (lazy !== undefined) throw new Error("list index not loaded");
  };
  const listLoaded = (filter: ListFilter): ListResult => {
    sorted ??= [...snapshot.values()].sort(listOrder);
    const matches = sorted.filter((metadata) => matchesFilter(metadata, filter));
    const offset = Math.max(0, filter.offset ?? 0);
    const end = filter.limit === undefined ? undefined : offset + Math.max(0, filter.limit);
    return { sessions: matches.slice(offset, end), total: matches.length };
  };

  const index = {
    load(entries: readonly SessionMetadata[]) {
      lazy = undefined;
      snapshot = new Map(entries.map((entry) => [entry.id, entry]));
      sorted = undefined;
    },
    /** Answers lists from the file's head until something needs every entry; `materialize` then loads it whole. */
    openLazily(list: LazyList, materialize: () => Promise<void>) {
      lazy = { list, materialize };
      snapshot = new Map();
      sorted = undefined;
    },
    /** Loads the whole index if it was opened lazily (before any write or full read). */
    async ensureLoaded(): Promise<void> {
      if (lazy === undefined) return;
      materializing ??= lazy.materialize().finally(() => {
        materializing = undefined;
      });
      await materializing;
    },
    get(id: string): SessionMetadata | undefined {
      loaded();
      return snapshot.get(id);
    },
    /** Updates one entry; returns a producer of the index bytes as of now. */
    set(metadata: SessionMetadata): () => Uint8Array {
      loaded();
      snapshot = new Map(snapshot).set(metadata.id, metadata);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    /** Updates many entries at once (import, migration). */
    setMany(entries: readonly SessionMetadata[]): () => Uint8Array {
      loaded();
      snapshot = new Map(snapshot);
      for (const metadata of entries) snapshot.set(metadata.id, metadata);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    /** Replaces every entry (a rebuild or repair); returns a producer of the index bytes. */
    replaceAll(entries: readonly SessionMetadata[]): () => Uint8Array {
      index.load(entries);
      const frozen = snapshot;
      return () => encode(frozen);
    },
    /** Updates an entry in memory only (item counts change on every append; the file catches up on the next save). */
    touch(metadata: SessionMetadata): void {
      loaded();
      if (!snapshot.has(metadata.id)) return;
      snapshot.set(metadata.id, metadata);
      sorted = undefined;
    },
    remove(id: string): () => Uint8Array {
      loaded();
      snapshot = new Map(snapshot);
      snapshot.delete(id);
      sorted = undefined;
      const frozen = snapshot;
      return () => encode(frozen);
    },
    all(): SessionMetadata[] {
      loaded();
      return [...snapshot.values()];
    },
    get size() {
      return lazy?.list.size ?? snapshot.size;
    },
    async list(filter: ListFilter = {}): Promise<ListResult> {
      const current = lazy;
      if (current !== undefined) {
        const result = await current.list.list(filter);
        if (lazy === undefined) return listLoaded(filter); // loaded whole meanwhile: the memory is newer than the file
        if (result !== undefined) return result;
        await index.ensureLoaded(); // the file disagrees with its head: load (or rebuild) it whole
      }
      return listLoaded(filter);
    },
  };
  return index;
}
export type ListIndex = ReturnType<typeof createListIndex>;

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
