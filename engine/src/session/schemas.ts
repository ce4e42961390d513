/**
 * Bridge shapes of the session feature: method params, host→engine recording
 * notifications, and the events the engine emits. The Swift recorder and the
 * review panel read these; `index.ts` documents them.
 */
import * as z from "zod";

const Uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "must be a lower-case UUID");
const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lower-case hex characters");
const PerceptualHash = z.string().regex(/^[0-9a-f]{16}$/, "must be 16 lower-case hex characters");
const EpochMs = z.number().int().nonnegative();
/** Times from a native host may carry fractions of a millisecond; they are stored whole. */
const HostEpochMs = z.number().nonnegative().transform((value) => Math.round(value));
const HostDurationMs = z.number().positive().transform((value) => Math.max(1, Math.round(value)));
const FilePath = z.string().min(1).max(4096);

export const SessionIdSchema = Uuid;

export const CaptureSourceRefSchema = z.object({ kind: z.enum(["display", "window", "camera"]), id: z.string().min(1).max(200) }).strict();
export type CaptureSourceRef = z.infer<typeof CaptureSourceRefSchema>;

/** Capture-health thresholds; each has a default. */
export const HealthThresholdsSchema = z
  .object({
    /** Microphone digital silence longer than this warns. */
    silenceMs: z.number().int().positive().default(30_000),
    /** A source with no item for this many of its intervals is stalled. */
    stallFactor: z.number().positive().default(2),
    /** Dropped share above this degrades the service. */
    dropRatio: z.number().min(0).max(1).default(0.02),
    /** Free bytes below this warn (low disk). */
    lowDiskBytes: z.number().int().nonnegative().default(1024 ** 3),
    /** Screenshots within this Hamming distance of the previous kept one are duplicates. */
    duplicateDistance: z.number().int().min(0).max(64).default(4),
  })
  .strict();
export type HealthThresholds = z.infer<typeof HealthThresholdsSchema>;

/**
 * `session.start` params: what to record. `sources` omitted means "the main
 * display"; an explicit empty list with screenshots or video on is refused.
 */
export const SessionStartParamsSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    tags: z.array(z.string().min(1).max(60)).max(50).default([]),
    sources: z.array(CaptureSourceRefSchema).max(16).optional(),
    layout: z.enum(["single", "grid", "side-by-side"]).default("single"),
    screenshots: z
      .object({ enabled: z.boolean().default(true), intervalMs: z.number().int().min(250, "must be at least 250 ms").max(3_600_000).default(5_000) })
      .strict()
      .default({ enabled: true, intervalMs: 5_000 }),
    audio: z
      .object({
        microphone: z.boolean().default(true),
        systemAudio: z.boolean().default(false),
        balance: z.number().min(0).max(1).default(0.5),
        segmentMs: z.number().int().min(1_000, "must be at least 1000 ms").max(600_000).default(30_000),
        microphoneId: z.string().min(1).max(200).optional(),
      })
      .strict()
      .default({ microphone: true, systemAudio: false, balance: 0.5, segmentMs: 30_000 }),
    video: z
      .object({
        enabled: z.boolean().default(false),
        fps: z.number().int().min(1).max(60).default(30),
        segmentSeconds: z.number().int().min(1).max(600).default(10),
      })
      .strict()
      .default({ enabled: false, fps: 30, segmentSeconds: 10 }),
    excludedBundleIds: z.array(z.string().min(1).max(200)).max(200).default([]),
    excludedWindowIds: z.array(z.string().min(1).max(200)).max(500).default([]),
    health: HealthThresholdsSchema.default({ silenceMs: 30_000, stallFactor: 2, dropRatio: 0.02, lowDiskBytes: 1024 ** 3, duplicateDistance: 4 }),
  })
  .strict();
export type SessionStartParams = z.infer<typeof SessionStartParamsSchema>;

/** The configuration a session runs with (start params after validation and defaults). */
export const SessionConfigSchema = SessionStartParamsSchema.extend({ sources: z.array(CaptureSourceRefSchema) });
export type SessionConfig = z.infer<typeof SessionConfigSchema>;

const OptionalSession = z.object({ sessionId: Uuid.optional() }).strict();
export const SessionPauseParamsSchema = z.object({}).strict();
export const SessionResumeParamsSchema = z.object({}).strict();
/** `session.end`: the current session, or an `interrupted` one by id. */
export const SessionEndParamsSchema = OptionalSession;
export const SessionGetParamsSchema = OptionalSession;
export const SessionMarkParamsSchema = z.object({ note: z.string().max(2_000).optional(), sessionId: Uuid.optional() }).strict();
export const SessionListParamsSchema = z
  .object({
    status: z.enum(["active", "paused", "completed", "interrupted"]).optional(),
    limit: z.number().int().min(1).max(1_000).default(100),
    offset: z.number().int().min(0).default(0),
  })
  .strict();
export const SessionRetryParamsSchema = z.object({ action: z.enum(["retry", "dismiss"]) }).strict();

/** Host → engine: a screenshot the recorder wrote (never the bytes). */
/** Fields every captured file carries. */
const CapturedFileFields = {
  sessionId: Uuid,
  /** Per-session, per-service counter from 0; a gap means the recorder dropped items. */
  sequence: z.number().int().nonnegative(),
  /** Where the recorder wrote the file (relative paths resolve against the data directory). */
  path: FilePath,
  /** Lower-case hex SHA-256 of the file, computed while writing. */
  sha256: Sha256,
  size: z.number().int().positive(),
};

export const RecordingScreenshotSchema = z
  .object({
    ...CapturedFileFields,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    capturedAt: HostEpochMs,
    mimeType: z.enum(["image/png", "image/jpeg"]).default("image/png"),
    sourceId: z.string().max(200).optional(),
    /** 64-bit dHash as 16 hex characters, when the host computed it natively. */
    perceptualHash: PerceptualHash.optional(),
  })
  .strict();
export type RecordingScreenshot = z.infer<typeof RecordingScreenshotSchema>;

/** Host → engine: an audio segment the recorder finished. */
export const RecordingAudioSchema = z
  .object({
    ...CapturedFileFields,
    durationMs: HostDurationMs,
    startedAt: HostEpochMs,
    mimeType: z.enum(["audio/wav", "audio/x-wav", "audio/mp4", "audio/aac"]).default("audio/wav"),
    sampleRate: z.number().int().positive().optional(),
    channels: z.number().int().min(1).max(8).optional(),
    /** Peak microphone level in the segment, 0–1 (0 = digital silence). */
    peak: z.number().min(0).max(1).optional(),
    source: z.enum(["mixed", "microphone", "system"]).default("mixed"),
  })
  .strict();
export type RecordingAudio = z.infer<typeof RecordingAudioSchema>;

/** Host → engine: a video segment the recorder finished. */
export const RecordingVideoSchema = z
  .object({
    ...CapturedFileFields,
    durationMs: HostDurationMs,
    startedAt: HostEpochMs,
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    fps: z.number().positive().optional(),
    mimeType: z.enum(["video/mp4", "video/quicktime"]).default("video/mp4"),
  })
  .strict();
export type RecordingVideo = z.infer<typeof RecordingVideoSchema>;

export const CaptureServiceNameSchema = z.enum(["screenshots", "audio", "video"]);
export type CaptureServiceName = z.infer<typeof CaptureServiceNameSchema>;

/** Host → engine: a health sample from the recorder. */
export const RecordingHealthSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("level"), sessionId: Uuid, at: HostEpochMs, peak: z.number().min(0).max(1) }).strict(),
  z.object({ kind: z.literal("drops"), sessionId: Uuid, at: HostEpochMs, service: CaptureServiceNameSchema, dropped: z.number().int().positive(), reason: z.string().max(500).optional() }).strict(),
  z.object({ kind: z.literal("disk"), sessionId: Uuid, at: HostEpochMs, freeBytes: z.number().nonnegative(), totalBytes: z.number().nonnegative().optional() }).strict(),
  z
    .object({
      kind: z.literal("permission"),
      sessionId: Uuid,
      at: HostEpochMs,
      permission: z.enum(["screen", "microphone", "camera"]),
      state: z.enum(["granted", "denied", "not_determined", "restricted"]),
    })
    .strict(),
  z.object({ kind: z.literal("write_failed"), sessionId: Uuid, at: HostEpochMs, service: CaptureServiceNameSchema, code: z.string().max(40), message: z.string().max(500).optional() }).strict(),
  z.object({ kind: z.literal("buffer"), sessionId: Uuid, at: HostEpochMs, service: CaptureServiceNameSchema, fill: z.number().min(0).max(1) }).strict(),
]);
export type RecordingHealth = z.infer<typeof RecordingHealthSchema>;

export const ServiceStateSchema = z.enum(["idle", "initializing", "active", "paused", "stopping", "stopped", "error"]);
export const ServiceHealthSchema = z.enum(["healthy", "degraded", "failed"]);

/** One capture service as `session.state` and `session.get` report it. */
export const CaptureServiceStatusSchema = z.object({
  state: ServiceStateSchema,
  health: ServiceHealthSchema,
  enabled: z.boolean(),
  lastActivity: EpochMs.nullable(),
  errorCount: z.number().int().nonnegative(),
  metrics: z.object({ itemsRecorded: z.number().int().nonnegative(), droppedItems: z.number().int().nonnegative(), averageLatency: z.number().nonnegative() }),
});
export type CaptureServiceStatus = z.infer<typeof CaptureServiceStatusSchema>;

export const HealthKindSchema = z.enum(["silence", "stalled", "drops", "low_disk", "permission_revoked", "write_failed", "buffer", "rejected_item"]);
export type HealthKind = z.infer<typeof HealthKindSchema>;

/** Engine event `capture.health`; also kept as a warning in the integrity report. */
export const CaptureHealthEventSchema = z.object({
  sessionId: Uuid,
  service: z.enum(["screenshots", "audio", "video", "disk", "recorder"]),
  kind: HealthKindSchema,
  severity: z.enum(["info", "warning", "critical"]),
  /** True when a condition has cleared (the stalled source is back). */
  resolved: z.boolean(),
  message: z.string(),
  at: EpochMs,
  sessionTimeMs: z.number().int().nonnegative(),
  health: ServiceHealthSchema,
});
export type CaptureHealthEvent = z.infer<typeof CaptureHealthEventSchema>;

export const MarkerSchema = z.object({
  id: Uuid,
  sessionId: Uuid,
  /** Session time (paused spans excluded) when the marker was added. */
  sessionTimeMs: z.number().int().nonnegative(),
  at: EpochMs,
  note: z.string().max(2_000).optional(),
});
export type Marker = z.infer<typeof MarkerSchema>;

export const GapSchema = z.object({ from: EpochMs, to: EpochMs, durationMs: z.number().int().nonnegative() });
export type Gap = z.infer<typeof GapSchema>;

export const SourceIntegritySchema = z.object({
  enabled: z.boolean(),
  items: z.number().int().nonnegative(),
  expected: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  duplicates: z.number().int().nonnegative(),
  gaps: z.array(GapSchema),
});
export type SourceIntegrity = z.infer<typeof SourceIntegritySchema>;

/** Saved with the session when it ends. */
export const IntegrityReportSchema = z.object({
  sessionId: Uuid,
  generatedAt: EpochMs,
  status: z.enum(["ok", "degraded", "failed"]),
  interrupted: z.boolean(),
  activeMs: z.number().int().nonnegative(),
  pausedMs: z.number().int().nonnegative(),
  pauses: z.number().int().nonnegative(),
  markers: z.number().int().nonnegative(),
  sources: z.object({ screenshots: SourceIntegritySchema, audio: SourceIntegritySchema, video: SourceIntegritySchema }),
  warnings: z.array(CaptureHealthEventSchema),
});
export type IntegrityReport = z.infer<typeof IntegrityReportSchema>;
