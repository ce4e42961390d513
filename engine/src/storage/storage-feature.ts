import * as z from "zod";
import { defineMethod } from "../bridge/index.ts";
import { SessionStatusSchema } from "../domain/index.ts";
import type { EngineContext, Feature, FeatureFactory } from "../engine/index.ts";
import { createStorage, type OpenedStorage } from "./create-storage.ts";
import { createFileAdapter } from "./file-adapter.ts";
import { claimOwnerLock, readOnlyAdapter } from "./folder-owner.ts";
import { LIBRARY_CHANGED_EVENT } from "./library-events.ts";
import type { GcReport, KvAdapter, ListFilter, RepairReport, VerifyReport } from "./types.ts";

/** Bridge params for listing sessions (`session.list` validates with this). */
export const ListFilterSchema = z
  .object({
    status: SessionStatusSchema.optional(),
    statuses: z.array(SessionStatusSchema).max(4).optional(),
    startAfter: z.number().optional(),
    startBefore: z.number().optional(),
    tags: z.array(z.string().max(200)).max(50).optional(),
    topicIds: z.array(z.string().max(200)).max(50).optional(),
    limit: z.number().int().min(0).max(10_000).optional(),
    offset: z.number().int().min(0).optional(),
  })
  .strict();

/** Default age below which GC leaves an unreferenced attachment alone (a capture may be about to reference it). */
export const GC_GRACE_MS = 60 * 60 * 1000;

/**
 * What `ctx.features.get("storage")` returns: the feature, which is also the
 * opened {@link OpenedStorage} (`store`, `sessions`, `attachments`, `queue`,
 * `verify`, `repair`), plus `gc()` and `storage` for explicit access.
 */
export type StorageFeature = Feature &
  OpenedStorage & {
    readonly name: "storage";
    readonly storage: OpenedStorage;
    /** Removes unreferenced attachments older than `olderThanMs` (default one hour). */
    gc(olderThanMs?: number): Promise<GcReport>;
  };

export interface StorageFeatureOptions {
  /** The adapter to open; default the file adapter over `host.files` at the data root. */
  readonly adapter?: (context: EngineContext) => KvAdapter;
  /**
   * Read committed state only: no owner lock, no recovery, every write refused
   * (`storage.read_only`). For read commands while another process owns the folder.
   */
  readonly readOnly?: boolean;
}

/**
 * The storage feature. It opens storage (journal recovery, list index) while
 * the engine is being composed, so every later feature finds it ready; `stop`
 * flushes the persistence queue.
 */
export function createStorageFeature(options: StorageFeatureOptions = {}): FeatureFactory {
  return async (context) => {
    const { host } = context;
    const opened = options.adapter?.(context) ?? createFileAdapter({ files: host.files, crypto: host.crypto, root: "" });
    const adapter = options.readOnly === true ? readOnlyAdapter(opened) : opened;
    // One writer per data folder: the lock is held from before recovery until after the last flush.
    const ownerLock = options.readOnly === true ? undefined : await claimOwnerLock(host);
    const storage = await createStorage({
      host,
      adapter,
      onProblem: (problem) => context.emit("storage.problem", problem),
      onLibraryChange: (change) => context.emit(LIBRARY_CHANGED_EVENT, change),
    }).catch(async (error: unknown) => {
      await ownerLock?.release?.();
      throw error;
    });
    if (storage.recovery.rolledForward + storage.recovery.rolledBack > 0) context.logger.info("storage recovered interrupted commits", { ...storage.recovery });
    const gc = (olderThanMs = GC_GRACE_MS): Promise<GcReport> => storage.attachments.deleteOrphanedAttachments(host.clock.now() - olderThanMs);
    const feature: StorageFeature = {
      ...storage,
      name: "storage",
      storage,
      gc,
      methods: {
        "storage.verify": defineMethod(z.object({ blobs: z.boolean().optional() }).strict(), (params): Promise<VerifyReport> => storage.verify({ blobs: params.blobs })),
        "storage.repair": defineMethod(z.object({}).strict(), (): Promise<RepairReport> => storage.repair()),
        "storage.gc": defineMethod(z.object({ olderThanMs: z.number().int().min(0).optional() }).strict(), (params) => gc(params.olderThanMs)),
      },
      async stop() {
        try {
          await storage.close();
        } finally {
          await ownerLock?.release?.();
        }
      },
    };
    return feature;
  };
}

/** Lists sessions for `session.list` (newest first, from the index). */
export function listSessions(storage: Pick<OpenedStorage, "sessions">, filter: ListFilter = {}) {
  return storage.sessions.listMetadata(filter);
}
