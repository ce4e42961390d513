/**
 * Storage: the engine's durable state.
 *
 * ```ts
 * const storage = await createStorage({ host, adapter: createFileAdapter({ files: host.files, crypto: host.crypto }) });
 * await storage.sessions.saveMetadata({ ... });
 * await storage.store.putJson("jobs/abc.json", job);           // any feature's own records
 * await storage.store.transaction(async (tx) => { tx.putJson(a, x); tx.delete(b); });
 * ```
 *
 * Layers, bottom up:
 * - {@link KvAdapter}: file system (through the host port), IndexedDB (idb-keyval), memory.
 *   `commit(ops)` is all-or-nothing across a crash (the file adapter journals).
 * - {@link PersistenceQueue}: every write is queued; writes to one key coalesce; one
 *   group commit carries whatever is pending; a promise resolves once durable.
 * - {@link Store}: get/put/delete/list/transaction over the queue — the seam other
 *   features persist through. Keys are `/`-separated `[A-Za-z0-9._-]` names; the
 *   folders `journal/` and `quarantine/` are reserved.
 * - {@link SessionStorage}, {@link AttachmentStorage}: the session layout on top.
 *
 * Key layout: `sessions/metadata/{id}.json`, `sessions/metadata/index.json`,
 * `screenshots/{id}/{n}.json`, `audio/{id}/{n}.json` (+ `pack.json` once a session
 * ends), `summaries/{id}.json`, `videos/{id}.json`, `attachments/blobs/{sha256}.dat`,
 * `attachments/metadata/{sha256}.json`, `legacy/v1/` (migration), `quarantine/`.
 *
 * In the engine, `ctx.features.get("storage")` is a {@link StorageFeature}: the
 * opened storage itself (`store`, `sessions`, `attachments`, `queue`, `verify`,
 * `repair`, `close`) plus `gc(olderThanMs)`. Capture code hands items over
 * without awaiting each one: every append joins the next group commit.
 * References: a record (`appendScreenshot`, `appendAudioSegment`, `saveVideo`)
 * takes its attachment's reference in its own commit; never count by hand.
 */
export type * from "./types.ts";
export { createStorage, type CreateStorageOptions, type OpenedStorage } from "./create-storage.ts";
export { createFileAdapter, type FileAdapterOptions } from "./file-adapter.ts";
export { createIndexedDbAdapter, type IndexedDbAdapterOptions } from "./indexeddb-adapter.ts";
export { createMemoryAdapter } from "./memory-adapter.ts";
export { isValidKey, mustBeSessionId, mustBeAttachmentId, toStorageError } from "./keys.ts";
export { matchesFilter } from "./list-index.ts";
export { createStorageFeature, listSessions, ListFilterSchema, GC_GRACE_MS, type StorageFeature, type StorageFeatureOptions } from "./storage-feature.ts";
export {
  getImportReport,
  importSessions,
  recoverUnfinishedImports,
  type ImportedMedia,
  type ImportMediaSource,
  type ImportSessionsOptions,
  type MediaLookup,
  type SessionImportReport,
} from "./migration.ts";
export { PENDING_SEGMENT } from "./import-pending.ts";
export { planSession, type MediaRole, type NotImported } from "./import-mapping.ts";
export { v1Schemas, type V1Session } from "./import-schemas.ts";
export { applyRetention, sessionsPastRetention, type RetentionReport } from "./retention.ts";
export { LIBRARY_CHANGED_EVENT, LibraryChangeSchema, type LibraryChange } from "./library-events.ts";
export { OWNER_LOCK_PATH, claimOwnerLock, readOnlyAdapter } from "./folder-owner.ts";
