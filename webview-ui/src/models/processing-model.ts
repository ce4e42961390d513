import { computed, signal } from "@preact/signals";
import { EVENTS, type SessionRow, type StintApi } from "../bridge/api.ts";
import { createDisposer, toErrorView, type ErrorView } from "./async-state.ts";

export type StageStatus = "pending" | "running" | "completed" | "failed" | "skipped";
export interface Stage {
  readonly key: "audio" | "video" | "enrich";
  readonly label: string;
  readonly status: StageStatus;
  readonly progress: number;
  readonly error?: string;
}

/** Enrichment job stages that come after media processing. */
const PAST_MEDIA = new Set(["audio", "screenshots", "chapters", "summary", "completed"]);

const LABELS: Record<Stage["key"], string> = { audio: "Combining audio", video: "Optimizing video", enrich: "Enriching" };

function sessionOf(params: unknown): string | undefined {
  const p = (params ?? {}) as Record<string, unknown>;
  return typeof p.sessionId === "string" ? p.sessionId : undefined;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isFinite(value) ? value : fallback;
}

/**
 * After a recording ends: media stages then enrichment, from engine events,
 * with a periodic check of the session so a missed event never leaves it spinning.
 */
export function createProcessingModel(api: StintApi, sessionId: string, options: { readonly pollMs?: number } = {}) {
  const stages = signal<Record<Stage["key"], Stage>>({
    audio: { key: "audio", label: LABELS.audio, status: "pending", progress: 0 },
    video: { key: "video", label: LABELS.video, status: "pending", progress: 0 },
    enrich: { key: "enrich", label: LABELS.enrich, status: "pending", progress: 0 },
  });
  const row = signal<SessionRow | undefined>(undefined);
  const error = signal<ErrorView | undefined>(undefined);
  const done = computed(() => stages.value.enrich.status === "completed" || row.value?.enrichment.state === "completed" || Object.values(stages.value).every((s) => s.status === "skipped"));
  const failed = computed(() => Object.values(stages.value).find((s) => s.status === "failed"));
  const disposer = createDisposer();

  function update(key: Stage["key"], patch: Partial<Stage>): void {
    stages.value = { ...stages.peek(), [key]: { ...stages.peek()[key], ...patch } };
  }

  disposer.add(
    api.client.on(EVENTS.mediaProgress, (params) => {
      if (sessionOf(params) !== sessionId) return;
      const p = params as Record<string, unknown>;
      // The media processor reports 0–0.5 while combining audio and 0.5–1 while merging video.
      const overall = numberOr(p.progress, 0);
      const detail = typeof p.detail === "string" ? p.detail : undefined;
      if (p.stage === "concat") update("audio", { status: overall >= 0.5 ? "completed" : "running", progress: Math.min(1, overall * 2) });
      else if (p.stage === "merge") {
        update("audio", { status: "completed", progress: 1 });
        update("video", { status: "running", progress: Math.max(0, (overall - 0.5) * 2) });
      } else if (p.stage === "done") {
        // "done" covers a session with audio but no video: the video stage ran only if a merge was reported.
        const merged = stages.peek().video.status === "running" || stages.peek().video.status === "completed";
        const audioRan = stages.peek().audio.status !== "pending";
        update("audio", audioRan ? { status: "completed", progress: 1 } : { status: "skipped", ...(detail === undefined ? {} : { error: detail }) });
        update("video", merged ? { status: "completed", progress: 1 } : { status: "skipped", ...(detail === undefined ? {} : { error: detail }) });
      } else if (p.stage === "skipped") {
        const audioRan = stages.peek().audio.status !== "pending";
        update("audio", audioRan ? { status: "completed", progress: 1 } : { status: "skipped", ...(detail === undefined ? {} : { error: detail }) });
        update("video", { status: "skipped", ...(detail === undefined ? {} : { error: detail }) });
      } else if (p.stage === "failed" || typeof p.error === "string") update(stages.peek().video.status === "running" ? "video" : "audio", { status: "failed", error: String(p.error ?? detail ?? "media processing failed") });
    }),
  );
  let jobId: string | undefined;
  disposer.add(
    api.client.on(EVENTS.jobProgress, (params) => {
      if (sessionOf(params) !== sessionId) return;
      const p = params as Record<string, unknown>;
      if (typeof p.jobId === "string") jobId = p.jobId;
      // The job's own media stage runs the media processor; past it, the media stages are done.
      if (typeof p.stage === "string" && PAST_MEDIA.has(p.stage)) {
        for (const key of ["audio", "video"] as const) if (stages.peek()[key].status === "pending" || stages.peek()[key].status === "running") update(key, { status: "completed", progress: 1 });
      }
      update("enrich", { status: "running", progress: numberOr(p.progress, stages.peek().enrich.progress), ...(typeof p.stage === "string" ? { label: `${LABELS.enrich}: ${p.stage}` } : {}) });
    }),
  );
  disposer.add(api.client.on(EVENTS.jobCompleted, (params) => sessionOf(params) === sessionId && update("enrich", { status: "completed", progress: 1, label: LABELS.enrich })));
  disposer.add(
    api.client.on(EVENTS.jobFailed, (params) => {
      if (sessionOf(params) !== sessionId) return;
      const p = params as Record<string, unknown>;
      if (typeof p.jobId === "string") jobId = p.jobId;
      // The queue reports `error` (or `lastError`) as { code, message } or a string.
      const raw = (p.error ?? p.lastError) as { message?: unknown } | string | undefined;
      const reason = typeof raw === "string" ? raw : typeof raw?.message === "string" ? raw.message : "Enrichment failed.";
      update("enrich", { status: "failed", error: reason });
    }),
  );

  async function check(): Promise<void> {
    try {
      const detail = await api.session(sessionId);
      row.value = detail.session;
      const e = detail.session.enrichment;
      if (e.state === "completed") {
        for (const key of ["audio", "video", "enrich"] as const) if (stages.peek()[key].status !== "skipped") update(key, { status: "completed", progress: 1 });
      } else if (e.state === "failed") update("enrich", { status: "failed", error: e.error ?? "Enrichment failed." });
      else if (e.state === "running") update("enrich", { status: "running", progress: e.progress ?? stages.peek().enrich.progress });
      error.value = undefined;
    } catch (cause) {
      error.value = toErrorView("Checking the session", cause);
    }
  }
  // An engine without enrichment has nothing to process: say so instead of waiting.
  const noEnrichment = signal(false);
  void api.methods().then(
    (methods) => {
      if (methods.some((m) => m.startsWith("enrichment."))) return;
      noEnrichment.value = true;
      for (const key of ["audio", "video", "enrich"] as const) if (stages.peek()[key].status === "pending") update(key, { status: "skipped", progress: 0 });
    },
    () => undefined,
  );
  void check();
  const poll = setInterval(() => {
    if (!done.peek()) void check();
  }, options.pollMs ?? 2_000);
  disposer.add(() => clearInterval(poll));

  return {
    sessionId,
    stages,
    noEnrichment,
    row,
    error,
    done,
    failed,
    async retry(): Promise<void> {
      error.value = undefined;
      try {
        if (jobId !== undefined) await api.client.request("enrichment.retry", { jobId });
        else await api.retryEnrichment(sessionId);
        update("enrich", { status: "running", progress: 0, error: undefined } as Partial<Stage>);
      } catch (cause) {
        error.value = toErrorView("Retrying enrichment", cause);
      }
    },
    dispose: disposer.dispose,
  };
}
export type ProcessingModel = ReturnType<typeof createProcessingModel>;
