import * as z from "zod";

/**
 * The previous app's session records, as its own types describe them: one
 * object per session (screenshots, audio segments, context items, summary,
 * insights, video), whichever layout it was stored in. Tolerant on purpose:
 * the records come from the wild, so unknown fields pass (and are counted by
 * the import report) and only what the import needs is checked.
 */
function build() {
  const TimeSchema = z.union([z.string(), z.number()]);
  const Text = z.string();
  const Texts = z.array(z.string());

  const V1ScreenshotSchema = z.looseObject({
    id: z.string(),
    timestamp: TimeSchema,
    attachmentId: z.string().optional(),
    /** Later versions: the content hash of the attachment in the content-addressed store. */
    hash: z.string().optional(),
    path: z.string().optional(),
    /** Embedded image as base64 or a data URL, when the attachment lived inline. */
    data: z.string().optional(),
    base64: z.string().optional(),
    mimeType: z.string().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    perceptualHash: z.string().optional(),
    aiAnalysis: z
      .looseObject({
        summary: Text.optional(),
        detectedActivity: Text.optional(),
        extractedText: Text.optional(),
        keyElements: Texts.optional(),
      })
      .optional(),
    userComment: Text.optional(),
    flagged: z.boolean().optional(),
  });

  const V1AudioSegmentSchema = z.looseObject({
    id: z.string(),
    timestamp: TimeSchema,
    /** Seconds. */
    duration: z.number().nonnegative().optional(),
    transcription: Text.optional(),
    draftTranscription: Text.optional(),
    enrichedTranscription: Text.optional(),
    attachmentId: z.string().optional(),
    hash: z.string().optional(),
    data: z.string().optional(),
    base64: z.string().optional(),
    mimeType: z.string().optional(),
    sampleRate: z.number().optional(),
    channels: z.number().optional(),
  });

  const V1ContextItemSchema = z.looseObject({ id: z.string().optional(), timestamp: TimeSchema.optional(), type: z.string().optional(), content: z.string().optional() });

  const V1VideoSchema = z.looseObject({
    id: z.string().optional(),
    fullVideoAttachmentId: z.string().optional(),
    /** Seconds. */
    duration: z.number().optional(),
    path: z.string().optional(),
    chapters: z.array(z.looseObject({ startTime: z.number().optional(), endTime: z.number().optional(), title: z.string().optional(), summary: z.string().optional() })).optional(),
  });

  const V1SessionSchema = z.looseObject({
    id: z.string().min(1).max(200),
    name: z.string().default("Untitled session"),
    description: z.string().optional(),
    status: z.string().optional(),
    startTime: TimeSchema,
    endTime: TimeSchema.optional(),
    lastScreenshotTime: TimeSchema.optional(),
    /** Milliseconds spent paused. */
    totalPausedTime: z.number().optional(),
    /** Minutes, rounded down by the previous app. */
    totalDuration: z.number().optional(),
    screenshotInterval: z.number().optional(),
    screenshots: z.array(V1ScreenshotSchema).default([]),
    audioSegments: z.array(V1AudioSegmentSchema).nullish().transform((v) => v ?? []),
    contextItems: z.array(V1ContextItemSchema).nullish().transform((v) => v ?? []),
    tags: z.array(z.string()).optional(),
    category: z.string().optional(),
    subCategory: z.string().optional(),
    activityType: z.string().optional(),
    extractedTaskIds: z.array(z.string()).optional(),
    extractedNoteIds: z.array(z.string()).optional(),
    summary: z.unknown().optional(),
    audioInsights: z.unknown().optional(),
    fullTranscription: z.string().optional(),
    video: V1VideoSchema.nullish(),
  });

  /** Attachments the previous app kept beside the sessions, by id. */
  const V1AttachmentSchema = z.looseObject({ data: z.string().optional(), base64: z.string().optional(), mimeType: z.string().optional(), path: z.string().optional() });

  /** What earlier Stint versions accepted: a bare array, or `{ sessions, attachments }`. */
  const V1StoreSchema = z.union([
    z.array(z.unknown()).transform((sessions) => ({ sessions, attachments: {} as Record<string, z.infer<typeof V1AttachmentSchema>> })),
    z.looseObject({ sessions: z.array(z.unknown()), attachments: z.record(z.string(), V1AttachmentSchema).default({}) }),
  ]);
  return { V1ScreenshotSchema, V1AudioSegmentSchema, V1SessionSchema, V1StoreSchema };
}

let built: ReturnType<typeof build> | undefined;
/** The previous app's record schemas. */
export function v1Schemas(): ReturnType<typeof build> {
  built ??= build();
  return built;
}
type Schemas = ReturnType<typeof build>;
export type V1Screenshot = z.infer<Schemas["V1ScreenshotSchema"]>;
export type V1AudioSegment = z.infer<Schemas["V1AudioSegmentSchema"]>;
export type V1Session = z.infer<Schemas["V1SessionSchema"]>;
export type V1Store = z.infer<Schemas["V1StoreSchema"]>;
