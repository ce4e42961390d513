import type { SearchDocument } from "./documents.ts";
import { planMerge } from "./merge-policy.ts";
import { buildRun, mergeRuns, type BuiltRun } from "./run.ts";
import { createShardCache, deleteRun, MANIFEST_KEY, readHead, readManifest, runId, runKeyPrefix, runShardKey, writeRun, type Manifest, type RunWrites } from "./run-store.ts";
import { createSearchIndex, type IndexReader } from "./search-index.ts";
import { dirtyKey, loadSegment, readSessionDocs, type SearchStorage } from "./search-store.ts";
import { DOCS_PER_CHUNK, readDocsChunk, writeSegment } from "./segment-store.ts";
import type { Segment, StoredSegment } from "./segment.ts";

/** A shard a query needed could not be read: its run is dropped and its sessions indexed again. */
export class DamagedRunError extends Error {
  constructor(readonly runId: string) {
    super(`search run ${runId} is missing a shard`);
  }
}

const DIRTY = new Uint8Array([49]);
const SHARD_CACHE_BYTES = 64 * 2 ** 20;
const DOCS_CACHE_CHUNKS = 1024;
/** A merge holds its inputs and output in memory: a run stays within this many sessions. */
const MAX_RUN_SESSIONS = 256;

export interface RunIndexerOptions {
  readonly readOnly: boolean;
  readonly mergeFactor: number;
  readonly shardBytes: number;
  readonly batch: number;
}

/**
 * The persisted index: runs listed by a manifest, each session's entries in
 * its segment (for snippets). Indexing a batch of sessions writes their
 * segments, one new run and the manifest in one commit, clearing their dirty
 * marks; merges replace runs with one in one commit. Read-only, runs live in
 * memory and nothing is written.
 */
export function createRunIndexer(storage: () => SearchStorage, options: RunIndexerOptions) {
  const shardCache = createShardCache(SHARD_CACHE_BYTES);
  /** Shards of runs that exist only in memory (read-only). */
  const pinned = new Map<string, Uint8Array>();
  /** Entries of sessions indexed in memory only (read-only: the stored segments may be another owner's older ones). */
  const pinnedDocs = new Map<string, readonly SearchDocument[]>();
  const docsReads = new Map<string, Promise<(SearchDocument | undefined)[] | undefined>>();
  /** Recently read chunks of entries, by `{session}/{chunk}`. */
  const docsCache = new Map<string, readonly (SearchDocument | undefined)[]>();
  let manifest: Manifest = { v: 1, runs: [], next: 0 };
  /** Runs the manifest lists that could not be read: removed with the next commit. */
  let broken: string[] = [];

  const rememberDocs = (key: string, docs: readonly (SearchDocument | undefined)[]) => {
    docsCache.delete(key);
    docsCache.set(key, docs);
    for (const oldest of docsCache.keys()) {
      if (docsCache.size <= DOCS_CACHE_CHUNKS) break;
      docsCache.delete(oldest);
    }
  };

  const reader: IndexReader = {
    async shard(id, k) {
      const key = runShardKey(id, k);
      const held = pinned.get(key) ?? shardCache.get(key);
      if (held !== undefined) return held;
      const bytes = await storage()
        .store.get(key)
        .catch(() => undefined);
      if (bytes === undefined) throw new DamagedRunError(id);
      shardCache.set(key, bytes);
      return bytes;
    },
    async doc(id, doc) {
      const own = pinnedDocs.get(id);
      if (own !== undefined) return own[doc];
      const k = Math.floor(doc / DOCS_PER_CHUNK);
      const key = `${id}/${k}`;
      let held = docsCache.get(key);
      if (held === undefined) {
        // Reads of one chunk already under way are shared (the page reads ahead).
        let reading = docsReads.get(key);
        if (reading === undefined) {
          reading = readDocsChunk(storage().store, id, k).finally(() => docsReads.delete(key));
          docsReads.set(key, reading);
        }
        held = await reading;
        if (held === undefined) return undefined;
        rememberDocs(key, held);
      }
      return held[doc % DOCS_PER_CHUNK];
    },
  };
  const index = createSearchIndex(reader);
  const forgetDocs = (id: string) => {
    pinnedDocs.delete(id);
    for (const key of docsCache.keys()) if (key.startsWith(`${id}/`)) docsCache.delete(key);
  };

  function hold(run: BuiltRun): void {
    for (const [k, bytes] of run.shards.entries()) {
      if (options.readOnly) pinned.set(runShardKey(run.head.id, k), bytes);
      else shardCache.set(runShardKey(run.head.id, k), bytes);
    }
    index.addRun(run.head);
  }

  async function deleteBroken(tx: RunWrites): Promise<void> {
    if (broken.length === 0) return;
    const keys = await storage().store.list("search/runs/");
    for (const id of broken) for (const key of keys) if (key.startsWith(runKeyPrefix(id))) tx.delete(key);
  }

  /** Sessions deleted in this process: a pass that read one before its delete must not write it back. */
  const deleted = new Set<string>();
  /** Changes to the manifest (indexing, merging, a delete's rewrite) take turns; a delete holds it until its commit settles. */
  let tail: Promise<void> = Promise.resolve();
  function manifestTurn(): Promise<() => void> {
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const before = tail;
    tail = before.then(() => mine);
    return before.then(() => release);
  }
  /** Rewrites prepared by a delete's cascade, applied once its commit is durable. */
  const pendingDeletes = new Map<string, { release: () => void; built: BuiltRun[]; removed: string[]; next: Manifest; reindex: string[] }>();

  const withId = (run: BuiltRun, id: string): BuiltRun => ({ head: { ...run.head, id }, shards: run.shards });

  function apply(next: Manifest, built: readonly BuiltRun[], removed: Iterable<string>): void {
    manifest = next;
    broken = [];
    for (const run of built) hold(run);
    for (const id of removed) {
      const run = index.getRun(id);
      index.removeRun(id);
      for (let k = 0; k < (run?.head.shards.length ?? 0); k++) shardCache.delete(runShardKey(id, k));
    }
  }

  return {
    index,
    /** Reads the manifest and every run's head; returns the sessions the runs hold. */
    async load(): Promise<void> {
      const found = await readManifest(storage());
      manifest = found ?? { v: 1, runs: [], next: 0 };
      const heads = await Promise.all(manifest.runs.map((id) => readHead(storage(), id)));
      broken = manifest.runs.filter((_, i) => heads[i] === undefined);
      manifest = { ...manifest, runs: manifest.runs.filter((_, i) => heads[i] !== undefined) };
      for (const head of heads) if (head !== undefined) index.addRun(head);
    },

    /**
     * Indexes a batch: `fresh` from their records (their dirty marks were
     * `seen` at these generations), `adopted` from their stored segments.
     * Returns which fresh sessions are done.
     */
    async indexBatch(fresh: readonly string[], adopted: readonly string[], isClean: (id: string) => boolean): Promise<{ cleaned: string[]; gone: string[]; unreadable: string[] }> {
      const s = storage();
      const segments: Segment[] = [];
      const writes: { id: string; stored?: StoredSegment }[] = [];
      const gone: string[] = [];
      const unreadable: string[] = [];
      for (const id of adopted) {
        const found = await loadSegment(s, id);
        if (found === undefined) unreadable.push(id);
        else segments.push(found.segment);
      }
      for (const id of fresh) {
        const built = await readSessionDocs(s, id);
        if (built === undefined) gone.push(id);
        else segments.push(built.segment);
        writes.push(built === undefined ? { id } : { id, stored: built.stored });
      }
      // A change that committed while this pass read its records keeps its mark.
      const cleaned = fresh.filter(isClean);
      const release = await manifestTurn();
      try {
        // A session deleted while this pass read it stays deleted.
        const kept = segments.filter((segment) => !deleted.has(segment.sessionId));
        const run = kept.length > 0 ? buildRun(runId(manifest.next), kept, options.shardBytes) : undefined;
        const next: Manifest = { v: 1, runs: run === undefined ? manifest.runs : [...manifest.runs, run.head.id], next: manifest.next + (run === undefined ? 0 : 1) };
        if (!options.readOnly) {
          const tx = s.store.beginTransaction();
          for (const write of writes) if (!deleted.has(write.id)) await writeSegment(s.store, tx, write.id, write.stored);
          if (run !== undefined) writeRun(tx, run);
          await deleteBroken(tx);
          tx.putJson(MANIFEST_KEY, next);
          for (const id of cleaned) tx.delete(dirtyKey(id));
          await tx.commit();
        }
        for (const id of gone) index.dropSession(id);
        for (const write of writes) forgetDocs(write.id);
        if (options.readOnly) for (const segment of kept) pinnedDocs.set(segment.sessionId, segment.docs);
        apply(next, run === undefined ? [] : [run], []);
      } finally {
        release();
      }
      return { cleaned, gone, unreadable };
    },

    /** Merges and drops runs while the policy finds some due; returns the sessions of runs found damaged (to index again). */
    async merge(): Promise<string[]> {
      const reindex: string[] = [];
      if (options.readOnly) return reindex;
      for (;;) {
        const runs = index.runs();
        const plan = planMerge(
          runs.map((run) => ({ id: run.head.id, sessions: run.slots.reduce((sum, slot) => sum + (slot >= 0 ? 1 : 0), 0) })),
          options.mergeFactor,
          MAX_RUN_SESSIONS,
        );
        if (plan.drop.length === 0 && plan.merge.length === 0) return reindex;
        const inputs = plan.merge.map((id) => index.getRun(id)!);
        let built: BuiltRun | undefined;
        try {
          built =
            inputs.length === 0
              ? undefined
              : await mergeRuns(
                  runId(manifest.next),
                  inputs.map((run) => ({ head: run.head, layout: run.layout, shard: (k: number) => reader.shard(run.head.id, k), keep: (local: number) => run.slots[local]! >= 0 })),
                  options.shardBytes,
                );
        } catch (error) {
          if (!(error instanceof DamagedRunError)) throw error;
          // Gone with a delete's rewrite: plan again. Damaged: its sessions are indexed again from their records.
          if (manifest.runs.includes(error.runId)) reindex.push(...this.dropRun(error.runId));
          continue;
        }
        const release = await manifestTurn();
        try {
          // A delete rewrote one of the inputs meanwhile: plan again.
          if (![...plan.drop, ...plan.merge].every((id) => manifest.runs.includes(id))) continue;
          const merged = built === undefined ? undefined : withId(built, runId(manifest.next));
          const removed = new Set([...plan.drop, ...plan.merge]);
          const next: Manifest = { v: 1, runs: [...manifest.runs.filter((id) => !removed.has(id)), ...(merged === undefined ? [] : [merged.head.id])], next: manifest.next + (merged === undefined ? 0 : 1) };
          const tx = storage().store.beginTransaction();
          if (merged !== undefined) writeRun(tx, merged);
          for (const id of removed) deleteRun(tx, index.getRun(id)!.head);
          await deleteBroken(tx);
          tx.putJson(MANIFEST_KEY, next);
          await tx.commit();
          apply(next, merged === undefined ? [] : [merged], removed);
        } finally {
          release();
        }
      }
    },

    /**
     * A session's delete: every run holding it (its copy, or an older one) is
     * rewritten without it in the delete's own transaction, so no file of the
     * index keeps its id or its words. Holds the manifest's turn until `settleDelete`.
     */
    async collectDelete(sessionId: string, ops: RunWrites): Promise<void> {
      deleted.add(sessionId);
      if (options.readOnly) return;
      const release = await manifestTurn();
      try {
        const holding = index.runs().filter((run) => run.head.sessions.some((session) => session.id === sessionId));
        const built: BuiltRun[] = [];
        let next: Manifest = manifest;
        const reindex: string[] = [];
        for (const run of holding) {
          let rewritten: BuiltRun;
          try {
            rewritten = await mergeRuns(
              runId(next.next),
              [{ head: run.head, layout: run.layout, shard: (k: number) => reader.shard(run.head.id, k), keep: (local: number) => run.slots[local]! >= 0 && run.head.sessions[local]!.id !== sessionId }],
              options.shardBytes,
            );
          } catch (error) {
            if (!(error instanceof DamagedRunError)) throw error;
            // A damaged run cannot be rewritten: it goes whole, and its other sessions are marked to be indexed again.
            rewritten = { head: { ...run.head, sessions: [] }, shards: [] };
            for (const key of await storage().store.list("search/runs/")) if (key.startsWith(runKeyPrefix(run.head.id))) ops.delete(key);
            for (const [local, session] of run.head.sessions.entries()) {
              if (run.slots[local]! < 0 || session.id === sessionId) continue;
              ops.put(dirtyKey(session.id), DIRTY);
              reindex.push(session.id);
            }
          }
          next = { v: 1, runs: next.runs.filter((id) => id !== run.head.id), next: next.next + 1 };
          if (rewritten.head.sessions.length > 0) {
            built.push(rewritten);
            writeRun(ops, rewritten);
            next = { ...next, runs: [...next.runs, rewritten.head.id] };
          }
          deleteRun(ops, run.head);
        }
        if (holding.length > 0) ops.putJson(MANIFEST_KEY, next);
        pendingDeletes.set(sessionId, { release, built, removed: holding.map((run) => run.head.id), next, reindex });
      } catch (error) {
        release();
        throw error;
      }
    },

    /** Applies a delete's rewrite once durable; returns sessions of a damaged run it removed (to index again). */
    settleDelete(sessionId: string, committed: boolean): string[] {
      const pending = pendingDeletes.get(sessionId);
      pendingDeletes.delete(sessionId);
      if (committed) {
        index.dropSession(sessionId);
        forgetDocs(sessionId);
        if (pending !== undefined && pending.removed.length > 0) apply(pending.next, pending.built, pending.removed);
      } else deleted.delete(sessionId);
      pending?.release();
      return committed ? (pending?.reindex ?? []) : [];
    },

    /** A run found damaged: forgotten (removed with the next commit); returns the sessions it owned. */
    dropRun(id: string): string[] {
      const run = index.getRun(id);
      if (run === undefined) return [];
      const owned = run.head.sessions.filter((_, local) => run.slots[local]! >= 0).map((session) => session.id);
      index.removeRun(id);
      shardCache.dropPrefix(runKeyPrefix(id));
      manifest = { ...manifest, runs: manifest.runs.filter((other) => other !== id) };
      broken = [...broken, id];
      return owned;
    },

    forget(id: string): void {
      index.dropSession(id);
      forgetDocs(id);
    },

    /** Everything forgotten, as before a rebuild (the run counter keeps counting). */
    clear(): void {
      index.clear();
      shardCache.clear();
      pinned.clear();
      pinnedDocs.clear();
      docsCache.clear();
      manifest = { v: 1, runs: [], next: manifest.next };
      broken = [];
    },
  };
}

export type RunIndexer = ReturnType<typeof createRunIndexer>;
