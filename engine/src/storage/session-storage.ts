import * as z from "zod";
import { EngineError } from "../bridge/index.ts";
import {
  EMPTY_CHUNK_REFS,
  SessionAudioSegmentSchema,
  SessionMetadataSchema,
  SessionScreenshotSchema,
  SummaryRecordSchema,
  VideoRecordSchema,
  type SessionMetadata,
  type SessionMetadataInput,
} from "../domain/index.ts";
import type { AttachmentInternals } from "./attachment-storage.ts";
import { chunkIndexOf, encodeChunk, type StoredChunk } from "./chunks.ts";
import { INDEX_KEY, metadataKey, mustBeAttachmentId, mustBeSessionId, mustBeValidKey, summaryKey, videoKey } from "./keys.ts";
import type { QueuedOp } from "./persistence-queue.ts";
import { chunkKeyOf, mustReadMetadata, readChunk, readItems, readMetadata, type ItemKind, type SessionCore } from "./session-reads.ts";
import { buildPacks, packKey } from "./session-pack.ts";
import { encodeJson } from "./store.ts";
import type { CascadeOps, DeleteCascade, ItemRange, SessionStorage, WriteOptions } from "./types.ts";
import { APPEND_CHANGE_INTERVAL_MS, type LibraryChange } from "./library-events.ts";

function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError("storage.schema_invalid", `invalid ${what}: ${issue === undefined ? "" : `${issue.path.join(".")} ${issue.message}`}`);
  }
  return parsed.data;
}

/** Sessions, chunked: metadata + list index, screenshot and audio chunks, summary and video records. */
export function createSessionStorage(core: SessionCore, attachments: AttachmentInternals): SessionStorage & { saveMetadataMany(list: readonly SessionMetadataInput[]): Promise<SessionMetadata[]> } {
  const { host, store, lock, index } = core;
  const lastAppendNotice = new Map<string, number>();
  const cascades = new Set<DeleteCascade>();
  const announce = (kind: LibraryChange["kind"], sessionId: string, entry?: SessionMetadata) => {
    if (kind === "deleted") lastAppendNotice.delete(sessionId);
    core.notify?.(entry === undefined ? { kind, sessionId } : { kind, sessionId, entry });
  };
  /** Appends arrive every second while recording: announce at most one change per interval per session. */
  const announceAppend = (entry: SessionMetadata) => {
    const at = host.clock.elapsed();
    const last = lastAppendNotice.get(entry.id);
    if (last !== undefined && at - last < APPEND_CHANGE_INTERVAL_MS) return;
    lastAppendNotice.set(entry.id, at);
    announce("changed", entry.id, entry);
  };

  /** Runs a read-modify-write under the lock and waits for durability outside it, so appends queue up behind one flush. */
  async function mutate<T>(body: (epoch: number) => Promise<{ result: T; ops: QueuedOp[]; priority?: WriteOptions["priority"] }>): Promise<T> {
    const { result, done } = await lock(async () => {
      await core.refreshIndex();
      const epoch = store.queue.epoch;
      const { result, ops, priority } = await body(epoch);
      return { result, done: ops.length === 0 ? Promise.resolve() : store.commitOps(ops, { priority, epoch }) };
    });
    await done;
    return result;
  }

  function prepareMetadata(input: SessionMetadataInput, current: SessionMetadata | undefined): SessionMetadata {
    const parsed = parseInput(SessionMetadataSchema, input, "session metadata");
    return {
      ...parsed,
      screenshots: current?.screenshots ?? EMPTY_CHUNK_REFS,
      audio: current?.audio ?? EMPTY_CHUNK_REFS,
      hasSummary: current?.hasSummary ?? false,
      hasVideo: current?.hasVideo ?? false,
      sizeBytes: current?.sizeBytes ?? 0,
      updatedAt: host.clock.now(),
    };
  }

  async function currentOrUndefined(sessionId: string): Promise<SessionMetadata | undefined> {
    try {
      return await readMetadata(core, sessionId);
    } catch {
      return index.get(sessionId); // unreadable file: the index still knows the counts
    }
  }

  /**
   * The list index's part of a write that changes a session's entry. A finished session's
   * writes (import, enrichment, video) carry the index in the same commit; a recording
   * session's appends, one a second, update it in memory and the file with the session's next save.
   */
  function indexOpsFor(next: SessionMetadata): QueuedOp[] {
    if (next.status !== "completed" && next.status !== "interrupted") {
      index.touch(next);
      return [];
    }
    return [{ type: "lazy", key: INDEX_KEY, produce: index.set(next) }];
  }

  function metadataOps(metadata: SessionMetadata, produceIndex: () => Uint8Array): QueuedOp[] {
    core.metaCache.set(metadata.id, metadata);
    return [
      { type: "put", key: metadataKey(metadata.id), value: encodeJson(metadata) },
      { type: "lazy", key: INDEX_KEY, produce: produceIndex },
    ];
  }

  async function append<T extends { attachmentId: string }>(kind: ItemKind, sessionId: string, item: T, options: WriteOptions = {}): Promise<T> {
    mustBeSessionId(sessionId);
    mustBeAttachmentId(item.attachmentId);
    return mutate<{ item: T; next: SessionMetadata }>(async () => {
      const metadata = await mustReadMetadata(core, sessionId);
      const attachment = await attachments.read(item.attachmentId);
      if (attachment === undefined) {
        const failure = attachments.failureOf(item.attachmentId);
        if (failure !== undefined) throw failure; // its blob's write failed: that is the cause to report
        throw new EngineError("storage.not_found", `attachment ${item.attachmentId} is not stored; save or register it first`, { data: { attachmentId: item.attachmentId } });
      }
      const referenced = attachments.reference(attachment, sessionId, true);
      const refs = metadata[kind];
      const position = refs.itemCount;
      const chunkIndex = chunkIndexOf(position);
      const tailKey = `${kind}/${sessionId}`;
      let tail: StoredChunk<unknown> | undefined = core.tailCache.get(tailKey);
      if (tail?.chunkIndex !== chunkIndex && position % 20 !== 0) {
        const read = await readChunk<unknown>(core, kind, sessionId, chunkIndex, { inLock: true });
        tail = "chunk" in read ? read.chunk : undefined;
      }
      if (tail?.chunkIndex !== chunkIndex) tail = undefined;
      const now = host.clock.now();
      const encoded = await encodeChunk(host.crypto, { sessionId, chunkIndex, items: [...(tail?.items ?? []), item], createdAt: tail?.createdAt ?? now, updatedAt: now });
      core.tailCache.set(tailKey, encoded.chunk);
      const sizeBytes = metadata.sizeBytes + encoded.chunk.bytes - (tail?.bytes ?? 0) + (referenced.op === undefined ? 0 : attachment.size);
      const next: SessionMetadata = { ...metadata, [kind]: { ...refs, itemCount: position + 1, chunkCount: Math.max(refs.chunkCount, chunkIndex + 1) }, sizeBytes, updatedAt: now };
      core.metaCache.set(sessionId, next);
      const ops: QueuedOp[] = [
        { type: "put", key: chunkKeyOf(kind, sessionId, chunkIndex), value: encoded.bytes },
        { type: "put", key: metadataKey(sessionId), value: encodeJson(next) },
        ...indexOpsFor(next),
      ];
      if (referenced.op !== undefined) ops.push(referenced.op);
      if (metadata.status === "completed" || metadata.status === "interrupted") ops.push({ type: "delete", key: packKey(kind, sessionId) });
      return { result: { item, next }, ops, priority: options.priority };
    }).then(({ item: stored, next }) => {
      announceAppend(next);
      return stored;
    });
  }

  async function updateItems<T extends { sequenceNumber: number; attachmentId: string }>(kind: ItemKind, sessionId: string, updates: readonly T[], options: WriteOptions = {}): Promise<void> {
    mustBeSessionId(sessionId);
    if (updates.length === 0) return;
    await mutate(async () => {
      const metadata = await mustReadMetadata(core, sessionId);
      const wanted = new Map(updates.map((update) => [update.sequenceNumber, update]));
      const ops: QueuedOp[] = [];
      for (let chunkIndex = 0; chunkIndex < metadata[kind].chunkCount && wanted.size > 0; chunkIndex++) {
        const read = await readChunk<T>(core, kind, sessionId, chunkIndex, { inLock: true });
        if (!("chunk" in read)) continue;
        let changed = false;
        const items = read.chunk.items.map((item) => {
          const update = wanted.get(item.sequenceNumber);
          if (update === undefined) return item;
          if (update.attachmentId !== item.attachmentId) throw new EngineError("storage.schema_invalid", `an update may not change the attachment of item ${item.sequenceNumber}`);
          wanted.delete(item.sequenceNumber);
          changed = true;
          return update;
        });
        if (!changed) continue;
        const encoded = await encodeChunk(host.crypto, { sessionId, chunkIndex, items, createdAt: read.chunk.createdAt, updatedAt: host.clock.now() });
        if (core.tailCache.get(`${kind}/${sessionId}`)?.chunkIndex === chunkIndex) core.tailCache.set(`${kind}/${sessionId}`, encoded.chunk);
        ops.push({ type: "put", key: chunkKeyOf(kind, sessionId, chunkIndex), value: encoded.bytes });
      }
      if (wanted.size > 0) throw new EngineError("storage.not_found", `no ${kind} item with sequence number ${[...wanted.keys()].slice(0, 5).join(", ")}`);
      if (ops.length > 0) {
        ops.push({ type: "delete", key: packKey(kind, sessionId) });
        schedulePacks(sessionId);
      }
      return { result: undefined, ops, priority: options.priority };
    });
  }

  /** Rebuilds a finished session's packs a little later (debounced: enrichment rewrites items in bursts). */
  const packTimers = new Map<string, number>();
  function schedulePacks(sessionId: string): void {
    const pending = packTimers.get(sessionId);
    if (pending !== undefined) host.timers.clearTimeout(pending);
    packTimers.set(
      sessionId,
      host.timers.setTimeout(() => {
        packTimers.delete(sessionId);
        void buildPacks(core, sessionId).catch(() => undefined);
      }, 2000),
    );
  }

  /** Attachment ids this session's chunks use (for releasing references). */
  async function chunkReferences(sessionId: string): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const kind of ["screenshots", "audio"] as const) {
      for (const key of await store.list(`${kind}/${sessionId}/`)) {
        const match = /\/(\d+)\.json$/.exec(key);
        if (match === null) continue;
        const read = await readChunk<{ attachmentId: string }>(core, kind, sessionId, Number(match[1]), { inLock: true });
        if ("chunk" in read) for (const item of read.chunk.items) ids.add(item.attachmentId);
      }
    }
    return ids;
  }

  const storage = {
    async getMetadata(sessionId: string) {
      return readMetadata(core, mustBeSessionId(sessionId));
    },
    async mustGetMetadata(sessionId: string) {
      return mustReadMetadata(core, mustBeSessionId(sessionId));
    },
    async saveMetadata(input: SessionMetadataInput, options: WriteOptions = {}) {
      mustBeSessionId((input as { id?: unknown }).id);
      const { metadata: saved, existed } = await mutate(async () => {
        const current = await currentOrUndefined(input.id);
        const metadata = prepareMetadata(input, current);
        return { result: { metadata, existed: current !== undefined }, ops: metadataOps(metadata, index.set(metadata)), priority: options.priority ?? "critical" };
      });
      announce(existed ? "changed" : "added", saved.id, saved);
      if (saved.status === "completed" || saved.status === "interrupted") void buildPacks(core, saved.id).catch(() => undefined);
      return saved;
    },
    async saveMetadataMany(list: readonly SessionMetadataInput[]) {
      for (const input of list) mustBeSessionId((input as { id?: unknown }).id);
      const { saved, added } = await mutate(async () => {
        const saved: SessionMetadata[] = [];
        const added = new Set<string>();
        const ops: QueuedOp[] = [];
        for (const input of list) {
          const current = await currentOrUndefined(input.id);
          if (current === undefined) added.add(input.id);
          const metadata = prepareMetadata(input, current);
          core.metaCache.set(metadata.id, metadata);
          ops.push({ type: "put", key: metadataKey(metadata.id), value: encodeJson(metadata) });
          saved.push(metadata);
        }
        ops.push({ type: "lazy", key: INDEX_KEY, produce: index.setMany(saved) });
        return { result: { saved, added }, ops, priority: "critical" as const };
      });
      for (const metadata of saved) announce(added.has(metadata.id) ? "added" : "changed", metadata.id, metadata);
      return saved;
    },
    async updateMetadata(sessionId: string, update: (current: SessionMetadata) => SessionMetadataInput, options: WriteOptions = {}) {
      mustBeSessionId(sessionId);
      return mutate(async () => {
        const current = await mustReadMetadata(core, sessionId);
        const changed = update(current);
        if (changed.id !== sessionId) throw new EngineError("storage.schema_invalid", "updateMetadata may not change the id");
        const metadata = prepareMetadata(changed, current);
        return { result: metadata, ops: metadataOps(metadata, index.set(metadata)), priority: options.priority ?? "critical" };
      }).then((saved) => {
        announce("changed", saved.id, saved);
        if (saved.status === "completed" || saved.status === "interrupted") void buildPacks(core, saved.id).catch(() => undefined);
        return saved;
      });
    },
    async listMetadata(filter = {}) {
      await core.refreshIndex({ forList: true });
      return index.list(filter);
    },
    async appendScreenshot(sessionId: string, screenshot: unknown, options?: WriteOptions) {
      return append(kindScreenshots, sessionId, parseInput(SessionScreenshotSchema, screenshot, "screenshot"), options);
    },
    async appendAudioSegment(sessionId: string, segment: unknown, options?: WriteOptions) {
      return append(kindAudio, sessionId, parseInput(SessionAudioSegmentSchema, segment, "audio segment"), options);
    },
    async updateScreenshots(sessionId: string, updates: readonly unknown[], options?: WriteOptions) {
      return updateItems(kindScreenshots, sessionId, updates.map((u) => parseInput(SessionScreenshotSchema, u, "screenshot")), options);
    },
    async updateAudioSegments(sessionId: string, updates: readonly unknown[], options?: WriteOptions) {
      return updateItems(kindAudio, sessionId, updates.map((u) => parseInput(SessionAudioSegmentSchema, u, "audio segment")), options);
    },
    async getScreenshots(sessionId: string, range = {}) {
      const metadata = await mustReadMetadata(core, mustBeSessionId(sessionId));
      return (await readItems<z.output<typeof SessionScreenshotSchema>>(core, kindScreenshots, metadata, range)).items;
    },
    async getScreenshotsPage(sessionId: string, range: ItemRange) {
      const metadata = await mustReadMetadata(core, mustBeSessionId(sessionId));
      return readItems<z.output<typeof SessionScreenshotSchema>>(core, kindScreenshots, metadata, range, { skipPack: true });
    },
    async getAudioSegmentsPage(sessionId: string, range: ItemRange) {
      const metadata = await mustReadMetadata(core, mustBeSessionId(sessionId));
      return readItems<z.output<typeof SessionAudioSegmentSchema>>(core, kindAudio, metadata, range, { skipPack: true });
    },
    async getAudioSegments(sessionId: string, range = {}) {
      const metadata = await mustReadMetadata(core, mustBeSessionId(sessionId));
      return (await readItems<z.output<typeof SessionAudioSegmentSchema>>(core, kindAudio, metadata, range)).items;
    },
    async getSummary(sessionId: string) {
      return store.getJson(summaryKey(mustBeSessionId(sessionId)), SummaryRecordSchema);
    },
    async saveSummary(input: unknown, options: WriteOptions = {}) {
      const summary = parseInput(SummaryRecordSchema, input, "summary");
      const next = await mutate(async () => {
        const metadata = await mustReadMetadata(core, summary.sessionId);
        const next = { ...metadata, hasSummary: true, updatedAt: host.clock.now() };
        core.metaCache.set(next.id, next);
        const ops: QueuedOp[] = [
          { type: "put", key: summaryKey(summary.sessionId), value: encodeJson(summary) },
          { type: "put", key: metadataKey(next.id), value: encodeJson(next) },
          ...indexOpsFor(next),
        ];
        return { result: next, ops, priority: options.priority ?? "critical" };
      });
      announce("changed", next.id, next);
      return summary;
    },
    async getVideo(sessionId: string) {
      return store.getJson(videoKey(mustBeSessionId(sessionId)), VideoRecordSchema);
    },
    async saveVideo(input: unknown, options: WriteOptions = {}) {
      const video = parseInput(VideoRecordSchema, input, "video record");
      const sessionId = video.sessionId;
      return mutate(async () => {
        const metadata = await mustReadMetadata(core, sessionId);
        const old = await store.getJson(videoKey(sessionId), VideoRecordSchema).catch(() => undefined);
        const idsOf = (record: typeof video | undefined) => new Set([...(record?.segments ?? []).map((s) => s.attachmentId), ...(record?.merged === undefined ? [] : [record.merged.attachmentId])]);
        const now = idsOf(video);
        const before = idsOf(old);
        const ops: QueuedOp[] = [{ type: "put", key: videoKey(sessionId), value: encodeJson(video) }];
        // The session's size counts each attachment once, from the write that first references it.
        let sizeDelta = 0;
        for (const id of now) {
          const attachment = await attachments.read(id);
          if (attachment === undefined) throw new EngineError("storage.not_found", `attachment ${id} is not stored`);
          if (!attachment.referencedBy.includes(sessionId)) sizeDelta += attachment.size;
          const { op } = attachments.reference(attachment, sessionId, true);
          if (op !== undefined) ops.push(op);
        }
        const released = [...before].filter((id) => !now.has(id));
        const stillUsed = released.length > 0 ? await chunkReferences(sessionId) : new Set<string>();
        for (const id of released) {
          const attachment = await attachments.read(id);
          if (attachment === undefined || stillUsed.has(id)) continue;
          if (attachment.referencedBy.includes(sessionId)) sizeDelta -= attachment.size;
          const { op } = attachments.reference(attachment, sessionId, false);
          if (op !== undefined) ops.push(op);
        }
        const next = { ...metadata, hasVideo: true, sizeBytes: Math.max(0, metadata.sizeBytes + sizeDelta), updatedAt: host.clock.now() };
        core.metaCache.set(next.id, next);
        ops.push({ type: "put", key: metadataKey(next.id), value: encodeJson(next) }, ...indexOpsFor(next));
        return { result: next, ops, priority: options.priority ?? "critical" };
      }).then((next) => {
        announce("changed", next.id, next);
        return video;
      });
    },
    async getFullSession(sessionId: string) {
      mustBeSessionId(sessionId);
      const metadata = await readMetadata(core, sessionId);
      if (metadata === undefined) return undefined;
      const [screenshots, audio, summary, video] = await Promise.all([
        readItems<z.output<typeof SessionScreenshotSchema>>(core, kindScreenshots, metadata),
        readItems<z.output<typeof SessionAudioSegmentSchema>>(core, kindAudio, metadata),
        metadata.hasSummary ? storage.getSummary(sessionId).catch(() => undefined) : Promise.resolve(undefined),
        metadata.hasVideo ? storage.getVideo(sessionId).catch(() => undefined) : Promise.resolve(undefined),
      ]);
      return { metadata, screenshots: screenshots.items, audioSegments: audio.items, summary, video, problems: [...screenshots.problems, ...audio.problems] };
    },
    addDeleteCascade(cascade: DeleteCascade) {
      cascades.add(cascade);
      return () => void cascades.delete(cascade);
    },
    async deleteSession(sessionId: string) {
      mustBeSessionId(sessionId);
      const joined = [...cascades];
      for (const cascade of joined) await cascade.prepare?.(sessionId);
      let committed = false;
      const folders: string[] = [...SESSION_FOLDERS, "screenshots", "audio"].map((folder) => `${folder}/${sessionId}`);
      return mutate(async () => {
        const metadata = await currentOrUndefined(sessionId);
        const chunkKeys = [...(await store.list(`screenshots/${sessionId}/`)), ...(await store.list(`audio/${sessionId}/`))];
        const used = await chunkReferences(sessionId);
        const video = await store.getJson(videoKey(sessionId), VideoRecordSchema).catch(() => undefined);
        for (const segment of video?.segments ?? []) used.add(segment.attachmentId);
        if (video?.merged !== undefined) used.add(video.merged.attachmentId);
        // Everything of the session goes in the same transaction: its records, what the recorder and media processing left.
        const sideKeys = (await Promise.all(SESSION_FOLDERS.map((folder) => store.list(`${folder}/${sessionId}/`)))).flat();
        // Chunks set aside as damaged keep the session's id in their names.
        const quarantined = (await store.list("quarantine/")).filter((key) => key.includes(sessionId));
        const ops: QueuedOp[] = [...chunkKeys, ...sideKeys, ...quarantined].map((key) => ({ type: "delete", key }) as const);
        for (const key of [metadataKey(sessionId), summaryKey(sessionId), videoKey(sessionId), ...SESSION_FILES.map((folder) => `${folder}/${sessionId}.json`)]) ops.push({ type: "delete", key });
        const cascadeOps: CascadeOps = {
          delete: (key) => void ops.push({ type: "delete", key: mustBeValidKey(key) }),
          putJson: (key, value) => void ops.push({ type: "put", key: mustBeValidKey(key), value: encodeJson(value) }),
          put: (key, value) => void ops.push({ type: "put", key: mustBeValidKey(key), value: value.slice() }),
          removeFolder: (prefix) => void folders.push(mustBeValidKey(prefix)),
        };
        for (const cascade of joined) await cascade.collect(sessionId, cascadeOps);
        for (const id of used) {
          const attachment = await attachments.read(id).catch(() => undefined);
          if (attachment === undefined) continue;
          const { op } = attachments.reference(attachment, sessionId, false);
          if (op !== undefined) ops.push(op);
        }
        const existed = metadata !== undefined || chunkKeys.length > 0;
        if (index.get(sessionId) !== undefined) ops.push({ type: "lazy", key: INDEX_KEY, produce: index.remove(sessionId) });
        core.metaCache.delete(sessionId);
        core.tailCache.delete(`screenshots/${sessionId}`);
        core.tailCache.delete(`audio/${sessionId}`);
        return { result: existed, ops: existed ? ops : [], priority: "critical" as const };
      }).then(async (existed) => {
        committed = true;
        // Files the store cannot name (temporary or odd names) and the emptied folders go too.
        if (store.adapter.kind === "file") {
          for (const folder of folders) await host.files.remove(folder, { recursive: true }).catch(() => undefined);
        }
        if (existed) announce("deleted", sessionId);
        return existed;
      }).finally(() => {
        for (const cascade of joined) cascade.settled?.(sessionId, committed);
      });
    },
  };
  return storage as typeof storage & SessionStorage;
}

/** Folders holding a session's own files as `{folder}/{id}.json` (session: markers, capture health, integrity; import reports; the review's edits). */
const SESSION_FILES = ["markers", "capture-health", "integrity", "imports/reports", "review/edits"] as const;
/** Folders holding a session's own files under `{folder}/{id}/` (media processing output, the recorder's staging area). */
const SESSION_FOLDERS = ["media", "capture"] as const;

const kindScreenshots: ItemKind = "screenshots";
const kindAudio: ItemKind = "audio";
