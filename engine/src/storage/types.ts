import type {
  Attachment,
  AttachmentInfo,
  SessionAudioSegment,
  SessionAudioSegmentInput,
  SessionMetadata,
  SessionMetadataInput,
  SessionScreenshot,
  SessionScreenshotInput,
  SessionStatus,
  SummaryRecord,
  SummaryRecordInput,
  VideoRecord,
  VideoRecordInput,
} from "../domain/index.ts";
import type { ByteRange } from "../host/index.ts";

/**
 * The low-level key-value seam every adapter implements (file system, IndexedDB,
 * memory). Keys are `/`-separated names (`sessions/metadata/{id}.json`).
 * `commit` is all-or-nothing across a crash and durable when it resolves.
 */
export interface KvAdapter {
  readonly kind: "file" | "indexeddb" | "memory";
  get(key: string): Promise<Uint8Array | undefined>;
  /** Keys under `prefix` (a folder-like prefix ending in `/`, or ""), sorted. Recursive. */
  list(prefix: string): Promise<string[]>;
  /** Applies every op or none, even across a crash. Resolves once durable. */
  commit(ops: readonly KvOp[]): Promise<void>;
  /** Finishes or rolls back a commit interrupted by a crash. Runs once on open. */
  recover(): Promise<RecoveryReport>;
  /** Bytes of a stored value without reading it, when the adapter can tell. */
  size?(key: string): Promise<number | undefined>;
  /**
   * Moves a file the host wrote (absolute path) to `key`, durably. Only the
   * file adapter can do this without reading the bytes; the caller falls back
   * to read + commit otherwise. With `deferDirFlush`, the directory entry
   * becomes durable with the adapter's next commit (which the caller awaits).
   */
  adoptFile?(sourcePath: string, key: string, options?: { readonly deferDirFlush?: boolean }): Promise<void>;
  /** SHA-256 of a stored value computed by the host (streamed), when possible. */
  hashValue?(key: string): Promise<{ sha256: string; size: number } | undefined>;
  /**
   * Byte spans of a stored value, in the order asked, without reading the
   * rest; undefined when the key is missing. Rejects when a span reaches past
   * the end. Adapters over a host with ranged reads offer it.
   */
  getRanges?(key: string, ranges: readonly ByteRange[]): Promise<Uint8Array[] | undefined>;
  close(): Promise<void>;
}

export type KvOp = { readonly type: "put"; readonly key: string; readonly value: Uint8Array } | { readonly type: "delete"; readonly key: string };

export interface RecoveryReport {
  /** Commits found complete in the journal and finished. */
  readonly rolledForward: number;
  /** Commits found incomplete and discarded. */
  readonly rolledBack: number;
}

export type Priority = "critical" | "normal" | "low";

export interface WriteOptions {
  /** critical: commit at once; normal: within a few ms (group commit); low: within a second. Default normal. */
  readonly priority?: Priority;
}

/**
 * The durable key-value store other features persist their records through
 * (`jobs/`, `checkpoints/`, `markers/`, `machine/`, `ledger/`). Every write goes
 * through the persistence queue: writes to one key coalesce, concurrent writes
 * share one group commit, and a promise resolves only once its write is durable.
 * Reads see writes that are still queued.
 */
export interface Store {
  get(key: string): Promise<Uint8Array | undefined>;
  /** Parses JSON and validates it; invalid stored data rejects with `storage.schema_invalid`. */
  getJson<T>(key: string, schema: { parse(value: unknown): T }): Promise<T | undefined>;
  put(key: string, value: Uint8Array, options?: WriteOptions): Promise<void>;
  putJson(key: string, value: unknown, options?: WriteOptions): Promise<void>;
  delete(key: string, options?: WriteOptions): Promise<void>;
  /** Keys under a prefix (`"jobs/"`), recursive, sorted; includes queued puts, excludes queued deletes. */
  list(prefix: string): Promise<string[]>;
  /**
   * Runs `body` with a transaction; everything it writes commits together
   * (all or nothing, across a crash) when `body` resolves, and nothing does
   * when it throws.
   */
  transaction<T>(body: (tx: Transaction) => Promise<T>, options?: WriteOptions): Promise<T>;
  /** Manual form of {@link Store.transaction}. */
  beginTransaction(): Transaction;
  /** Resolves once everything queued so far is durable. */
  flush(): Promise<void>;
}

export interface Transaction {
  /** Reads through the transaction's own writes. */
  get(key: string): Promise<Uint8Array | undefined>;
  getJson<T>(key: string, schema: { parse(value: unknown): T }): Promise<T | undefined>;
  put(key: string, value: Uint8Array): void;
  putJson(key: string, value: unknown): void;
  delete(key: string): void;
  /** Commits atomically; resolves once durable. */
  commit(options?: WriteOptions): Promise<void>;
  rollback(): void;
  readonly state: "open" | "committed" | "rolledBack";
}

export interface ListFilter {
  readonly status?: SessionStatus;
  readonly statuses?: readonly SessionStatus[];
  /** startedAt > startAfter (epoch ms). */
  readonly startAfter?: number;
  /** startedAt < startBefore (epoch ms). */
  readonly startBefore?: number;
  /** Sessions carrying every one of these tags. */
  readonly tags?: readonly string[];
  /** Sessions linked to any of these topics. */
  readonly topicIds?: readonly string[];
  readonly limit?: number;
  readonly offset?: number;
}

export interface ListResult {
  readonly sessions: SessionMetadata[];
  /** Matches before limit/offset. */
  readonly total: number;
}

/** A whole session, chunks hydrated. */
export interface FullSession {
  readonly metadata: SessionMetadata;
  readonly screenshots: SessionScreenshot[];
  readonly audioSegments: SessionAudioSegment[];
  readonly summary: SummaryRecord | undefined;
  readonly video: VideoRecord | undefined;
  /** Chunks that could not be read (quarantined); the rest of the session is here. */
  readonly problems: readonly IntegrityProblem[];
}

export interface ItemRange {
  /** First item (append order), default 0. */
  readonly offset?: number;
  readonly limit?: number;
}

/** A page of a session's items; `problems` are the chunks in its range that could not be read. */
export interface ItemsPage<T> {
  readonly items: T[];
  readonly problems: readonly IntegrityProblem[];
}

/** Sessions and their chunked items. Appends resolve when durable; they never wait on each other. */
export interface SessionStorage {
  getMetadata(sessionId: string): Promise<SessionMetadata | undefined>;
  mustGetMetadata(sessionId: string): Promise<SessionMetadata>;
  /**
   * Creates or replaces a session's metadata and updates the list index in
   * one transaction. Storage-owned fields (`screenshots`, `audio`,
   * `hasSummary`, `hasVideo`, `sizeBytes`) keep their stored values.
   */
  saveMetadata(metadata: SessionMetadataInput, options?: WriteOptions): Promise<SessionMetadata>;
  /** Read-modify-write of one session's metadata, serialized with appends. */
  updateMetadata(sessionId: string, update: (current: SessionMetadata) => SessionMetadataInput, options?: WriteOptions): Promise<SessionMetadata>;
  /** Newest first. Answered from the index without opening session files. */
  listMetadata(filter?: ListFilter): Promise<ListResult>;
  /** Adds one screenshot; takes a reference on its attachment (which must exist). */
  appendScreenshot(sessionId: string, screenshot: SessionScreenshotInput, options?: WriteOptions): Promise<SessionScreenshot>;
  appendAudioSegment(sessionId: string, segment: SessionAudioSegmentInput, options?: WriteOptions): Promise<SessionAudioSegment>;
  /** Replaces stored items with the same sequenceNumber (analysis, transcript, duplicate flags). */
  updateScreenshots(sessionId: string, updates: readonly SessionScreenshot[], options?: WriteOptions): Promise<void>;
  updateAudioSegments(sessionId: string, updates: readonly SessionAudioSegment[], options?: WriteOptions): Promise<void>;
  getScreenshots(sessionId: string, range?: ItemRange): Promise<SessionScreenshot[]>;
  getAudioSegments(sessionId: string, range?: ItemRange): Promise<SessionAudioSegment[]>;
  /** One page of items with the problems of the chunks it spans: reads a large session in bounded memory. */
  getScreenshotsPage(sessionId: string, range: ItemRange): Promise<ItemsPage<SessionScreenshot>>;
  getAudioSegmentsPage(sessionId: string, range: ItemRange): Promise<ItemsPage<SessionAudioSegment>>;
  getSummary(sessionId: string): Promise<SummaryRecord | undefined>;
  saveSummary(summary: SummaryRecordInput, options?: WriteOptions): Promise<SummaryRecord>;
  getVideo(sessionId: string): Promise<VideoRecord | undefined>;
  /** Takes references on the record's attachments, releases those it no longer uses. */
  saveVideo(video: VideoRecordInput, options?: WriteOptions): Promise<VideoRecord>;
  /** Metadata plus every chunk, read in parallel. */
  getFullSession(sessionId: string): Promise<FullSession | undefined>;
  /**
   * Removes every file of the session (metadata, chunks, summary, video, markers, capture health,
   * integrity, media output, capture staging, import report, the user's edits, quarantined chunks)
   * and releases its attachment references, with whatever the registered cascades add, in one transaction.
   */
  deleteSession(sessionId: string): Promise<boolean>;
  /** Lets a feature delete or rewrite its own records of a session in that session's delete transaction. */
  addDeleteCascade(cascade: DeleteCascade): () => void;
}

/** Writes a {@link DeleteCascade} adds to a delete's transaction. */
export interface CascadeOps {
  delete(key: string): void;
  putJson(key: string, value: unknown): void;
  put(key: string, value: Uint8Array): void;
  /** A folder of the session's own to remove once the transaction is durable (its keys deleted above). */
  removeFolder(prefix: string): void;
}

/** A feature's part in deleting a session (enrichment: jobs, checkpoints, ledger marks; search: its segment). */
export interface DeleteCascade {
  /** Before the delete takes the storage lock: stop the feature's work on the session (it may write). */
  prepare?(sessionId: string): Promise<void>;
  /** Under the storage lock, inside the delete's transaction: must not write through the store itself. */
  collect(sessionId: string, ops: CascadeOps): Promise<void>;
  /** Once the transaction is durable (`deleted`) or has failed. */
  settled?(sessionId: string, deleted: boolean): void;
}

export interface SaveAttachmentOptions extends WriteOptions {
  /**
   * The session the attachment is for (validated). The reference itself is
   * taken by the record that uses the attachment (`appendScreenshot`,
   * `appendAudioSegment`, `saveVideo`) in the same commit as that record, so
   * refcounts always equal what the records say, even across a crash.
   */
  readonly sessionId?: string;
  /**
   * Default true: resolve once the blob is durable. With false, resolve as
   * soon as the write is queued: for capture, which appends the record right
   * after; the record's own acknowledgement then covers the blob too (a
   * record never commits before its blob, and fails with it).
   */
  readonly durable?: boolean;
}

export interface ExternalBlob {
  /** Absolute path the recorder wrote. */
  readonly path: string;
  readonly sha256: string;
  readonly size: number;
  /** The host hashed while writing (CryptoKit): skip re-hashing. */
  readonly nativeHashed: boolean;
}

/** Content-addressed attachments with reference counts. */
export interface AttachmentStorage {
  /** Stores bytes once per content (SHA-256); returns the existing attachment when already stored. */
  saveAttachment(bytes: Uint8Array, info: AttachmentInfo, options?: SaveAttachmentOptions): Promise<Attachment>;
  /**
   * Adopts a file the native recorder wrote: moves it to `attachments/blobs/{sha256}.dat`
   * (verifying size and hash unless `nativeHashed`), or drops it when that content is already stored.
   */
  registerExternalBlob(blob: ExternalBlob, info: AttachmentInfo, options?: SaveAttachmentOptions): Promise<Attachment>;
  getAttachment(attachmentId: string): Promise<Attachment | undefined>;
  /** Bytes, through an LRU cache bounded in bytes. Rejects `storage.blob_missing` / `storage.checksum_mismatch`. */
  loadAttachment(attachmentId: string): Promise<Uint8Array>;
  /**
   * Adds `sessionId` to the attachment's references; a second call for the same session changes nothing.
   * Records take their references themselves; `verify()` reports counts the records do not back and `repair()` resets them.
   */
  incrementRefCount(attachmentId: string, sessionId: string): Promise<Attachment>;
  decrementRefCount(attachmentId: string, sessionId: string): Promise<Attachment>;
  /**
   * Removes attachments no record references, created before `olderThan` (epoch ms).
   * Keep `olderThan` well in the past: a just-saved attachment is unreferenced until its record commits.
   */
  deleteOrphanedAttachments(olderThan: number): Promise<GcReport>;
  /** Store key of an attachment's blob, e.g. to hand a path to the media host. */
  blobKey(attachmentId: string): string;
}

export interface GcReport {
  readonly removed: number;
  readonly freedBytes: number;
  readonly kept: number;
}

export type IntegrityProblemKind =
  | "chunk_corrupt"
  | "chunk_missing"
  | "metadata_invalid"
  | "record_invalid"
  | "attachment_invalid"
  | "attachment_missing"
  | "blob_missing"
  | "blob_hash_mismatch"
  | "refcount_mismatch"
  | "index_mismatch"
  | "index_invalid"
  /** The list's item count disagrees with what the records hold, and no reported damage explains it. */
  | "count_mismatch"
  /** Chunks or records of a session that has no metadata (an unfinished delete or import). */
  | "orphan_records"
  /** A blob no session, attachment reference or quarantined record names. */
  | "orphan_blob";

export interface IntegrityProblem {
  readonly kind: IntegrityProblemKind;
  readonly key: string;
  readonly message: string;
  readonly sessionId?: string;
  readonly chunkIndex?: number;
  readonly attachmentId?: string;
  /** Where the bad file went, when it was quarantined. */
  readonly quarantinedTo?: string;
}

export interface VerifyOptions {
  /** Re-hash every blob (slow on big stores). Default true. */
  readonly blobs?: boolean;
  /** Move corrupt files to `quarantine/`. Default true. */
  readonly quarantine?: boolean;
}

export interface VerifyReport {
  readonly ok: boolean;
  readonly sessions: number;
  readonly chunks: number;
  readonly attachments: number;
  readonly problems: readonly IntegrityProblem[];
  /** Blobs nothing names (`orphan_blob`): not damage, so not in `problems`; `gc` removes them. */
  readonly orphans: readonly IntegrityProblem[];
}

export interface RepairReport {
  /** Sessions whose metadata came back from the index, a quarantined copy or their chunks. */
  readonly sessionsRestored: number;
  /** Chunks rebuilt from the session's pack. */
  readonly chunksRestored: number;
  readonly refcountsFixed: number;
  readonly indexRebuilt: boolean;
  readonly lostChunksRecorded: number;
  readonly problemsBefore: number;
  readonly problemsAfter: number;
  /** Blobs nothing names, left for `gc`. */
  readonly orphanBlobs: number;
}

/** Everything `createStorage` returns. */
export interface Storage {
  readonly store: Store;
  readonly sessions: SessionStorage;
  readonly attachments: AttachmentStorage;
  readonly queue: PersistenceQueue;
  readonly adapter: KvAdapter;
  /** What recovery did on open. */
  readonly recovery: RecoveryReport;
  verify(options?: VerifyOptions): Promise<VerifyReport>;
  repair(): Promise<RepairReport>;
  /** Flushes the queue and closes the adapter. */
  close(): Promise<void>;
}

export interface PersistenceQueueStats {
  readonly pending: number;
  readonly commits: number;
  readonly opsCommitted: number;
  readonly coalesced: number;
  readonly failures: number;
}

/** Group commit for every write. */
export interface PersistenceQueue {
  /** Resolves once everything queued so far is durable (rejects if that commit failed). */
  flush(): Promise<void>;
  stats(): PersistenceQueueStats;
  /**
   * Lets a derived record (the search index) ride along: `hook` sees the keys
   * of each group commit as it starts and returns puts to add to that same
   * atomic commit (a dirty mark commits with the change it marks). Its puts
   * win over queued ops on the same keys; a hook that throws adds nothing.
   */
  onBeforeCommit?(hook: (keys: readonly string[]) => readonly KvOp[]): void;
}
