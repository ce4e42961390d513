import * as z from "zod";

/** Which provider does the AI work. `local` never touches the network. */
export const ProviderNameSchema = z.enum(["local", "anthropic", "openai", "local-server"]);
export type ProviderName = z.infer<typeof ProviderNameSchema>;

export const JobPrioritySchema = z.enum(["high", "normal", "low"]);
export type JobPriority = z.infer<typeof JobPrioritySchema>;

export const JobStatusSchema = z.enum(["waiting", "active", "delayed", "completed", "failed", "cancelled"]);
export type JobStatus = z.infer<typeof JobStatusSchema>;

export const StageSchema = z.enum([
  "queued",
  "validating",
  "estimating",
  "acquiring-lock",
  "media",
  "audio",
  "screenshots",
  "chapters",
  "summary",
  "completed",
  /** The job was refused a paid call: the session cap or the monthly budget would be passed. */
  "stopped-at-cap",
  "failed",
  "cancelled",
]);
export type Stage = z.infer<typeof StageSchema>;

/** A link from a result back to the moment it came from (session-relative milliseconds). */
export const EvidenceSchema = z.object({
  tStart: z.number().min(0),
  tEnd: z.number().min(0),
  kind: z.enum(["screenshot", "audio", "marker"]),
  ref: z.string().min(1).max(200),
});
export type Evidence = z.infer<typeof EvidenceSchema>;

/** What a job is asked to do; persisted with the job. */
export const EnrichmentOptionsSchema = z.object({
  provider: ProviderNameSchema.optional(),
  /** OpenAI-compatible server on this machine (Ollama, LM Studio, llama.cpp) for `local-server`. */
  localServerUrl: z.string().min(1).max(500).optional(),
  /** Per-session cap in USD; the estimate must fit under it before anything is spent. */
  maxCost: z.number().min(0).optional(),
  /** Allow the Anthropic Message Batches API (slower, half price). */
  allowBatch: z.boolean().optional(),
  /** Keep screenshots on this machine: never send an image to a cloud provider. */
  keepScreenshotsLocal: z.boolean().optional(),
  /**
   * Send screenshots to a cloud provider even where the host cannot read their text
   * on the device (so cannot black out secrets on them). Off by default.
   */
  allowUnreadScreenshots: z.boolean().optional(),
  redactEmails: z.boolean().optional(),
  screenshotModel: z.string().min(1).max(100).optional(),
  summaryModel: z.string().min(1).max(100).optional(),
  chaptersModel: z.string().min(1).max(100).optional(),
  transcriptionModel: z.string().min(1).max(100).optional(),
  /** Who transcribes audio; by default the job's provider when it can, else on-device speech. */
  transcriptionProvider: z.enum(["local", "openai"]).optional(),
  /** Approximate input-token budget per screenshot; the image is downscaled to fit. */
  screenshotTokenBudget: z.number().int().min(50).max(5000).optional(),
  /** Screenshots per request (or per batch entry). */
  screenshotsPerRequest: z.number().int().min(1).max(20).optional(),
});
export type EnrichmentOptions = z.infer<typeof EnrichmentOptionsSchema>;

export const JobErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  kind: z.enum(["non-retryable", "retry-after", "backoff", "cancelled", "poison"]),
  at: z.number(),
});
export type JobError = z.infer<typeof JobErrorSchema>;

/** A persisted queue entry. */
export const JobRecordSchema = z.object({
  id: z.string().min(1),
  sessionId: z.string().min(1),
  priority: JobPrioritySchema,
  status: JobStatusSchema,
  stage: StageSchema,
  /** 0–1 within the whole job. */
  progress: z.number().min(0).max(1),
  /** Failed attempts that were retried. */
  attempts: z.number().int().min(0),
  /** Incremented and persisted before every start; a crash loop shows up here. */
  starts: z.number().int().min(0),
  /** Global FIFO order among equal priorities. */
  seq: z.number().int().min(0),
  leaseExpiresAt: z.number().optional(),
  nextRunAt: z.number().optional(),
  lastError: JobErrorSchema.optional(),
  /** The step that failed last and how many times in a row (retries are bounded per step). */
  failingStep: z.object({ id: z.string(), attempts: z.number().int().min(1), billable: z.number().int().min(0).default(0) }).optional(),
  options: EnrichmentOptionsSchema,
  cost: z.object({ estimatedUsd: z.number().optional(), actualUsd: z.number() }),
  redactions: z.number().int().min(0),
  mediaReady: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
});
export type JobRecord = z.infer<typeof JobRecordSchema>;

/** Reported usage of one provider call. */
export const UsageSchema = z.object({
  provider: ProviderNameSchema,
  model: z.string(),
  inputTokens: z.number().min(0).default(0),
  outputTokens: z.number().min(0).default(0),
  audioSeconds: z.number().min(0).default(0),
  images: z.number().int().min(0).default(0),
  batch: z.boolean().default(false),
});
export type Usage = z.infer<typeof UsageSchema>;

export const LedgerEntrySchema = z.object({
  id: z.string(),
  jobId: z.string(),
  sessionId: z.string(),
  stepId: z.string(),
  at: z.number(),
  month: z.string(),
  usage: UsageSchema,
  costUsd: z.number().min(0),
  /** Set when the session was deleted: `sessionId` then reads "deleted"; the cost stays. */
  sessionDeletedAt: z.number().optional(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/** Per-stage cost estimate in USD. */
export interface CostEstimate {
  readonly provider: ProviderName;
  readonly stages: { readonly audio: number; readonly screenshots: number; readonly chapters: number; readonly summary: number };
  readonly totalUsd: number;
  readonly screenshotsToAnalyse: number;
  readonly imageTokensEach: number;
  readonly audioMinutes: number;
  readonly models: { readonly screenshot: string; readonly summary: string; readonly transcription?: string };
}
