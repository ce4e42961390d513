import * as z from "zod";
import { AttachmentIdSchema, EpochMsSchema, SessionIdSchema, Sha256HexSchema } from "./ids.ts";

/** At most this many items in one chunk file. */
export const CHUNK_SIZE = 20;

/** What AI analysis said about a screenshot (written by enrichment). */
export const ScreenshotAnalysisSchema = z.object({
  summary: z.string(),
  activity: z.string().optional(),
  apps: z.array(z.string()).default([]),
  text: z.string().optional(),
  provider: z.string(),
  analyzedAt: EpochMsSchema.optional(),
});
export type ScreenshotAnalysis = z.infer<typeof ScreenshotAnalysisSchema>;

export const SessionScreenshotSchema = z.object({
  sequenceNumber: z.number().int().nonnegative(),
  capturedAt: EpochMsSchema,
  /** Milliseconds of session time (paused spans excluded). */
  sessionTimeMs: z.number().int().nonnegative(),
  attachmentId: AttachmentIdSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** 64-bit perceptual hash as 16 hex characters. */
  perceptualHash: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  isDuplicate: z.boolean().default(false),
  /** sequenceNumber of the kept screenshot this one duplicates. */
  duplicateOf: z.number().int().nonnegative().optional(),
  sourceId: z.string().optional(),
  analysis: ScreenshotAnalysisSchema.optional(),
});
export type SessionScreenshot = z.infer<typeof SessionScreenshotSchema>;
export type SessionScreenshotInput = z.input<typeof SessionScreenshotSchema>;

export const TranscriptSegmentSchema = z.object({ startMs: z.number().nonnegative(), endMs: z.number().nonnegative(), text: z.string() });
export type TranscriptSegment = z.infer<typeof TranscriptSegmentSchema>;

export const AudioTranscriptSchema = z.object({
  text: z.string(),
  segments: z.array(TranscriptSegmentSchema).default([]),
  provider: z.string(),
  language: z.string().optional(),
});
export type AudioTranscript = z.infer<typeof AudioTranscriptSchema>;

export const SessionAudioSegmentSchema = z.object({
  sequenceNumber: z.number().int().nonnegative(),
  attachmentId: AttachmentIdSchema,
  capturedAt: EpochMsSchema.optional(),
  startSessionMs: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  sampleRate: z.number().int().positive(),
  channels: z.number().int().positive(),
  /** True when the segment is digital silence (capture health). */
  silent: z.boolean().optional(),
  transcript: AudioTranscriptSchema.optional(),
});
export type SessionAudioSegment = z.infer<typeof SessionAudioSegmentSchema>;
export type SessionAudioSegmentInput = z.input<typeof SessionAudioSegmentSchema>;

function chunkSchema<T extends z.ZodType>(item: T) {
  return z.object({
    sessionId: SessionIdSchema,
    chunkIndex: z.number().int().nonnegative(),
    items: z.array(item).max(CHUNK_SIZE),
    /** Bytes of the serialized items (what the checksum covers). */
    compressedSize: z.number().int().nonnegative(),
    /** SHA-256 of the serialized items. */
    checksum: Sha256HexSchema,
    createdAt: EpochMsSchema,
    updatedAt: EpochMsSchema.optional(),
  });
}

/** `screenshots/{sessionId}/{chunkIndex}.json` */
export const SessionScreenshotChunkSchema = chunkSchema(SessionScreenshotSchema);
export type SessionScreenshotChunk = z.infer<typeof SessionScreenshotChunkSchema>;

/** `audio/{sessionId}/{chunkIndex}.json` */
export const SessionAudioChunkSchema = chunkSchema(SessionAudioSegmentSchema);
export type SessionAudioChunk = z.infer<typeof SessionAudioChunkSchema>;
