import * as z from "zod";

/**
 * Schema v1: the previous app kept every session as one monolithic object
 * (screenshots and audio segments embedded) under a single `sessions` key.
 * Tolerant on purpose: v1 data comes from the wild, so unknown fields pass and
 * only what the migration needs is checked.
 */
const TimeSchema = z.union([z.string(), z.number()]);

export const V1ScreenshotSchema = z.looseObject({
  id: z.string(),
  timestamp: TimeSchema,
  attachmentId: z.string().optional(),
  /** Embedded image as base64 or a data URL, when the attachment lived inline. */
  data: z.string().optional(),
  base64: z.string().optional(),
  mimeType: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  perceptualHash: z.string().optional(),
  aiAnalysis: z
    .looseObject({
      summary: z.string().optional(),
      detectedActivity: z.string().optional(),
      extractedText: z.string().optional(),
      keyElements: z.array(z.string()).optional(),
    })
    .optional(),
});
export type V1Screenshot = z.infer<typeof V1ScreenshotSchema>;

export const V1AudioSegmentSchema = z.looseObject({
  id: z.string(),
  timestamp: TimeSchema,
  /** Seconds. */
  duration: z.number().nonnegative().optional(),
  transcription: z.string().optional(),
  attachmentId: z.string().optional(),
  data: z.string().optional(),
  base64: z.string().optional(),
  mimeType: z.string().optional(),
  sampleRate: z.number().optional(),
  channels: z.number().optional(),
});
export type V1AudioSegment = z.infer<typeof V1AudioSegmentSchema>;

export const V1SessionSchema = z.looseObject({
  id: z.string().min(1).max(200),
  name: z.string().default("Untitled session"),
  description: z.string().optional(),
  status: z.string().optional(),
  startTime: TimeSchema,
  endTime: TimeSchema.optional(),
  /** Minutes, as the previous app counted it. */
  totalDuration: z.number().optional(),
  screenshots: z.array(V1ScreenshotSchema).default([]),
  audioSegments: z.array(V1AudioSegmentSchema).default([]),
  tags: z.array(z.string()).optional(),
  extractedTaskIds: z.array(z.string()).optional(),
  extractedNoteIds: z.array(z.string()).optional(),
  summary: z.unknown().optional(),
});
export type V1Session = z.infer<typeof V1SessionSchema>;

/** Attachments the previous app kept beside the sessions, by id. */
export const V1AttachmentSchema = z.looseObject({ data: z.string().optional(), base64: z.string().optional(), mimeType: z.string().optional() });

/** The whole v1 `sessions` key: a bare array, or an export object. */
export const V1StoreSchema = z.union([
  z.array(V1SessionSchema).transform((sessions) => ({ sessions, attachments: {} as Record<string, z.infer<typeof V1AttachmentSchema>> })),
  z.looseObject({ sessions: z.array(V1SessionSchema), attachments: z.record(z.string(), V1AttachmentSchema).default({}) }),
]);
export type V1Store = z.infer<typeof V1StoreSchema>;
