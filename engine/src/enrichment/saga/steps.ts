import type { CostEstimate, Stage } from "../types.ts";
import type { BatchHandle, TimelineContext } from "../providers/port.ts";
import type { AudioReview, Chapter, ScreenshotAnalysisItem, SummaryOutput, TranscriptSegment } from "../providers/schemas.ts";
import type { EnrichmentResults, SessionView } from "../session-source.ts";

type Shot = SessionView["screenshots"][number];
type AudioRef = SessionView["audio"][number];

/**
 * The typed steps the saga yields. The saga decides; the runner performs
 * every effect. A step with an `id` is checkpointed under that stable id and
 * replayed from the checkpoint on resume instead of being performed again.
 */
export type SagaStep =
  | { readonly kind: "stage"; readonly stage: Stage; readonly progress: number }
  | { readonly kind: "load" }
  | { readonly kind: "estimate"; readonly id: "estimate"; readonly session: SessionView }
  | { readonly kind: "lock"; readonly id: "lock" }
  | { readonly kind: "media"; readonly id: "media"; readonly session: SessionView }
  | { readonly kind: "transcribe"; readonly id: string; readonly segment: AudioRef }
  | { readonly kind: "analyse"; readonly id: string; readonly shots: readonly Shot[] }
  | { readonly kind: "batch-submit"; readonly id: string; readonly groups: readonly (readonly Shot[])[] }
  | { readonly kind: "batch-collect"; readonly id: string; readonly handle: BatchHandle }
  | { readonly kind: "review-audio"; readonly id: string; readonly context: TimelineContext }
  | { readonly kind: "chapters"; readonly id: string; readonly context: TimelineContext }
  | { readonly kind: "summary"; readonly id: string; readonly context: TimelineContext }
  | { readonly kind: "save"; readonly id: "save"; readonly session: SessionView; readonly draft: ResultDraft };

/** What each step resolves to. */
export interface StepResults {
  stage: undefined;
  load: SessionView;
  estimate: CostEstimate;
  lock: { readonly acquired: true };
  media: MediaOutcome;
  transcribe: TranscriptSegment[];
  analyse: ScreenshotAnalysisItem[];
  "batch-submit": BatchHandle;
  "batch-collect": BatchCollected;
  "review-audio": AudioReview;
  chapters: Chapter[];
  summary: SummaryOutput;
  save: { readonly flagged: number; readonly results: EnrichmentResults };
}

/** A finished batch: the groups it answered, and the groups (by index) to send again one by one. */
export interface BatchCollected {
  readonly items: readonly ScreenshotAnalysisItem[];
  readonly failedGroups: readonly number[];
}

export interface MediaOutcome {
  readonly status: "done" | "skipped" | "already-done";
  readonly detail?: string;
  readonly audioPath?: string;
  readonly mergedPath?: string;
}

/** The results before evidence checking. */
export interface ResultDraft {
  readonly provider: string;
  readonly local: boolean;
  readonly screenshots: readonly ScreenshotAnalysisItem[];
  readonly transcript: readonly TranscriptSegment[];
  readonly audioReview?: AudioReview;
  readonly chapters: readonly Chapter[];
  readonly summary: SummaryOutput;
}

export type StepOf<K extends SagaStep["kind"]> = Extract<SagaStep, { kind: K }>;

/** Yields one step and returns its typed result: `const x = yield* perform(step)`. */
export function* perform<K extends SagaStep["kind"]>(step: StepOf<K>): Generator<SagaStep, StepResults[K], unknown> {
  return (yield step) as StepResults[K];
}
