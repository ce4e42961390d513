import type { Stage } from "./types.ts";
import type { AudioReview, Chapter, ScreenshotAnalysisItem, SummaryOutput, TranscriptSegment } from "./providers/schemas.ts";
import type { Evidence } from "./types.ts";

/** What enrichment reads of a session. Refs are sequence numbers (screenshots, audio) or marker ids, as strings. */
export interface SessionView {
  readonly id: string;
  readonly name: string;
  /** `completed` or `interrupted` sessions can be enriched. */
  readonly status: string;
  readonly durationMs: number;
  readonly screenshots: readonly { readonly ref: string; readonly t: number; readonly attachmentId: string; readonly width: number; readonly height: number; readonly isDuplicate: boolean; readonly mimeType: string }[];
  readonly audio: readonly { readonly ref: string; readonly tStart: number; readonly tEnd: number; readonly attachmentId: string; readonly silent: boolean }[];
  readonly markers: readonly { readonly ref: string; readonly t: number; readonly label: string }[];
  readonly videoSegments: readonly { readonly attachmentId: string; readonly durationMs?: number }[];
}

/** An evidence-checked item as saved. */
export type Checked<T> = T & { readonly evidence: Evidence[]; readonly flagged: boolean };

/** Everything a finished job saves. */
export interface EnrichmentResults {
  readonly provider: string;
  readonly local: boolean;
  readonly screenshots: readonly ScreenshotAnalysisItem[];
  readonly transcript: readonly TranscriptSegment[];
  readonly audioReview?: AudioReview;
  readonly chapters: readonly Checked<Chapter>[];
  readonly summary: Omit<SummaryOutput, "points" | "tasks" | "notes"> & {
    readonly points: readonly Checked<SummaryOutput["points"][number]>[];
    readonly tasks: readonly Checked<SummaryOutput["tasks"][number]>[];
    readonly notes: readonly Checked<SummaryOutput["notes"][number]>[];
  };
  readonly flagged: number;
}

/** Progress as the session's `enrichmentStatus` shows it. */
export interface EnrichmentStatusUpdate {
  readonly status: "queued" | "running" | "completed" | "failed" | "cancelled";
  readonly stage: Stage;
  readonly progress: number;
  readonly totalCost: number;
  readonly lastError?: string;
  readonly jobId: string;
}

/** What media processing hands back to be kept: the merged file as the host wrote it. */
export interface SavedMedia {
  readonly audioPath?: string;
  readonly mergedPath?: string;
  readonly merged?: { readonly path: string; readonly sha256: string; readonly size: number; readonly hasAudio: boolean };
}

/** The port between enrichment and where sessions live (storage, or memory in tests). */
export interface SessionSource {
  load(sessionId: string): Promise<SessionView | undefined>;
  /** A path the host can open for an attachment (speech, vision, media). */
  pathOf(attachmentId: string): string;
  read(attachmentId: string): Promise<Uint8Array>;
  saveResults(sessionId: string, results: EnrichmentResults, at: number): Promise<void>;
  setStatus(sessionId: string, update: EnrichmentStatusUpdate): Promise<void>;
  /** Adopts the merged video media processing produced into the attachment store and records it on the session. */
  saveMedia?(sessionId: string, media: SavedMedia): Promise<void>;
}
