import * as z from "zod";
import { defineMethod, EngineError } from "../bridge/index.ts";
import type { EngineContext, Feature, FeatureFactory } from "../engine/index.ts";
import type { OpenedStorage } from "../storage/index.ts";
import { parseQuery } from "./query.ts";
import { createSearchIndex, type SearchResult } from "./search-index.ts";
import { dirtyKey, dirtyOps, INDEX_VERSION, loadSegment, META_KEY, MetaSchema, readSessionDocs, segmentKey } from "./search-store.ts";

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
export function createSearchFeature(options: { readonly readOnly?: boolean } = {}): FeatureFactory {
  const readOnly = options.readOnly === true;
  return (context: EngineContext) => {
    const storage = context.features.get("storage") as OpenedStorage | undefined;
    const index = createSearchIndex();
    const dirty = new Map<string, number>();
    let generation = 0;
    let loaded: Promise<void> | undefined;
    let timer: number | undefined;
    let stopped = false;
    let metaPending = false;

    const mustStorage = (): OpenedStorage => {
      if (storage === undefined) throw new EngineError("search.unavailable", "search needs storage");
      return storage;
    };

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
          ops.delete(dirtyKey(sessionId));
        },
        settled(sessionId, deleted) {
          deleting.delete(sessionId);
          if (!deleted) return;
          index.remove(sessionId);
          dirty.delete(sessionId);
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
      if (meta?.version !== INDEX_VERSION) {
        // A first start (or a new index shape): index every session from its records.
        // The version is written once every session is in: until then `verify` counts them as pending.
        markDirty(live);
        metaPending = true;
        return;
      }
      const liveSet = new Set(live);
      const segmentIds = (await s.store.list("search/segments/")).map((key) => key.slice("search/segments/".length).replace(/\.json$/, ""));
      const marked = (await s.store.list("search/dirty/")).map((key) => key.slice("search/dirty/".length));
      markDirty(marked);
      const present = new Set<string>();
      for (const id of segmentIds) {
        if (!liveSet.has(id)) {
          markDirty([id]);
          continue;
        }
        const found = await loadSegment(s, id);
        if (found === undefined) markDirty([id]);
        else {
          index.put(found.segment);
          present.add(id);
        }
      }
      markDirty(live.filter((id) => !present.has(id)));
    }

    const ready = () => (loaded ??= load().catch((error: unknown) => {
      loaded = undefined;
      throw error;
    }));

    async function indexOne(id: string): Promise<void> {
      const s = mustStorage();
      const seen = dirty.get(id);
      const built = await readSessionDocs(s, id);
      // A change that committed while this one read its records keeps its mark.
      const clean = dirty.get(id) === seen;
      // Beside another owner the index lives in memory only: that owner persists its own.
      if (!readOnly) {
        const tx = s.store.beginTransaction();
        if (built === undefined) tx.delete(segmentKey(id));
        else tx.putJson(segmentKey(id), built.stored);
        if (clean) tx.delete(dirtyKey(id));
        await tx.commit();
      }
      if (built === undefined) index.remove(id);
      else index.put(built.segment);
      if (clean && dirty.get(id) === seen) dirty.delete(id);
    }

    async function refreshOnce(): Promise<number> {
      await ready();
      let count = 0;
      while (dirty.size > 0) {
        const batch = [...dirty.keys()];
        for (const id of batch) {
          await indexOne(id);
          count++;
        }
        if (batch.every((id) => dirty.has(id))) break; // nothing could be cleared: do not spin
      }
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

    const feature: SearchFeature = {
      name: "search",
      async query(params) {
        const parsed = parseQuery(params.query, { utcOffsetMinutes: params.utcOffsetMinutes });
        await refresh();
        const live = await liveIds();
        return index.search(parsed, { limit: params.limit, perSession: params.perSession, isLive: (id) => live.has(id) });
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
        if (meta?.version !== INDEX_VERSION) return { ok: true, sessions: live.size, missing, orphaned: [], stale, pending: [...live] };
        const pending = (await s.store.list("search/dirty/")).map((key) => key.slice("search/dirty/".length));
        const orphaned = segmentIds.filter((id) => !live.has(id) && !pending.includes(id));
        for (const id of live) {
          if (pending.includes(id)) continue;
          const stored = await s.store.getJson(segmentKey(id), z.unknown()).catch(() => undefined);
          if (stored === undefined) {
            missing.push(id);
            continue;
          }
          const built = await readSessionDocs(s, id);
          if (built === undefined || JSON.stringify(built.stored) !== JSON.stringify(stored)) stale.push(id);
        }
        return { ok: missing.length + orphaned.length + stale.length === 0, sessions: live.size, missing, orphaned, stale, pending };
      },
      async repair() {
        const s = mustStorage();
        await ready();
        const keys = [...(await s.store.list("search/segments/")), ...(await s.store.list("search/dirty/"))];
        await s.store.transaction(async (tx) => {
          for (const key of keys) tx.delete(key);
          tx.delete(META_KEY);
        });
        metaPending = true;
        index.clear();
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
