/** The `session.state` event payload. */
import type { ClockPort } from "../host/index.ts";
import { sessionTimeMs, type SessionMachineContext, type SessionMachineState } from "./machine.ts";
import type { SessionRuntime } from "./runtime.ts";
import type { CaptureServiceName, CaptureServiceStatus } from "./schemas.ts";

export type SessionStatusName = "idle" | "starting" | "active" | "pausing" | "paused" | "resuming" | "ending" | "completed" | "error" | "interrupted";

export interface SessionStateEvent {
  /** The machine's exact state. */
  readonly state: SessionMachineState;
  /** The coarse status a UI shows (`interrupted` only in recovery events). */
  readonly status: SessionStatusName;
  readonly sessionId: string | null;
  readonly name: string | null;
  readonly startedAt: number | null;
  readonly endedAt: number | null;
  /** Session time so far (paused spans excluded), exact. */
  readonly activeMs: number;
  readonly pausedMs: number;
  readonly pauses: number;
  readonly services: Record<CaptureServiceName, CaptureServiceStatus> | null;
  readonly error: { readonly code: string; readonly message: string; readonly operation: string | null } | null;
  readonly at: number;
}

const STATUS: Record<SessionMachineState, SessionStatusName> = {
  idle: "idle",
  validating: "starting",
  checking_permissions: "starting",
  starting: "starting",
  active: "active",
  pausing: "pausing",
  paused: "paused",
  resuming: "resuming",
  ending: "ending",
  completed: "completed",
  discarding: "error",
  error: "error",
};

export function buildSessionState(state: SessionMachineState, context: SessionMachineContext | null, runtime: SessionRuntime | undefined, clock: ClockPort): SessionStateEvent {
  const live = runtime !== undefined && context !== null && runtime.sessionId === context.sessionId;
  return {
    state,
    status: STATUS[state],
    sessionId: context?.sessionId ?? null,
    name: context?.config?.name ?? context?.params?.name ?? null,
    startedAt: context?.startedAt ?? null,
    endedAt: context?.endedAt ?? null,
    activeMs: context === null ? 0 : Math.round(sessionTimeMs(context, clock.elapsed())),
    pausedMs: context === null ? 0 : Math.round(context.pausedMs + (context.pausedSince === null ? 0 : clock.elapsed() - context.pausedSince)),
    pauses: context?.pauses.length ?? 0,
    services: live ? runtime.services.statuses() : null,
    error: context?.error == null ? null : { code: context.error.code, message: context.error.message, operation: context.failedOperation },
    at: clock.now(),
  };
}
