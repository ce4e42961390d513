import { EngineError } from "../bridge/index.ts";
import type { HostPort } from "../host/index.ts";
import { AttachmentInfoSchema, AttachmentSchema, type Attachment, type AttachmentInfo } from "../domain/index.ts";
import { attachmentIdFromBlobKey, attachmentIdFromMetaKey, attachmentMetaKey, blobKey, mustBeAttachmentId, mustBeSessionId, toStorageError } from "./keys.ts";
import { createLru } from "./lru.ts";
import { encodeJson, type InternalStore } from "./store.ts";
import type { AttachmentStorage, ExternalBlob, GcReport, KvOp, SaveAttachmentOptions } from "./types.ts";

export interface AttachmentInternals {
  /** The attachment as queued or stored (cached). */
  read(attachmentId: string): Promise<Attachment | undefined>;
  /** Adds or removes one session's reference in memory; returns the op to commit, or none when unchanged. */
  reference(attachment: Attachment, sessionId: string, add: boolean): { attachment: Attachment; op?: KvOp };
  remember(attachment: Attachment): void;
  forget(): void;
  /** Queues every deferred metadata write (GC and verify call this under the lock before scanning). */
  persistDeferred(): Promise<void>;
  /** Why a save that did not wait for durability failed, so the record that follows reports the real cause. */
  failureOf(attachmentId: string): unknown;
}

export interface AttachmentDeps {
  readonly host: HostPort;
  readonly store: InternalStore;
  readonly lock: <T>(task: () => Promise<T>) => Promise<T>;
  /** Attachment ids referenced by any session record (recomputed, not trusted from refcounts). */
  readonly liveReferences: () => Promise<Map<string, Set<string>>>;
  /** Attachment ids that quarantined records still name: gc never deletes them. */
  readonly quarantinedNames?: () => Promise<ReadonlySet<string>>;
  readonly cacheBytes?: number;
}

/** Content-addressed attachments: blob at `attachments/blobs/{sha256}.dat`, metadata beside it. */
export function createAttachmentStorage(deps: AttachmentDeps): AttachmentStorage & { readonly internals: AttachmentInternals } {
  const { host, store, lock } = deps;
  const metaCache = createLru<Attachment>(20_000, () => 1);
  const blobCache = createLru<Uint8Array>(deps.cacheBytes ?? 64 * 1024 * 1024, (bytes) => bytes.length);
  /**
   * Metadata of attachments whose blob is durable but whose metadata write
   * waits for the record that uses it, so the two writes (created, then
   * referenced) become one. Written on their own within a second otherwise.
   * A crash in between leaves a blob without metadata, which GC collects.
   */
  const deferred = new Map<string, Attachment>();
  const failures = createLru<unknown>(256, () => 1);

  const internals: AttachmentInternals = {
    async read(attachmentId) {
      const waiting = deferred.get(attachmentId);
      if (waiting !== undefined) return waiting;
      const cached = metaCache.get(attachmentId);
      if (cached !== undefined) return cached;
      const found = await store.getJson(attachmentMetaKey(attachmentId), AttachmentSchema);
      if (found !== undefined) metaCache.set(attachmentId, found);
      return found;
    },
    reference(attachment, sessionId, add) {
      const has = attachment.referencedBy.includes(sessionId);
      const wasDeferred = deferred.delete(attachment.id);
      if (has === add) return wasDeferred ? { attachment, op: { type: "put", key: attachmentMetaKey(attachment.id), value: encodeJson(attachment) } } : { attachment };
      const referencedBy = add ? [...attachment.referencedBy, sessionId].sort() : attachment.referencedBy.filter((id) => id !== sessionId);
      const next = { ...attachment, referencedBy, refCount: referencedBy.length };
      metaCache.set(next.id, next);
      return { attachment: next, op: { type: "put", key: attachmentMetaKey(next.id), value: encodeJson(next) } };
    },
    remember(attachment) {
      metaCache.set(attachment.id, attachment);
    },
    forget() {
      metaCache.clear();
      blobCache.clear();
    },
    failureOf(attachmentId) {
      return failures.get(attachmentId);
    },
    async persistDeferred() {
      const ops: KvOp[] = [...deferred.values()].map((attachment) => ({ type: "put", key: attachmentMetaKey(attachment.id), value: encodeJson(attachment) }));
      deferred.clear();
      if (ops.length > 0) await store.commitOps(ops, { priority: "critical" });
    },
  };
  store.queue.onFailure(() => internals.forget());

  function describe(id: string, size: number, info: AttachmentInfo): Attachment {
    const now = host.clock.now();
    return { id, contentHash: id, storageKey: blobKey(id), refCount: 0, referencedBy: [], ...AttachmentInfoSchema.parse(info), size, createdAt: now, lastAccessedAt: now };
  }

  /**
   * Under the lock: creates or reuses the metadata and returns the ops to commit.
   * No reference is taken here: the record that uses the attachment takes it
   * in its own commit, so a crash in between leaves an unreferenced attachment
   * (collected by GC) rather than a count the records do not back.
   */
  async function adopt(id: string, size: number, info: AttachmentInfo, blobOp: KvOp | undefined): Promise<{ attachment: Attachment; ops: KvOp[] }> {
    const ops: KvOp[] = [];
    let attachment = await internals.read(id);
    if (attachment === undefined) {
      attachment = describe(id, size, info);
      if (blobOp !== undefined) ops.push(blobOp);
      ops.push({ type: "put", key: attachmentMetaKey(id), value: encodeJson(attachment) });
      metaCache.set(id, attachment);
    } else if (blobOp !== undefined && (await store.adapter.size?.(blobKey(id))) === undefined && store.queue.peek(blobKey(id)) === undefined) {
      ops.push(blobOp); // metadata without its blob: heal with the bytes we were given
    }
    return { attachment, ops };
  }

  const storage: AttachmentStorage & { readonly internals: AttachmentInternals } = {
    internals,
    blobKey,
    async saveAttachment(bytes, info, options: SaveAttachmentOptions = {}) {
      if (options.sessionId !== undefined) mustBeSessionId(options.sessionId);
      const id = await host.crypto.sha256(bytes);
      const { attachment, done } = await lock(async () => {
        const epoch = store.queue.epoch;
        const { attachment, ops } = await adopt(id, bytes.length, info, { type: "put", key: blobKey(id), value: bytes });
        const blobOps = ops.filter((op) => op.key === blobKey(id));
        const created = ops.some((op) => op.key === attachmentMetaKey(id));
        if (blobOps.length === 0 || !created) {
          return { attachment, done: ops.length === 0 ? store.queue.flushKey(attachmentMetaKey(id)) : store.commitOps(ops, { priority: options.priority, epoch }) };
        }
        // New content: the blob now, its metadata with the first record that uses it.
        deferred.set(id, attachment);
        const blobDone = store.commitOps(blobOps, { priority: options.priority, epoch });
        void blobDone.then(
          () => host.timers.setTimeout(() => void lock(async () => {
            const waiting = deferred.get(id);
            if (waiting === undefined) return;
            deferred.delete(id);
            await store.commitOps([{ type: "put", key: attachmentMetaKey(id), value: encodeJson(waiting) }], { priority: "low" });
          }).catch(() => undefined), 1000),
          (error: unknown) => {
            deferred.delete(id);
            failures.set(id, error);
          },
        );
        failures.delete(id);
        return { attachment, done: blobDone };
      });
      if (options.durable === false) done.catch((error: unknown) => failures.set(id, error));
      else await done;
      return attachment;
    },
    async registerExternalBlob(blob: ExternalBlob, info, options: SaveAttachmentOptions = {}) {
      const id = mustBeAttachmentId(blob.sha256);
      if (options.sessionId !== undefined) mustBeSessionId(options.sessionId);
      if (!blob.nativeHashed) {
        let actual;
        try {
          actual = await host.crypto.sha256File(blob.path);
        } catch (error) {
          throw toStorageError(error, `hashing ${blob.path}`);
        }
        if (actual.sha256 !== id || actual.size !== blob.size) {
          throw new EngineError("storage.checksum_mismatch", `captured file does not match its digest: ${blob.path}`, { data: { expected: id, actual: actual.sha256, size: actual.size } });
        }
      }
      const { attachment, done } = await lock(async () => {
        const epoch = store.queue.epoch;
        const stored = (await store.adapter.size?.(blobKey(id))) !== undefined || store.queue.peek(blobKey(id)) !== undefined;
        let blobOp: KvOp | undefined;
        try {
          if (stored) await host.files.remove(blob.path);
          else if (store.adapter.adoptFile !== undefined) await store.adapter.adoptFile(blob.path, blobKey(id), { deferDirFlush: true });
          else blobOp = { type: "put", key: blobKey(id), value: await host.files.read(blob.path) };
        } catch (error) {
          throw toStorageError(error, `adopting ${blob.path}`);
        }
        const { attachment, ops } = await adopt(id, blob.size, info, blobOp);
        const done = (ops.length === 0 ? store.queue.flushKey(attachmentMetaKey(id)) : store.commitOps(ops, { priority: options.priority, epoch })).then(async () => {
          if (blobOp !== undefined) await host.files.remove(blob.path).catch(() => undefined);
        });
        return { attachment, done };
      });
      if (options.durable === false) done.catch((error: unknown) => failures.set(id, error));
      else await done;
      return attachment;
    },
    async getAttachment(attachmentId) {
      return internals.read(mustBeAttachmentId(attachmentId));
    },
    async loadAttachment(attachmentId) {
      const id = mustBeAttachmentId(attachmentId);
      const cached = blobCache.get(id);
      if (cached !== undefined) return cached.slice();
      const bytes = await store.get(blobKey(id));
      if (bytes === undefined) throw new EngineError("storage.blob_missing", `attachment ${id} has no blob`, { data: { attachmentId: id } });
      const actual = await host.crypto.sha256(bytes);
      if (actual !== id) throw new EngineError("storage.checksum_mismatch", `attachment ${id} fails its hash`, { data: { attachmentId: id, actual } });
      blobCache.set(id, bytes);
      return bytes.slice();
    },
    async incrementRefCount(attachmentId, sessionId) {
      return changeRef(attachmentId, sessionId, true);
    },
    async decrementRefCount(attachmentId, sessionId) {
      return changeRef(attachmentId, sessionId, false);
    },
    async deleteOrphanedAttachments(olderThan) {
      return lock(async () => {
        await internals.persistDeferred();
        await store.flush();
        const live = await deps.liveReferences();
        const named = (await deps.quarantinedNames?.()) ?? new Set<string>();
        const metaKeys = await store.list("attachments/metadata/");
        const blobKeys = await store.list("attachments/blobs/");
        const described = new Set<string>();
        const ops: KvOp[] = [];
        let freedBytes = 0;
        let kept = 0;
        for (const key of metaKeys) {
          const id = attachmentIdFromMetaKey(key);
          if (id === undefined) continue;
          described.add(id);
          let attachment: Attachment | undefined;
          try {
            attachment = await internals.read(id);
          } catch {
            // Unreadable metadata says nothing about who uses the blob: keep both until repair rebuilds it.
            kept++;
            continue;
          }
          const referenced = live.has(id) || named.has(id) || (attachment !== undefined && (attachment.refCount > 0 || attachment.referencedBy.length > 0));
          const old = attachment === undefined || attachment.createdAt < olderThan;
          if (referenced || !old) {
            kept++;
            continue;
          }
          freedBytes += attachment?.size ?? 0;
          ops.push({ type: "delete", key }, { type: "delete", key: blobKey(id) });
        }
        for (const key of blobKeys) {
          const id = attachmentIdFromBlobKey(key);
          // A blob without metadata was adopted by a write that never committed.
          if (id === undefined || described.has(id) || live.has(id) || named.has(id)) continue;
          freedBytes += (await store.adapter.size?.(key)) ?? 0;
          ops.push({ type: "delete", key });
        }
        if (ops.length > 0) {
          await store.commitOps(ops, { priority: "critical" });
          internals.forget();
        }
        return { removed: ops.filter((op) => op.key.startsWith("attachments/blobs/")).length, freedBytes, kept } satisfies GcReport;
      });
    },
  };

  async function changeRef(attachmentId: string, sessionId: string, add: boolean): Promise<Attachment> {
    const id = mustBeAttachmentId(attachmentId);
    mustBeSessionId(sessionId);
    const { attachment, done } = await lock(async () => {
      const epoch = store.queue.epoch;
      const current = await internals.read(id);
      if (current === undefined) throw new EngineError("storage.not_found", `no attachment ${id}`);
      const { attachment, op } = internals.reference(current, sessionId, add);
      return { attachment, done: op === undefined ? store.queue.flushKey(attachmentMetaKey(id)) : store.commitOps([op], { epoch }) };
    });
    await done;
    return attachment;
  }

  return storage;
}
