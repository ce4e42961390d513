import type { ProviderName, Usage } from "../types.ts";
import type { AudioReview, Chapter, ScreenshotAnalysisItem, SummaryOutput, TranscriptSegment } from "./schemas.ts";

/** Per-call context: the job's abort signal and this call's deadline. */
export interface CallContext {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Every provider answer carries the usage the provider reported for it. */
export interface ProviderResult<T> {
  readonly value: T;
  readonly usage: readonly Usage[];
}

/** One audio file to transcribe; times are session-relative. */
export interface AudioInput {
  readonly ref: string;
  readonly tStart: number;
  readonly tEnd: number;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly fileName: string;
  /** Absolute or data-relative path, for on-device speech. */
  readonly path: string;
}

/** One screenshot as sent: already downscaled and, when asked, kept local. */
export interface ImageInput {
  readonly ref: string;
  readonly t: number;
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly width: number;
  readonly height: number;
  readonly path: string;
}

/** The text a provider sees for chapters, audio review and summary (already redacted). */
export interface TimelineContext {
  readonly sessionName: string;
  readonly durationMs: number;
  readonly screenshots: readonly { readonly ref: string; readonly t: number; readonly activity: string; readonly application: string; readonly details: string }[];
  readonly transcript: readonly TranscriptSegment[];
  readonly markers: readonly { readonly ref: string; readonly t: number; readonly label: string }[];
  readonly chapters?: readonly Chapter[];
  readonly audioReview?: AudioReview;
  /** Every screenshot of the session, duplicates included (what the session header counts). */
  readonly screenshotTotal?: number;
}

/** Models chosen for this job. */
export interface ModelChoice {
  readonly screenshot: string;
  readonly summary: string;
  /** Chapters are segmentation work: a cheaper model serves; defaults to `summary`. */
  readonly chapters?: string;
  readonly transcription: string;
}

/** A submitted Message Batch. */
export interface BatchHandle {
  readonly batchId: string;
  readonly customIds: readonly string[];
}

/** The one port every provider implements. */
export interface EnrichmentProvider {
  readonly name: ProviderName;
  /** True when nothing leaves the machine. */
  readonly local: boolean;
  /** Absent when the provider cannot transcribe (Anthropic). */
  transcribe?(input: AudioInput, context: CallContext): Promise<ProviderResult<TranscriptSegment[]>>;
  analyseScreenshots(images: readonly ImageInput[], context: CallContext): Promise<ProviderResult<ScreenshotAnalysisItem[]>>;
  /** Bulk, slower and cheaper (Anthropic Message Batches); absent elsewhere. */
  submitScreenshotBatch?(groups: readonly (readonly ImageInput[])[], context: CallContext): Promise<BatchHandle>;
  /** Undefined while the batch is still processing; `failed` names the entries (custom ids) that errored, expired or answered invalidly. */
  collectScreenshotBatch?(handle: BatchHandle, context: CallContext): Promise<(ProviderResult<ScreenshotAnalysisItem[]> & { readonly failed?: readonly string[] }) | undefined>;
  reviewAudio(context: TimelineContext, call: CallContext): Promise<ProviderResult<AudioReview>>;
  chapters(context: TimelineContext, call: CallContext): Promise<ProviderResult<Chapter[]>>;
  summary(context: TimelineContext, call: CallContext): Promise<ProviderResult<SummaryOutput>>;
}
