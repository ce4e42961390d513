/**
 * The session machine (xstate v5): pure lifecycle logic. Effects (validation,
 * permission checks, recorder calls) are `fromPromise` actors supplied by the
 * feature, each honouring its abort signal; time comes from an injected clock
 * so pause accounting is exact under a simulated clock.
 */
import { assign, fromPromise, setup, type SnapshotFrom } from "xstate";
import type { SessionConfig, SessionStartParams } from "./schemas.ts";

/** A pause as wall-clock times (for the timeline) and its exact monotonic length. */
export interface PauseSpan {
  readonly from: number;
  readonly to: number;
  readonly durationMs: number;
}

export interface MachineError {
  readonly code: string;
  readonly message: string;
  readonly data?: unknown;
}

export type FailedOperation = "start" | "pause" | "resume" | "end";

export interface SessionMachineContext {
  sessionId: string | null;
  params: SessionStartParams | null;
  config: SessionConfig | null;
  /** Wall time when capture started (entered `active` the first time). */
  startedAt: number | null;
  endedAt: number | null;
  /** Completed active spans, monotonic milliseconds. */
  activeMs: number;
  /** Monotonic and wall time when the current active span began. */
  activeSince: number | null;
  activeSinceWall: number | null;
  pausedMs: number;
  pausedSince: number | null;
  pausedSinceWall: number | null;
  pauses: PauseSpan[];
  error: MachineError | null;
  failedOperation: FailedOperation | null;
}

export type SessionMachineEvent =
  | { type: "START"; sessionId: string; params: SessionStartParams }
  | { type: "PAUSE" }
  | { type: "RESUME" }
  | { type: "END" }
  | { type: "RETRY" }
  | { type: "DISMISS" };

export type SessionEventType = SessionMachineEvent["type"];

/** Effects the machine invokes. Each must stop waiting when `signal` aborts. */
export interface SessionEffects {
  validate(input: { sessionId: string; params: SessionStartParams }, signal: AbortSignal): Promise<SessionConfig>;
  checkPermissions(config: SessionConfig, signal: AbortSignal): Promise<void>;
  start(input: { sessionId: string; config: SessionConfig }, signal: AbortSignal): Promise<void>;
  pause(sessionId: string, signal: AbortSignal): Promise<void>;
  resume(sessionId: string, signal: AbortSignal): Promise<void>;
  stop(sessionId: string, signal: AbortSignal): Promise<void>;
  /** Cleans up after a start that failed and was dismissed. */
  discard(sessionId: string, signal: AbortSignal): Promise<void>;
}

export interface MachineClock {
  /** Wall time, epoch ms. */
  now(): number;
  /** Monotonic ms. */
  elapsed(): number;
}

export function initialContext(): SessionMachineContext {
  return {
    sessionId: null,
    params: null,
    config: null,
    startedAt: null,
    endedAt: null,
    activeMs: 0,
    activeSince: null,
    activeSinceWall: null,
    pausedMs: 0,
    pausedSince: null,
    pausedSinceWall: null,
    pauses: [],
    error: null,
    failedOperation: null,
  };
}

function toMachineError(error: unknown): MachineError {
  if (error !== null && typeof error === "object") {
    const { code, message, data } = error as { code?: unknown; message?: unknown; data?: unknown };
    return { code: typeof code === "string" ? code : "session.recorder_failed", message: typeof message === "string" ? message : String(error), ...(data === undefined ? {} : { data }) };
  }
  return { code: "session.recorder_failed", message: String(error) };
}

/** Session time so far: active spans only, monotonic. */
export function sessionTimeMs(context: SessionMachineContext, elapsedNow: number): number {
  return context.activeMs + (context.activeSince === null ? 0 : Math.max(0, elapsedNow - context.activeSince));
}

/** Rejects when `signal` aborts; otherwise settles like `promise`. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason ?? new Error("aborted"));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

export function createSessionMachine(effects: SessionEffects, clock: MachineClock) {
  const closePause = (context: SessionMachineContext): Partial<SessionMachineContext> => {
    if (context.pausedSince === null) return {};
    const durationMs = Math.max(0, clock.elapsed() - context.pausedSince);
    return {
      pausedMs: context.pausedMs + durationMs,
      pauses: [...context.pauses, { from: context.pausedSinceWall ?? clock.now(), to: clock.now(), durationMs }],
      pausedSince: null,
      pausedSinceWall: null,
    };
  };

  return setup({
    types: {
      context: {} as SessionMachineContext,
      events: {} as SessionMachineEvent,
      input: {} as { context?: SessionMachineContext } | undefined,
    },
    actors: {
      validate: fromPromise<SessionConfig, { sessionId: string; params: SessionStartParams }>(({ input, signal }) => effects.validate(input, signal)),
      checkPermissions: fromPromise<void, SessionConfig>(({ input, signal }) => effects.checkPermissions(input, signal)),
      startRecorder: fromPromise<void, { sessionId: string; config: SessionConfig }>(({ input, signal }) => effects.start(input, signal)),
      pauseRecorder: fromPromise<void, string>(({ input, signal }) => effects.pause(input, signal)),
      resumeRecorder: fromPromise<void, string>(({ input, signal }) => effects.resume(input, signal)),
      stopRecorder: fromPromise<void, string>(({ input, signal }) => effects.stop(input, signal)),
      discard: fromPromise<void, string>(({ input, signal }) => effects.discard(input, signal)),
    },
    guards: {
      failedAt: ({ context }, operation: FailedOperation) => context.failedOperation === operation,
    },
    actions: {
      beginSession: assign(({ event }) => {
        if (event.type !== "START") return {};
        return { ...initialContext(), sessionId: event.sessionId, params: event.params };
      }),
      enterActive: assign(({ context }) => ({
        ...closePause(context),
        startedAt: context.startedAt ?? clock.now(),
        activeSince: clock.elapsed(),
        activeSinceWall: clock.now(),
        error: null,
        failedOperation: null,
      })),
      leaveActive: assign(({ context }) => ({
        activeMs: sessionTimeMs(context, clock.elapsed()),
        activeSince: null,
        activeSinceWall: null,
      })),
      beginPause: assign(({ context }) => (context.pausedSince === null ? { pausedSince: clock.elapsed(), pausedSinceWall: clock.now() } : {})),
      closePause: assign(({ context }) => closePause(context)),
      markEnded: assign(() => ({ endedAt: clock.now(), error: null, failedOperation: null })),
      clearError: assign(() => ({ error: null })),
      recordFailure: assign(({ event }, operation: FailedOperation) => ({
        error: toMachineError((event as { error?: unknown }).error),
        failedOperation: operation,
      })),
    },
  }).createMachine({
    id: "session",
    initial: "idle",
    context: ({ input }) => input?.context ?? initialContext(),
    states: {
      idle: {
        on: { START: { target: "validating", actions: "beginSession" } },
      },
      validating: {
        invoke: {
          src: "validate",
          input: ({ context }) => ({ sessionId: context.sessionId!, params: context.params! }),
          onDone: { target: "checking_permissions", actions: assign(({ event }) => ({ config: event.output })) },
          // A refused configuration starts nothing: back to idle, the error kept for the caller.
          onError: { target: "idle", actions: assign(({ event }) => ({ error: toMachineError(event.error), sessionId: null, params: null })) },
        },
      },
      checking_permissions: {
        invoke: {
          src: "checkPermissions",
          input: ({ context }) => context.config!,
          onDone: { target: "starting" },
          onError: { target: "error", actions: { type: "recordFailure", params: "start" } },
        },
      },
      starting: {
        invoke: {
          src: "startRecorder",
          input: ({ context }) => ({ sessionId: context.sessionId!, config: context.config! }),
          onDone: { target: "active" },
          onError: { target: "error", actions: { type: "recordFailure", params: "start" } },
        },
      },
      active: {
        entry: "enterActive",
        exit: "leaveActive",
        on: { PAUSE: "pausing", END: "ending" },
      },
      pausing: {
        entry: "beginPause",
        invoke: {
          src: "pauseRecorder",
          input: ({ context }) => context.sessionId!,
          onDone: { target: "paused" },
          onError: { target: "error", actions: { type: "recordFailure", params: "pause" } },
        },
      },
      paused: {
        on: { RESUME: "resuming", END: "ending" },
      },
      resuming: {
        invoke: {
          src: "resumeRecorder",
          input: ({ context }) => context.sessionId!,
          onDone: { target: "active" },
          onError: { target: "error", actions: { type: "recordFailure", params: "resume" } },
        },
      },
      ending: {
        entry: "closePause",
        invoke: {
          src: "stopRecorder",
          input: ({ context }) => context.sessionId!,
          onDone: { target: "completed", actions: "markEnded" },
          onError: { target: "error", actions: { type: "recordFailure", params: "end" } },
        },
      },
      completed: {
        on: { START: { target: "validating", actions: "beginSession" } },
      },
      discarding: {
        invoke: {
          src: "discard",
          input: ({ context }) => context.sessionId!,
          onDone: { target: "idle", actions: assign(() => initialContext()) },
          onError: { target: "idle", actions: assign(() => initialContext()) },
        },
      },
      error: {
        on: {
          RETRY: [
            { guard: { type: "failedAt", params: "start" }, target: "checking_permissions", actions: "clearError" },
            { guard: { type: "failedAt", params: "pause" }, target: "pausing", actions: "clearError" },
            { guard: { type: "failedAt", params: "resume" }, target: "resuming", actions: "clearError" },
            { guard: { type: "failedAt", params: "end" }, target: "ending", actions: "clearError" },
          ],
          DISMISS: [
            { guard: { type: "failedAt", params: "start" }, target: "discarding" },
            // A failed pause leaves capture running: back to active (the pause span closes there).
            { guard: { type: "failedAt", params: "pause" }, target: "active" },
            { guard: { type: "failedAt", params: "resume" }, target: "paused", actions: "clearError" },
            // A failed stop is accepted as the end: what was captured is kept.
            { guard: { type: "failedAt", params: "end" }, target: "completed", actions: "markEnded" },
          ],
        },
      },
    },
  });
}

export type SessionMachine = ReturnType<typeof createSessionMachine>;
export type SessionMachineSnapshot = SnapshotFrom<SessionMachine>;
export type SessionMachineState =
  | "idle"
  | "validating"
  | "checking_permissions"
  | "starting"
  | "active"
  | "pausing"
  | "paused"
  | "resuming"
  | "ending"
  | "completed"
  | "discarding"
  | "error";

/** States in which a started session holds the recorder. */
export const CAPTURING_STATES: readonly SessionMachineState[] = ["starting", "active", "pausing", "paused", "resuming", "ending", "error"];
