import { EngineError } from "../../bridge/index.ts";
import type { EnrichmentPlan } from "../plan.ts";
import type { TimelineContext } from "../providers/port.ts";
import type { AudioReview, ScreenshotAnalysisItem, TranscriptSegment } from "../providers/schemas.ts";
import type { SessionView } from "../session-source.ts";
import type { CostEstimate } from "../types.ts";
import { perform, type BatchCollected, type SagaStep, type StepResults } from "./steps.ts";

export interface SagaInput {
  readonly sessionId: string;
  readonly plan: EnrichmentPlan;
  /** Media was processed elsewhere (the Mac app): skip the media stage. */
  readonly mediaReady: boolean;
}

export interface SagaOutcome {
  readonly estimate: CostEstimate;
  readonly flagged: number;
  readonly chapters: number;
  readonly tasks: number;
  readonly notes: number;
}

/** Stage progress bands of the whole job. */
const BANDS = { validating: 0.01, estimating: 0.03, "acquiring-lock": 0.05, media: 0.08, audio: 0.2, screenshots: 0.45, chapters: 0.8, summary: 0.9 } as const;

function stage(name: keyof typeof BANDS, within = 0, next?: keyof typeof BANDS): SagaStep {
  const from = BANDS[name];
  const to = next === undefined ? from : BANDS[next];
  return { kind: "stage", stage: name, progress: from + (to - from) * within };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function timelineContext(session: SessionView, screenshots: readonly ScreenshotAnalysisItem[], transcript: readonly TranscriptSegment[], extra: Partial<TimelineContext> = {}): TimelineContext {
  const byRef = new Map(screenshots.map((item) => [item.ref, item]));
  return {
    sessionName: session.name,
    durationMs: session.durationMs,
    screenshots: session.screenshots
      .filter((shot) => byRef.has(shot.ref))
      .map((shot) => {
        const item = byRef.get(shot.ref)!;
        return { ref: shot.ref, t: shot.t, activity: item.activity, application: item.application, details: item.details };
      }),
    transcript,
    markers: session.markers,
    screenshotTotal: session.screenshots.length,
    ...extra,
  };
}

/**
 * The enrichment saga: decides what happens, in order, as typed steps. It
 * performs no effect itself, so the runner can checkpoint, replay and stop it.
 */
export async function* enrichmentSaga(input: SagaInput): AsyncGenerator<SagaStep, SagaOutcome, unknown> {
  const { plan } = input;
  yield stage("validating");
  const session = yield* perform<"load">({ kind: "load" });
  if (session.status !== "completed" && session.status !== "interrupted") {
    throw new EngineError("session.invalid_transition", `session ${session.id} is ${session.status}; only ended sessions are enriched`);
  }

  yield stage("estimating");
  const estimate = yield* perform<"estimate">({ kind: "estimate", id: "estimate", session });

  yield stage("acquiring-lock");
  yield* perform<"lock">({ kind: "lock", id: "lock" });

  yield stage("media");
  if (!input.mediaReady) yield* perform<"media">({ kind: "media", id: "media", session });

  yield stage("audio", 0, "screenshots");
  const transcript: TranscriptSegment[] = [];
  const speech = session.audio.filter((segment) => !segment.silent);
  for (const [index, segment] of speech.entries()) {
    transcript.push(...(yield* perform<"transcribe">({ kind: "transcribe", id: `audio.transcribe.${segment.ref}`, segment })));
    yield stage("audio", ((index + 1) / speech.length) * 0.9, "screenshots");
  }
  let audioReview: AudioReview | undefined;
  if (transcript.some((segment) => segment.text.trim() !== "")) {
    audioReview = yield* perform<"review-audio">({ kind: "review-audio", id: "audio.review", context: timelineContext(session, [], transcript) });
  }

  yield stage("screenshots", 0, "chapters");
  const shots = session.screenshots.filter((shot) => !shot.isDuplicate);
  const groups = chunk(shots, plan.perRequest);
  const analysed: ScreenshotAnalysisItem[] = [];
  if (plan.batch && plan.screenshots === "anthropic" && groups.length > 1) {
    const handle = yield* perform<"batch-submit">({ kind: "batch-submit", id: "screenshots.batch.submit", groups });
    yield stage("screenshots", 0.3, "chapters");
    const collected: unknown = yield* perform<"batch-collect">({ kind: "batch-collect", id: "screenshots.batch.collect", handle });
    // A checkpoint from before failed groups were tracked holds the items alone.
    const batch = Array.isArray(collected) ? { items: collected as ScreenshotAnalysisItem[], failedGroups: [] } : (collected as BatchCollected);
    analysed.push(...batch.items);
    // Entries the batch could not answer go again, each on its own, with the usual bounded retries.
    for (const index of batch.failedGroups) {
      const group = groups[index];
      if (group !== undefined) analysed.push(...(yield* perform<"analyse">({ kind: "analyse", id: `screenshots.analyse.${index}`, shots: group })));
    }
  } else {
    for (const [index, group] of groups.entries()) {
      analysed.push(...(yield* perform<"analyse">({ kind: "analyse", id: `screenshots.analyse.${index}`, shots: group })));
      yield stage("screenshots", (index + 1) / groups.length, "chapters");
    }
  }

  yield stage("chapters");
  const chapters = yield* perform<"chapters">({ kind: "chapters", id: "chapters", context: timelineContext(session, analysed, transcript, { audioReview }) });

  yield stage("summary");
  const summary = yield* perform<"summary">({ kind: "summary", id: "summary", context: timelineContext(session, analysed, transcript, { chapters, audioReview }) });

  const saved: StepResults["save"] = yield* perform<"save">({
    kind: "save",
    id: "save",
    session,
    draft: { provider: plan.provider, local: plan.provider === "local", screenshots: analysed, transcript, audioReview, chapters, summary },
  });
  return { estimate, flagged: saved.flagged, chapters: saved.results.chapters.length, tasks: saved.results.summary.tasks.length, notes: saved.results.summary.notes.length };
}
