import type { HostPort } from "../host/index.ts";
import { SessionMetadataSchema, type SessionMetadata } from "../domain/index.ts";
import { createAttachmentStorage } from "./attachment-storage.ts";
import { hex } from "./file-adapter.ts";
import { INDEX_KEY, sessionIdFromMetadataKey } from "./keys.ts";
import { openLazyList } from "./list-head.ts";
import { createListIndex, parseListIndex, type ListIndex } from "./list-index.ts";
import { createMutex } from "./mutex.ts";
import { createPersistenceQueue } from "./persistence-queue.ts";
import { readQuarantine } from "./quarantine-evidence.ts";
import { collectReferences, type SessionCore } from "./session-reads.ts";
import { createSessionStorage } from "./session-storage.ts";
import { createStore, encodeJson, type InternalStore } from "./store.ts";
import { verifyStorage } from "./integrity.ts";
import { repairStorage } from "./repair.ts";
import type { IntegrityProblem, KvAdapter, Storage } from "./types.ts";
import type { LibraryChange } from "./library-events.ts";

export interface CreateStorageOptions {
  readonly host: HostPort;
  /** An adapter from `createFileAdapter`, `createIndexedDbAdapter` or `createMemoryAdapter`. */
  readonly adapter: KvAdapter;
  /** Bytes the attachment LRU may hold. Default 64 MiB. */
  readonly attachmentCacheBytes?: number;
  /** How long a low-priority write may wait for a group commit. Default 1000 ms. */
  readonly lowPriorityDelayMs?: number;
  /** Called for every integrity problem met while reading (the feature turns these into events). */
  readonly onProblem?: (problem: IntegrityProblem) => void;
  /** Called after every durable change to a session's list entry (added, changed, deleted). */
  readonly onLibraryChange?: (change: LibraryChange) => void;
}

export type OpenedStorage = Storage & { readonly sessions: ReturnType<typeof createSessionStorage> };

/** Opens storage: recovers interrupted commits, loads (or rebuilds) the list index, starts the persistence queue. */
export async function createStorage(options: CreateStorageOptions): Promise<OpenedStorage> {
  const { host, adapter } = options;
  const recovery = await adapter.recover();
  const queue = createPersistenceQueue({ adapter, timers: host.timers, lowPriorityDelayMs: options.lowPriorityDelayMs });
  const store = createStore(adapter, queue);
  const lock = createMutex();
  const index = createListIndex({ generation: () => hex(host.crypto.randomBytes(8)) });
  let resetAttachments = () => {};
  let indexStale = false;
  let persistDeferred = async () => {};
  const core: SessionCore = {
    host,
    store,
    lock,
    index,
    metaCache: new Map(),
    tailCache: new Map(),
    report(problem) {
      host.log.write("warn", "storage problem", { kind: problem.kind, key: problem.key });
      options.onProblem?.(problem);
    },
    persistDeferred: () => persistDeferred(),
    notify(change) {
      try {
        options.onLibraryChange?.(change);
      } catch (error) {
        host.log.write("warn", "library change listener failed", { error: String(error) });
      }
    },
    async refreshIndex(options) {
      if (indexStale) {
        indexStale = false;
        await loadIndex(store, index, host);
      }
      if (options?.forList !== true) await index.ensureLoaded();
    },
    resetCaches() {
      core.metaCache.clear();
      core.tailCache.clear();
      resetAttachments();
    },
  };
  queue.onFailure(() => {
    core.metaCache.clear();
    core.tailCache.clear();
    indexStale = true;
  });
  const attachments = createAttachmentStorage({
    host,
    store,
    lock,
    cacheBytes: options.attachmentCacheBytes,
    liveReferences: async () => (await collectReferences(core, { inLock: true })).references,
    quarantinedNames: async () => new Set((await readQuarantine(core)).namedIds.keys()),
  });
  resetAttachments = () => attachments.internals.forget();
  persistDeferred = () => attachments.internals.persistDeferred();
  const wired = createSessionStorage(core, attachments.internals);
  await openIndex(store, index, host);

  return {
    store,
    sessions: wired,
    attachments,
    queue,
    adapter,
    recovery,
    verify: (verifyOptions) => verifyStorage(core, verifyOptions),
    repair: () => repairStorage(core),
    async close() {
      await lock(() => persistDeferred());
      await queue.flush();
      await adapter.close();
    },
  };
}

/**
 * Opens the list index from its head when the file has one and the adapter
 * reads ranges (a new process lists without parsing every entry), else loads it whole.
 */
async function openIndex(store: InternalStore, index: ListIndex, host: HostPort): Promise<void> {
  const { adapter } = store;
  // Without ranged reads the head saves nothing: the whole file is read either way.
  const lazy = adapter.getRanges === undefined ? undefined : await openLazyList((ranges) => adapter.getRanges!(INDEX_KEY, ranges));
  if (lazy === undefined) return loadIndex(store, index, host);
  index.openLazily(lazy, () => loadIndex(store, index, host));
}

/** Loads the list index, rebuilding it from the metadata files when it is missing or unreadable. */
async function loadIndex(store: InternalStore, index: ListIndex, host: HostPort): Promise<void> {
  try {
    const loaded = await store.getJson(INDEX_KEY, { parse: parseListIndex });
    if (loaded !== undefined) {
      index.load(loaded);
      return;
    }
  } catch {
    host.log.write("warn", "session index unreadable; rebuilding it from the metadata files");
  }
  const entries: SessionMetadata[] = [];
  for (const key of await store.list("sessions/metadata/")) {
    if (sessionIdFromMetadataKey(key) === undefined) continue;
    try {
      const metadata = await store.getJson(key, SessionMetadataSchema);
      if (metadata !== undefined) entries.push(metadata);
    } catch {
      // verify() reports and quarantines it; listing goes on without it.
    }
  }
  const produce = index.replaceAll(entries);
  if (entries.length === 0) return;
  try {
    await store.commitOps([{ type: "lazy", key: INDEX_KEY, produce }], { priority: "critical" });
  } catch (error) {
    // A read-only open lists from the rebuilt index without persisting it.
    if ((error as { code?: string }).code !== "storage.read_only") throw error;
  }
}

