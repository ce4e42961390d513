import * as z from "zod";
import { AttachmentIdSchema, EpochMsSchema, SessionIdSchema } from "./ids.ts";

/** Where an AI result came from on the session timeline (session time, ms). */
export const EvidenceSchema = z.object({
  tStart: z.number().nonnegative(),
  tEnd: z.number().nonnegative(),
  kind: z.enum(["screenshot", "audio", "marker"]),
  /** sequenceNumber of the screenshot or audio segment, or the marker id, as a string. */
  ref: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

// A function, so that the bundle's lazily built schemas do not build these at load.
const evidenced = () => ({
  evidence: z.array(EvidenceSchema).default([]),
  /** Set when the evidence did not resolve against the real timeline. */
  flagged: z.boolean().optional(),
});

export const SummaryPointSchema = z.object({ text: z.string(), ...evidenced() });
export type SummaryPoint = z.infer<typeof SummaryPointSchema>;

export const ChapterSchema = z.object({ title: z.string(), summary: z.string().optional(), startMs: z.number().nonnegative(), endMs: z.number().nonnegative(), ...evidenced() });
export type Chapter = z.infer<typeof ChapterSchema>;

export const ExtractedTaskSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  priority: z.enum(["low", "medium", "high"]).optional(),
  done: z.boolean().optional(),
  ...evidenced(),
});
export type ExtractedTask = z.infer<typeof ExtractedTaskSchema>;

export const ExtractedNoteSchema = z.object({ id: z.string(), text: z.string(), ...evidenced() });
export type ExtractedNote = z.infer<typeof ExtractedNoteSchema>;

/** `summaries/{sessionId}.json`: written by enrichment. */
export const SummaryRecordSchema = z.object({
  sessionId: SessionIdSchema,
  summary: z.string(),
  points: z.array(SummaryPointSchema).default([]),
  chapters: z.array(ChapterSchema).default([]),
  tasks: z.array(ExtractedTaskSchema).default([]),
  notes: z.array(ExtractedNoteSchema).default([]),
  provider: z.string(),
  /** True when produced without any cloud call. */
  local: z.boolean().optional(),
  createdAt: EpochMsSchema,
});
export type SummaryRecord = z.infer<typeof SummaryRecordSchema>;
export type SummaryRecordInput = z.input<typeof SummaryRecordSchema>;

export const VideoSegmentSchema = z.object({
  sequenceNumber: z.number().int().nonnegative(),
  attachmentId: AttachmentIdSchema,
  startSessionMs: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
});
export type VideoSegment = z.infer<typeof VideoSegmentSchema>;

/** `videos/{sessionId}.json`: video segments and, once media processing ran, the merged file. */
export const VideoRecordSchema = z.object({
  sessionId: SessionIdSchema,
  segments: z.array(VideoSegmentSchema).default([]),
  merged: z.object({ attachmentId: AttachmentIdSchema, mimeType: z.string(), hasAudio: z.boolean() }).optional(),
  durationMs: z.number().int().nonnegative(),
  updatedAt: EpochMsSchema,
});
export type VideoRecord = z.infer<typeof VideoRecordSchema>;
export type VideoRecordInput = z.input<typeof VideoRecordSchema>;
