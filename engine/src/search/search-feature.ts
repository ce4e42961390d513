import * as z from "zod";
import { defineMethod, EngineError } from "../bridge/index.ts";
import type { EngineContext, Feature, FeatureFactory } from "../engine/index.ts";
import type { OpenedStorage } from "../storage/index.ts";
import { parseQuery } from "./query.ts";
import type { SearchResult } from "./search-index.ts";
import { createRunIndexer, DamagedRunError } from "./run-indexer.ts";
import { MANIFEST_KEY } from "./run-store.ts";
import { dirtyKey, dirtyOps, INDEX_VERSION, META_KEY, MetaSchema, readSessionDocs, segmentKey } from "./search-store.ts";
import { docsFolder, readStoredSegment } from "./segment-store.ts";
import { verifyRuns } from "./verify-runs.ts";

export const SearchQueryParamsSchema = z
  .object({
    query: z.string().max(1_000),
    limit: z.number().int().min(1).max(500).optional(),
    perSession: z.number().int().min(1).max(500).optional(),
    /** The caller's offset from UTC in minutes (east positive), for `before:`/`after:` dates. */
    utcOffsetMinutes: z.number().int().min(-24 * 60).max(24 * 60).optional(),
  })
  .strict();
export type SearchQueryParams = z.infer<typeof SearchQueryParamsSchema>;

const NoParams = z.object({}).strict();

export interface SearchVerifyReport {
  readonly ok: boolean;
  readonly sessions: number;
  /** Live sessions without a segment, segments of deleted sessions, segments that differ from the records, sessions marked for re-indexing. */
  readonly missing: string[];
  readonly orphaned: string[];
  readonly stale: string[];
  readonly pending: string[];
  /** Run files of the index that are missing or unreadable. */
  readonly damagedRuns: string[];
}

export interface SearchFeature extends Feature {
  readonly name: "search";
  query(params: SearchQueryParams): Promise<SearchResult>;
  /** Indexes whatever changed since the last query (runs before every query, too). */
  refresh(): Promise<number>;
  verify(): Promise<SearchVerifyReport>;
  /** Drops the index and builds it again from the records. */
  repair(): Promise<{ sessions: number }>;
}

/** How long a long-lived engine lets changes gather before indexing them in the background. */
const BACKGROUND_DELAY_MS = 2_000;

export interface SearchFeatureOptions {
  /** Beside another owner: index in memory only, never write. */
  readonly readOnly?: boolean;
  /** Runs of one size merged into one (default 4). */
  readonly mergeFactor?: number;
  /** Target shard size in bytes (default 256 KiB). */
  readonly shardBytes?: number;
  /** Sessions indexed into one run per pass (default 16). */
  readonly batch?: number;
}

/**
 * Full-text search over every session. Segments are derived records: a record
 * write commits a dirty mark for its session in the same atomic commit (a
 * storage queue hook), and the session is indexed again before the next query
 * answers, or in the background. A crash anywhere leaves the mark, so nothing
 * is ever silently stale; `repair` rebuilds from the records.
 *
 * Measured against SQLite FTS5 (Scripts/bench/search.mjs): this TypeScript
 * index runs unchanged in JavaScriptCore, Node and the browser, where FTS5
 * would need a host capability per platform plus a fallback anyway.
 */
export function createSearchFeature(options: SearchFeatureOptions = {}): FeatureFactory {
  const readOnly = options.readOnly === true;
  const batch = options.batch ?? 16;
  return (context: EngineContext) => {
    const storage = context.features.get("storage") as OpenedStorage | undefined;
    const mustStorage = (): OpenedStorage => {
      if (storage === undefined) throw new EngineError("search.unavailable", "search needs storage");
      return storage;
    };
    const runs = createRunIndexer(mustStorage, { readOnly, mergeFactor: options.mergeFactor ?? 4, shardBytes: options.shardBytes ?? 256 * 1024, batch });
    const dirty = new Map<string, number>();
    /** Live sessions with a stored segment but in no run (a folder indexed before runs, or a damaged run): built from the segment. */
    const adopt = new Set<string>();
    let generation = 0;
    let loaded: Promise<void> | undefined;
    let timer: number | undefined;
    let stopped = false;
    let metaPending = false;

    const markDirty = (ids: Iterable<string>) => {
      for (const id of ids) dirty.set(id, ++generation);
    };

    const warn = (error: unknown) => context.logger.warn("search indexing failed", { error: String(error) });

    /** Sessions whose delete transaction is under way: their records going must not mark them dirty again. */
    const deleting = new Set<string>();
    if (!readOnly) {
      storage?.sessions.addDeleteCascade({
        async collect(sessionId, ops) {
          deleting.add(sessionId);
          ops.delete(segmentKey(sessionId));
          for (const key of await storage.store.list(docsFolder(sessionId))) ops.delete(key);
          ops.removeFolder(docsFolder(sessionId).slice(0, -1));
          ops.delete(dirtyKey(sessionId));
          // The runs holding the session are rewritten without it in this transaction (the index must be loaded to know them).
          // An index that cannot be read is rebuilt by repair; it must not stop the delete.
          await ready().catch(warn);
          await runs.collectDelete(sessionId, ops);
        },
        settled(sessionId, deleted) {
          deleting.delete(sessionId);
          const reindex = runs.settleDelete(sessionId, deleted);
          if (!deleted) return;
          markDirty(reindex);
          dirty.delete(sessionId);
          adopt.delete(sessionId);
        },
      });
    }

    storage?.queue.onBeforeCommit?.((keys) => {
      const marked = dirtyOps(keys);
      const ops = marked.ops.filter((op) => !deleting.has(op.key.slice("search/dirty/".length)));
      const sessions = new Set([...marked.sessions].filter((id) => !deleting.has(id)));
      if (sessions.size === 0) return [];
      markDirty(sessions);
      if (context.background && !stopped && timer === undefined) {
        timer = context.host.timers.setTimeout(() => {
          timer = undefined;
          void refresh().catch(warn);
        }, BACKGROUND_DELAY_MS);
      }
      return ops;
    });

    async function load(): Promise<void> {
      const s = mustStorage();
      const meta = await s.store.getJson(META_KEY, MetaSchema).catch(() => undefined);
      const live = (await s.sessions.listMetadata({})).sessions.map((m) => m.id);
      await runs.load();
      const liveSet = new Set(live);
      for (const id of runs.index.sessions()) if (!liveSet.has(id)) runs.forget(id);
      if (meta?.version !== INDEX_VERSION) {
        // A first start (or a new index shape): index every session from its records.
        // The version is written once every session is in: until then `verify` counts them as pending.
        markDirty(live);
        metaPending = true;
        return;
      }
      markDirty((await s.store.list("search/dirty/")).map((key) => key.slice("search/dirty/".length)));
      const unowned = live.filter((id) => !dirty.has(id) && runs.index.ownerOf(id) === undefined);
      if (unowned.length === 0) return;
      const segments = new Set((await s.store.list("search/segments/")).map((key) => key.slice("search/segments/".length).replace(/\.json$/, "")));
      for (const id of unowned) {
        if (segments.has(id)) adopt.add(id);
        else markDirty([id]);
      }
    }

    const ready = () => (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));

    async function refreshOnce(): Promise<number> {
      await ready();
      let count = 0;
      while (dirty.size > 0 || adopt.size > 0) {
        const fresh = [...dirty.keys()].slice(0, batch);
        const adopted = [...adopt].filter((id) => !dirty.has(id)).slice(0, Math.max(0, batch - fresh.length));
        const seen = new Map(fresh.map((id) => [id, dirty.get(id)]));
        const done = await runs.indexBatch(fresh, adopted, (id) => dirty.get(id) === seen.get(id));
        for (const id of adopted) adopt.delete(id);
        markDirty(done.unreadable);
        for (const id of done.cleaned) if (dirty.get(id) === seen.get(id)) dirty.delete(id);
        count += fresh.length + adopted.length - done.unreadable.length;
        if (adopted.length === 0 && fresh.every((id) => dirty.has(id))) break; // nothing could be cleared: do not spin
      }
      markDirty(await runs.merge());
      if (metaPending && dirty.size === 0 && !readOnly) {
        await mustStorage().store.putJson(META_KEY, { version: INDEX_VERSION });
        metaPending = false;
      }
      return count;
    }

    let chain: Promise<unknown> = Promise.resolve();
    /** One pass at a time; a caller arriving mid-pass waits for it, then runs its own. */
    function refresh(): Promise<number> {
      const run = chain.catch(() => undefined).then(refreshOnce);
      chain = run;
      return run;
    }

    async function liveIds(): Promise<Set<string>> {
      return new Set((await mustStorage().sessions.listMetadata({})).sessions.map((m) => m.id));
    }

    async function answer(params: SearchQueryParams, parsed: ReturnType<typeof parseQuery>, attempt: number): Promise<SearchResult> {
      await refresh();
      const live = await liveIds();
      try {
        return await runs.index.search(parsed, { limit: params.limit, perSession: params.perSession, isLive: (id) => live.has(id) });
      } catch (error) {
        if (!(error instanceof DamagedRunError) || attempt > 0) throw error;
        // A run file gone or unreadable: its sessions are indexed again from their records, then the query runs again.
        context.logger.warn("search run damaged; re-indexing its sessions", { run: error.runId });
        markDirty(runs.dropRun(error.runId));
        return answer(params, parsed, attempt + 1);
      }
    }

    const feature: SearchFeature = {
      name: "search",
      async query(params) {
        return answer(params, parseQuery(params.query, { utcOffsetMinutes: params.utcOffsetMinutes }), 0);
      },
      refresh,
      async verify() {
        const s = mustStorage();
        await s.store.flush();
        const live = await liveIds();
        const missing: string[] = [];
        const stale: string[] = [];
        const segmentIds = (await s.store.list("search/segments/")).map((key) => key.slice("search/segments/".length).replace(/\.json$/, ""));
        const meta = await s.store.getJson(META_KEY, MetaSchema).catch(() => undefined);
        // Never built (a folder from before search, or a new index shape): everything waits for the first query.
        if (meta?.version !== INDEX_VERSION) return { ok: true, sessions: live.size, missing, orphaned: [], stale, pending: [...live], damagedRuns: [] };
        const pending = (await s.store.list("search/dirty/")).map((key) => key.slice("search/dirty/".length));
        const orphaned = segmentIds.filter((id) => !live.has(id) && !pending.includes(id));
        const checked = await verifyRuns(s);
        for (const id of live) {
          if (pending.includes(id)) continue;
          const stored = await readStoredSegment(s.store, id);
          if (stored === undefined || !checked.indexed.has(id)) {
            missing.push(id);
            continue;
          }
          const built = await readSessionDocs(s, id);
          if (built === undefined || JSON.stringify(built.stored) !== JSON.stringify(stored)) stale.push(id);
        }
        const damagedRuns = checked.damaged;
        return { ok: missing.length + orphaned.length + stale.length + damagedRuns.length === 0, sessions: live.size, missing, orphaned, stale, pending, damagedRuns };
      },
      async repair() {
        const s = mustStorage();
        await ready();
        const keys = [...(await s.store.list("search/segments/")), ...(await s.store.list("search/dirty/")), ...(await s.store.list("search/runs/")), ...(await s.store.list("search/docs/"))];
        await s.store.transaction(async (tx) => {
          for (const key of keys) tx.delete(key);
          tx.delete(META_KEY);
          tx.delete(MANIFEST_KEY);
        });
        metaPending = true;
        runs.clear();
        adopt.clear();
        const live = await liveIds();
        markDirty(live);
        await refresh();
        return { sessions: live.size };
      },
      methods: {
        "search.query": defineMethod(SearchQueryParamsSchema, (params) => feature.query(params)),
        "search.verify": defineMethod(NoParams, () => feature.verify()),
        "search.repair": defineMethod(NoParams, () => feature.repair()),
      },
      async start() {
        // A long-lived engine catches up on what changed while it was closed, off the query path.
        if (context.background && storage !== undefined) void refresh().catch(warn);
      },
      async stop() {
        stopped = true;
        if (timer !== undefined) context.host.timers.clearTimeout(timer);
        timer = undefined;
        await chain.catch(() => undefined);
      },
    };
    return feature;
  };
}
