import * as z from "zod";
import { EpochMsSchema, SessionIdSchema } from "./ids.ts";

export const SESSION_SCHEMA_VERSION = 2;

export const SessionStatusSchema = z.enum(["active", "paused", "completed", "interrupted"]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

/**
 * What the user asked the recorder to capture. The session feature owns the
 * exact shape (it validates against the recorder port); storage keeps any
 * extra fields it adds.
 */
export const RecordingConfigSchema = z.looseObject({
  screenshots: z.looseObject({ enabled: z.boolean(), intervalMs: z.number().int().positive() }).optional(),
  audio: z.looseObject({ microphone: z.boolean(), systemAudio: z.boolean() }).optional(),
  video: z.looseObject({ enabled: z.boolean() }).optional(),
});
export type RecordingConfig = z.infer<typeof RecordingConfigSchema>;

export const EnrichmentStageStatusSchema = z.enum(["pending", "running", "completed", "skipped", "failed"]);
export type EnrichmentStageStatus = z.infer<typeof EnrichmentStageStatusSchema>;

/** Progress and cost of background enrichment, written by the enrichment feature. */
export const EnrichmentStatusSchema = z.object({
  status: z.enum(["idle", "queued", "running", "completed", "failed", "cancelled"]),
  /** Per stage (audio, screenshots, video, summary, …): status and optional progress 0..1. */
  stages: z.record(z.string(), z.object({ status: EnrichmentStageStatusSchema, progress: z.number().min(0).max(1).optional(), error: z.string().optional() })),
  /** US dollars spent so far, from the ledger. */
  totalCost: z.number().nonnegative(),
  lastError: z.string().optional(),
  jobId: z.string().optional(),
  updatedAt: EpochMsSchema.optional(),
});
export type EnrichmentStatus = z.infer<typeof EnrichmentStatusSchema>;

/** Where a session's chunked items stand. Owned by storage: callers' values are ignored on save. */
export const ChunkRefsSchema = z.object({
  /** Items appended so far. */
  itemCount: z.number().int().nonnegative(),
  /** Chunk files `0..chunkCount-1`. */
  chunkCount: z.number().int().nonnegative(),
  /** Chunks found corrupt, quarantined and acknowledged by `repair()`: the rest stays readable. */
  lostChunks: z.array(z.number().int().nonnegative()).default([]),
});
export type ChunkRefs = z.infer<typeof ChunkRefsSchema>;

export const EMPTY_CHUNK_REFS: ChunkRefs = { itemCount: 0, chunkCount: 0, lostChunks: [] };

/**
 * The post-stop integrity report (written by the session feature) plus what
 * storage's own verification last found. Loose: sources add their own counters.
 */
export const IntegritySummarySchema = z.looseObject({
  checkedAt: EpochMsSchema.optional(),
  itemsPerSource: z.record(z.string(), z.number().int().nonnegative()).optional(),
  gaps: z.array(z.looseObject({ source: z.string(), startMs: z.number(), endMs: z.number() })).optional(),
  droppedItems: z.number().int().nonnegative().optional(),
  warnings: z.array(z.string()).optional(),
  /** Storage problems found for this session (quarantined chunks, missing blobs). */
  storageProblems: z.number().int().nonnegative().optional(),
});
export type IntegritySummary = z.infer<typeof IntegritySummarySchema>;

/** One session's metadata: `sessions/metadata/{id}.json`. Items live in chunk files. */
export const SessionMetadataSchema = z.object({
  schemaVersion: z.literal(SESSION_SCHEMA_VERSION),
  id: SessionIdSchema,
  name: z.string().max(500),
  description: z.string().max(10_000).optional(),
  status: SessionStatusSchema,
  startedAt: EpochMsSchema,
  endedAt: EpochMsSchema.optional(),
  /** Session time: wall time minus paused spans. */
  activeDurationMs: z.number().int().nonnegative(),
  recordingConfig: RecordingConfigSchema.optional(),
  enrichmentStatus: EnrichmentStatusSchema.optional(),
  screenshots: ChunkRefsSchema.default(EMPTY_CHUNK_REFS),
  audio: ChunkRefsSchema.default(EMPTY_CHUNK_REFS),
  hasSummary: z.boolean().default(false),
  hasVideo: z.boolean().default(false),
  tags: z.array(z.string().max(200)).default([]),
  topicIds: z.array(z.string().max(200)).default([]),
  extractedTaskIds: z.array(z.string().max(200)).default([]),
  extractedNoteIds: z.array(z.string().max(200)).default([]),
  /** Bytes of the session's chunk files plus its attachments (counted once per session). Owned by storage. */
  sizeBytes: z.number().int().nonnegative().default(0),
  integrity: IntegritySummarySchema.optional(),
  /** Set when the session came from a schema v1 store. */
  migratedFrom: z.object({ schemaVersion: z.literal(1), id: z.string() }).optional(),
  updatedAt: EpochMsSchema.optional(),
});
export type SessionMetadata = z.infer<typeof SessionMetadataSchema>;
/** What callers pass to `saveMetadata`: defaults may be omitted. */
export type SessionMetadataInput = z.input<typeof SessionMetadataSchema>;
