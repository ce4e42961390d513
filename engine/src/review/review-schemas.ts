import * as z from "zod";

/**
 * What the review panel reads. These are views over the stored session
 * (metadata, chunks, summary, ledger, integrity report), shaped for display:
 * times are milliseconds from the session's start, money is USD, heavy bytes
 * are referenced by SHA-256 digest and fetched outside the bridge.
 */

export const DigestSchema = z.string().regex(/^[0-9a-f]{64}$/, "expected a lower-case hex SHA-256 digest");

export const SessionStatusSchema = z.enum(["active", "paused", "completed", "interrupted"]);
export type SessionStatus = z.infer<typeof SessionStatusSchema>;

export const EnrichmentStateSchema = z.enum(["none", "queued", "running", "completed", "failed", "cancelled"]);
export type EnrichmentState = z.infer<typeof EnrichmentStateSchema>;

export const SessionRowSchema = z.object({
  id: z.string().min(1).max(100),
  name: z.string(),
  status: SessionStatusSchema,
  /** Epoch ms. */
  startedAt: z.number(),
  endedAt: z.number().optional(),
  durationMs: z.number().nonnegative(),
  sizeBytes: z.number().nonnegative(),
  tags: z.array(z.string()),
  enrichment: z.object({
    state: EnrichmentStateSchema,
    /** 0–1 while running. */
    progress: z.number().min(0).max(1).optional(),
    stage: z.string().optional(),
    totalCostUsd: z.number().nonnegative(),
    error: z.string().optional(),
  }),
  screenshotCount: z.number().int().nonnegative(),
  audioSegmentCount: z.number().int().nonnegative(),
});
export type SessionRow = z.infer<typeof SessionRowSchema>;

export const EvidenceSchema = z.object({
  tStart: z.number().nonnegative(),
  tEnd: z.number().nonnegative(),
  kind: z.enum(["screenshot", "audio", "marker"]),
  ref: z.string(),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

export const EvidenceItemSchema = z.object({
  id: z.string(),
  text: z.string(),
  evidence: z.array(EvidenceSchema),
  /** Set when the evidence did not resolve against the timeline. */
  unresolved: z.boolean().optional(),
  done: z.boolean().optional(),
  /** Set when the user changed this item; `ai` then holds the AI's current text, kept apart. */
  edited: z.boolean().optional(),
  ai: z.string().optional(),
  /** Set when re-enrichment produced an AI text other than the one the user edited. */
  aiChanged: z.boolean().optional(),
  /** Added by the user, not by the AI. */
  added: z.boolean().optional(),
});
export type EvidenceItem = z.infer<typeof EvidenceItemSchema>;

export const TimelineItemSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("screenshot"),
    id: z.string(),
    /** What evidence calls this screenshot: its sequence number, as a string. */
    ref: z.string().optional(),
    t: z.number(),
    blob: DigestSchema.optional(),
    mimeType: z.string().optional(),
    width: z.number().optional(),
    height: z.number().optional(),
    analysis: z.string().optional(),
    app: z.string().optional(),
    isDuplicate: z.boolean().optional(),
  }),
  z.object({ kind: z.literal("transcript"), id: z.string(), t: z.number(), tEnd: z.number(), text: z.string(), speaker: z.string().optional() }),
  z.object({ kind: z.literal("marker"), id: z.string(), t: z.number(), label: z.string() }),
  z.object({ kind: z.literal("chapter"), id: z.string(), t: z.number(), tEnd: z.number(), title: z.string(), summary: z.string().optional() }),
]);
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

export const ChapterViewSchema = z.object({
  id: z.string(),
  t: z.number(),
  tEnd: z.number(),
  title: z.string(),
  summary: z.string().optional(),
  edited: z.boolean().optional(),
  ai: z.string().optional(),
  aiChanged: z.boolean().optional(),
});
export type ChapterView = z.infer<typeof ChapterViewSchema>;

export const AudioSegmentRefSchema = z.object({
  index: z.number().int().nonnegative(),
  t: z.number().nonnegative(),
  durationMs: z.number().positive(),
  blob: DigestSchema,
  mimeType: z.string(),
});
export type AudioSegmentRef = z.infer<typeof AudioSegmentRefSchema>;

export const CostLineSchema = z.object({ stage: z.string(), provider: z.string(), model: z.string().optional(), calls: z.number().int().nonnegative(), usd: z.number().nonnegative() });

export const IntegrityReportSchema = z.object({
  ok: z.boolean(),
  checkedAt: z.number().optional(),
  problems: z.array(z.object({ kind: z.string(), message: z.string() })),
});
export type IntegrityReport = z.infer<typeof IntegrityReportSchema>;

export const SessionDetailSchema = z.object({
  session: SessionRowSchema,
  /** The timeline, or its first items when the request set `timelineLimit` (see `timelineTotal`). */
  timeline: z.array(TimelineItemSchema),
  /** How many items the whole timeline has; the rest come from `review.timeline`. */
  timelineTotal: z.number().int().nonnegative().optional(),
  summary: z
    .object({ text: z.string(), points: z.array(EvidenceItemSchema), local: z.boolean().optional(), edited: z.boolean().optional(), ai: z.string().optional(), aiChanged: z.boolean().optional() })
    .optional(),
  /** Every chapter, whatever part of the timeline was sent; titles with the user's edits. */
  chapters: z.array(ChapterViewSchema).optional(),
  tasks: z.array(EvidenceItemSchema),
  notes: z.array(EvidenceItemSchema),
  cost: z.object({ totalUsd: z.number().nonnegative(), lines: z.array(CostLineSchema) }),
  integrity: IntegrityReportSchema,
  media: z.object({
    video: z.object({ blob: DigestSchema, mimeType: z.string(), durationMs: z.number() }).optional(),
    audio: z.array(AudioSegmentRefSchema),
  }),
});
export type SessionDetail = z.infer<typeof SessionDetailSchema>;

export const ListQuerySchema = z
  .object({
    text: z.string().max(200).optional(),
    statuses: z.array(SessionStatusSchema).optional(),
    /** Epoch ms, inclusive. */
    from: z.number().optional(),
    to: z.number().optional(),
    limit: z.number().int().positive().max(1000).optional(),
  })
  .strict();
export type ListQuery = z.infer<typeof ListQuerySchema>;

export const ExportFormatSchema = z.enum(["md", "json"]);
export type ExportFormat = z.infer<typeof ExportFormatSchema>;
