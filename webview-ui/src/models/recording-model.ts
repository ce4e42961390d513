import { computed, signal } from "@preact/signals";
import { EVENTS, METHODS, type RecordingState, type StintApi } from "../bridge/api.ts";
import { createDisposer, toErrorView, type ErrorView } from "./async-state.ts";

export interface HealthWarning {
  readonly source: string;
  readonly level: "degraded" | "failed" | "warning";
  readonly message: string;
  readonly at: number;
}

const ACTIVE_STATES = new Set(["active", "starting", "validating", "checking_permissions", "resuming", "ending"]);
const PAUSED_STATES = new Set(["paused", "pausing"]);

/** Normalises what the session feature reports into the panel's view of the recording. */
export function readRecordingState(value: unknown): RecordingState | null {
  if (value === null || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  // `status` is the session feature's coarse state; `state` the machine's exact one.
  const state = typeof v.status === "string" ? v.status : typeof v.state === "string" ? v.state : undefined;
  if (state === undefined) return null;
  const sessionId = typeof v.sessionId === "string" ? v.sessionId : typeof v.id === "string" ? v.id : undefined;
  return {
    state,
    ...(sessionId === undefined ? {} : { sessionId }),
    ...(typeof v.startedAt === "number" ? { startedAt: v.startedAt } : {}),
    ...(typeof v.activeMs === "number" ? { elapsedMs: v.activeMs } : typeof v.elapsedMs === "number" ? { elapsedMs: v.elapsedMs } : {}),
  };
}

/** Recording controls: availability, state, elapsed time, health warnings, actions. */
export function createRecordingModel(api: StintApi, options: { readonly now?: () => number; readonly onEnded?: (sessionId: string | undefined) => void } = {}) {
  const now = options.now ?? Date.now;
  const available = signal<"checking" | "yes" | "no">("checking");
  const recording = signal<RecordingState | null>(null);
  const busy = signal<string | undefined>(undefined);
  const error = signal<ErrorView | undefined>(undefined);
  const warnings = signal<HealthWarning[]>([]);
  const clock = signal(now());
  /** Elapsed at the last state report, and when it was reported (for a smooth counter). */
  let base = { elapsedMs: 0, at: now() };
  const disposer = createDisposer();

  const phase = computed<"idle" | "recording" | "paused">(() => {
    const state = recording.value?.state;
    if (state === undefined) return "idle";
    if (PAUSED_STATES.has(state)) return "paused";
    if (ACTIVE_STATES.has(state)) return "recording";
    return "idle";
  });
  const elapsedMs = computed(() => (phase.value === "recording" ? base.elapsedMs + (clock.value - base.at) : phase.value === "paused" ? base.elapsedMs : 0));

  /** Bumped by every state change, so a slow `session.get` cannot overwrite a newer event. */
  let version = 0;

  function apply(next: RecordingState | null): void {
    version++;
    recording.value = next;
    base = { elapsedMs: next?.elapsedMs ?? (next?.startedAt !== undefined ? now() - next.startedAt : 0), at: now() };
    clock.value = now();
  }

  const ticker = setInterval(() => {
    if (phase.peek() === "recording") clock.value = now();
  }, 500);
  disposer.add(() => clearInterval(ticker));
  disposer.add(
    api.client.on(EVENTS.sessionState, (params) => {
      const next = readRecordingState(params);
      const prev = recording.peek();
      apply(next !== null && (next.state === "completed" || next.state === "idle") ? null : next);
      if (next?.state === "completed" && prev !== null) options.onEnded?.(next.sessionId ?? prev.sessionId);
    }),
  );
  disposer.add(
    api.client.on(EVENTS.captureHealth, (params) => {
      const p = (params ?? {}) as Record<string, unknown>;
      const source = typeof p.service === "string" ? p.service : "capture";
      const level = p.resolved === true || p.health === "healthy" || p.severity === "info" ? undefined : p.health === "failed" || p.severity === "critical" ? "failed" : p.health === "degraded" ? "degraded" : "warning";
      const rest = warnings.peek().filter((w) => w.source !== source);
      if (level === undefined) {
        warnings.value = rest;
        return;
      }
      const message = typeof p.message === "string" ? p.message : `${source} is ${level}`;
      warnings.value = [...rest, { source, level, message, at: now() }];
    }),
  );

  const lastMarker = signal<{ readonly id: string; readonly sessionId: string; readonly t: number } | undefined>(undefined);

  async function act(label: string, run: () => Promise<unknown>): Promise<void> {
    if (busy.peek() !== undefined) return;
    busy.value = label;
    error.value = undefined;
    try {
      const result = await run();
      const next = readRecordingState(result);
      if (next !== null) apply(next.state === "completed" ? null : next);
      else await refresh();
    } catch (cause) {
      error.value = toErrorView(label, cause);
    } finally {
      busy.value = undefined;
    }
  }

  async function refresh(): Promise<void> {
    const asked = version;
    try {
      const current = readRecordingState(await api.currentRecording());
      if (version === asked) apply(current);
    } catch {
      // An engine without a current recording answers with an error; the state events still arrive.
    }
  }

  void (async () => {
    try {
      const methods = await api.methods();
      available.value = methods.includes(METHODS.recordingStart) ? "yes" : "no";
      if (available.peek() === "yes") await refresh();
    } catch (cause) {
      available.value = "no";
      error.value = toErrorView("Checking the recorder", cause);
    }
  })();

  /** The elapsed time of session `id` while it is the one being recorded (a stored duration only moves on pause and end). */
  const liveElapsed = (id: string): number | undefined => (recording.value?.sessionId === id && phase.value !== "idle" ? Math.floor(elapsedMs.value / 1000) * 1000 : undefined);

  return {
    liveElapsed,
    available,
    recording,
    phase,
    elapsedMs,
    busy,
    error,
    warnings,
    start: () => act("Starting the recording", () => api.startRecording({})),
    pause: () => act("Pausing", () => api.pauseRecording()),
    resume: () => act("Resuming", () => api.resumeRecording()),
    end: async () => {
      const sessionId = recording.peek()?.sessionId;
      await act("Ending the recording", () => api.endRecording());
      if (error.peek() === undefined) {
        recording.value = null;
        options.onEnded?.(sessionId);
      }
    },
    /** The marker just added, until it is named or the naming is skipped. */
    lastMarker,
    async marker(): Promise<void> {
      let reply: unknown;
      await act("Adding a marker", async () => (reply = await api.addMarker()));
      const marker = (reply as { marker?: { id?: unknown; sessionId?: unknown; sessionTimeMs?: unknown } } | undefined)?.marker;
      if (typeof marker?.id === "string" && typeof marker.sessionId === "string") {
        lastMarker.value = { id: marker.id, sessionId: marker.sessionId, t: typeof marker.sessionTimeMs === "number" ? marker.sessionTimeMs : elapsedMs.peek() };
      }
    },
    /** Names the marker just added; an empty name keeps the default. */
    async nameMarker(label: string): Promise<boolean> {
      const marker = lastMarker.peek();
      lastMarker.value = undefined;
      if (marker === undefined || label.trim() === "") return false;
      try {
        await api.edit(marker.sessionId, { kind: "marker", markerId: marker.id, label: label.trim() });
        return true;
      } catch (cause) {
        error.value = toErrorView("Naming the marker", cause);
        return false;
      }
    },
    skipMarkerName(): void {
      lastMarker.value = undefined;
    },
    dismissWarning(source: string) {
      warnings.value = warnings.peek().filter((w) => w.source !== source);
    },
    dispose: disposer.dispose,
  };
}
export type RecordingModel = ReturnType<typeof createRecordingModel>;
