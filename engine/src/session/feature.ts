/**
 * The session feature: bridge methods, the machine's effects (validation,
 * permissions, recorder), recording notifications, markers, persistence of the
 * machine snapshot and recovery of interrupted sessions.
 */
import { createActor, waitFor, type Actor } from "xstate";
import { defineMethod, EngineError } from "../bridge/index.ts";
import type { SessionMetadata } from "../domain/index.ts";
import type { EngineContext, Feature } from "../engine/index.ts";
import { withClock, type HostPort, type RecorderPort } from "../host/index.ts";
import { buildIntegrityReport, summarizeReport } from "./integrity.ts";
import { HealthEventsSchema, integrityFromStorage, recoverInterruptedSessions } from "./interrupted.ts";
import { CAPTURING_STATES, createSessionMachine, sessionTimeMs, type SessionMachine, type SessionMachineContext, type SessionMachineState } from "./machine.ts";
import { SessionRuntime } from "./runtime.ts";
import {
  CaptureSourceRefSchema,
  type CaptureSourceRef,
  IntegrityReportSchema,
  MarkerSchema,
  RecordingAudioSchema,
  RecordingHealthSchema,
  RecordingScreenshotSchema,
  RecordingVideoSchema,
  SessionEndParamsSchema,
  SessionGetParamsSchema,
  SessionListParamsSchema,
  SessionMarkParamsSchema,
  SessionPauseParamsSchema,
  SessionResumeParamsSchema,
  SessionStartParamsSchema,
  type IntegrityReport,
  type Marker,
} from "./schemas.ts";
import { resolveStorage, KEYS, type SessionStoragePort } from "./storage-port.ts";
import { sessionTimeAt } from "./timeline.ts";
import { createSessionEffects } from "./effects.ts";
import { createSessionDeleteCascade } from "./delete-cascade.ts";
import * as z from "zod";
import { buildSessionState, type SessionStateEvent } from "./state-event.ts";

export interface SessionEndedEvent {
  readonly sessionId: string;
  readonly metadata: SessionMetadata;
  readonly integrity: IntegrityReport;
  readonly markers: readonly Marker[];
}

/** What `ctx.features.get("session")` returns. */
export interface SessionFeature extends Feature {
  readonly name: "session";
  /** Called after a session is completed (ended or an interrupted one finalized); returns the unsubscribe. */
  onSessionEnded(listener: (event: SessionEndedEvent) => void | Promise<void>): () => void;
  getMarkers(sessionId: string): Promise<Marker[]>;
  getIntegrityReport(sessionId: string): Promise<IntegrityReport | undefined>;
  /** The machine's state now (for tests and the dev host). */
  currentState(): SessionStateEvent;
  /** Resolves once every received item and queued write of the running session is done. */
  settle(): Promise<void>;
}

export interface SessionFeatureOptions {
  /** Overrides the storage found among earlier features (tests). */
  readonly storage?: SessionStoragePort;
}

const TRANSIENT: readonly SessionMachineState[] = ["validating", "checking_permissions", "starting", "pausing", "resuming", "ending", "discarding"];
const RECORDER_ONLY = { callers: ["recorder"] } as const;
const VERBS = { START: "start", PAUSE: "pause", RESUME: "resume", END: "end", RETRY: "retry", DISMISS: "dismiss" } as const;
const MarkersSchema = z.array(MarkerSchema);

export function createSessionFeature(ctx: EngineContext, options: SessionFeatureOptions = {}): SessionFeature {
  const { logger } = ctx;
  const host = withWholeMilliseconds(ctx.host);
  const mustStorage = (): SessionStoragePort => {
    const storage = options.storage ?? resolveStorage(ctx.features);
    if (storage === undefined) throw new EngineError("engine.internal", "the session feature needs the storage feature");
    return storage;
  };
  const mustRecorder = (): RecorderPort => {
    if (host.recorder === undefined) throw new EngineError("session.recorder_unavailable", "this host has no recorder");
    return host.recorder;
  };
  const endedListeners = new Set<(event: SessionEndedEvent) => void | Promise<void>>();
  let runtime: SessionRuntime | undefined;
  let persisting: Promise<void> = Promise.resolve();
  let lastEmitted: string | undefined;

  const context = (): SessionMachineContext => actor.getSnapshot().context;
  const stateName = (): SessionMachineState => actor.getSnapshot().value as SessionMachineState;
  const timeAt = (wall: number) => {
    const c = context();
    return c.startedAt === null ? 0 : sessionTimeAt(wall, c.startedAt, c.pauses, c.pausedSinceWall);
  };

  const effects = createSessionEffects({
    host,
    recorder: mustRecorder,
    storage: mustStorage,
    logger,
    getRuntime: () => runtime,
    createRuntime: (sessionId, config) => {
      runtime = new SessionRuntime(sessionId, config, {
        host,
        storage: mustStorage(),
        logger,
        emitHealth: (event) => ctx.emit("capture.health", event),
        sessionTimeAt: timeAt,
        sessionTimeNow: () => sessionTimeMs(context(), host.clock.elapsed()),
      });
      return runtime;
    },
    dropRuntime: () => {
      runtime = undefined;
    },
    context,
    finalize: (sessionId) => finalizeSession(sessionId, false),
  });

  const machine: SessionMachine = createSessionMachine(effects, host.clock);
  const actor: Actor<SessionMachine> = createActor(machine, { input: {} });

  const currentState = (): SessionStateEvent => buildSessionState(stateName(), context(), runtime, host.clock);

  const onSnapshot = () => {
    const state = currentState();
    const key = `${state.state}:${state.sessionId ?? ""}`;
    if (key === lastEmitted) return;
    const first = lastEmitted === undefined || lastEmitted === "";
    lastEmitted = key;
    // Idle at start is what a missing snapshot means: opening a read-only or full folder writes nothing.
    if (first && state.state === "idle") {
      ctx.emit("session.state", state);
      return;
    }
    const persisted = actor.getPersistedSnapshot();
    persisting = persisting
      .then(() => mustStorage().store.putJson(KEYS.machine, persisted, { priority: "critical" }))
      .catch((error: unknown) => logger.error("session machine snapshot not saved", { error }));
    ctx.emit("session.state", state);
  };

  async function loadMarkers(sessionId: string): Promise<Marker[]> {
    return (await mustStorage().store.getJson(KEYS.markers(sessionId), MarkersSchema)) ?? [];
  }

  async function notifyEnded(event: SessionEndedEvent): Promise<void> {
    for (const listener of endedListeners) {
      try {
        await listener(event);
      } catch (error) {
        logger.error("session ended listener failed", { sessionId: event.sessionId, error });
      }
    }
  }

  /** Writes the integrity report and completes the metadata of a session the machine just stopped (or an interrupted one). */
  async function finalizeSession(sessionId: string, interrupted: boolean): Promise<SessionEndedEvent> {
    const storage = mustStorage();
    const now = host.clock.now();
    const markers = await loadMarkers(sessionId);
    let report: IntegrityReport;
    let activeMs: number;
    if (!interrupted && runtime !== undefined && runtime.sessionId === sessionId) {
      await runtime.drain();
      const c = context();
      activeMs = c.activeMs;
      report = buildIntegrityReport({
        sessionId,
        services: runtime.services,
        activeMs,
        pausedMs: c.pausedMs,
        pauses: c.pauses.length,
        markers: markers.length,
        warnings: runtime.monitor.events,
        interrupted: false,
        now,
      });
    } else {
      ({ report, activeMs } = await integrityFromStorage(storage, sessionId, markers.length, now));
    }
    await storage.store.putJson(KEYS.integrity(sessionId), report, { priority: "critical" });
    const metadata = await storage.sessions.updateMetadata(
      sessionId,
      (current) => ({ ...current, status: "completed", endedAt: current.endedAt ?? now, activeDurationMs: Math.round(activeMs), integrity: summarizeReport(report), updatedAt: now }),
      { priority: "critical" },
    );
    return { sessionId, metadata, integrity: report, markers };
  }

  async function send(event: { type: "PAUSE" } | { type: "RESUME" } | { type: "END" } | { type: "RETRY" } | { type: "DISMISS" } | { type: "START"; sessionId: string; params: z.output<typeof SessionStartParamsSchema> }) {
    const snapshot = actor.getSnapshot();
    if (!snapshot.can(event)) {
      const state = snapshot.value as string;
      throw new EngineError("session.invalid_transition", `cannot ${VERBS[event.type]} while the session is ${state.replace("_", " ")}`, {
        data: { state, event: event.type },
      });
    }
    actor.send(event);
    const settled = await waitFor(actor, (s) => !TRANSIENT.includes(s.value as SessionMachineState));
    return settled;
  }

  const throwMachineError = () => {
    const error = context().error;
    if (error !== null) throw new EngineError(error.code as ConstructorParameters<typeof EngineError>[0], error.message, { data: { ...(error.data as object | undefined), state: stateName() } });
  };

  const methods = {
    "session.start": defineMethod(SessionStartParamsSchema, async (params) => {
      const settled = await send({ type: "START", sessionId: host.crypto.randomUUID(), params });
      if (settled.value !== "active") throwMachineError();
      return currentState();
    }),
    "session.pause": defineMethod(SessionPauseParamsSchema, async () => {
      const settled = await send({ type: "PAUSE" });
      if (settled.value !== "paused") throwMachineError();
      return currentState();
    }),
    "session.resume": defineMethod(SessionResumeParamsSchema, async () => {
      const settled = await send({ type: "RESUME" });
      if (settled.value !== "active") throwMachineError();
      return currentState();
    }),
    "session.end": defineMethod(SessionEndParamsSchema, async (params) => {
      if (params.sessionId !== undefined && params.sessionId !== context().sessionId) {
        const metadata = await mustStorage().sessions.getMetadata(params.sessionId);
        if (metadata === undefined) throw new EngineError("session.not_found", `no session ${params.sessionId}`);
        if (metadata.status !== "interrupted") {
          throw new EngineError("session.invalid_transition", `cannot end session ${params.sessionId}: it is ${metadata.status}`, { data: { state: metadata.status, event: "END" } });
        }
        const ended = await finalizeSession(params.sessionId, true);
        ctx.emit("session.state", { ...buildSessionState("completed", null, undefined, host.clock), sessionId: ended.sessionId, name: ended.metadata.name, activeMs: ended.metadata.activeDurationMs });
        await notifyEnded(ended);
        return { sessionId: ended.sessionId, status: "completed", integrity: ended.integrity };
      }
      const settled = await send({ type: "END" });
      if (settled.value !== "completed") throwMachineError();
      const sessionId = context().sessionId!;
      const ended = lastEnded;
      lastEnded = undefined;
      if (ended !== undefined) await notifyEnded(ended);
      return { sessionId, status: "completed", integrity: ended?.integrity };
    }),
    "session.retry": defineMethod(z.object({}).strict(), async () => {
      await send({ type: "RETRY" });
      throwMachineError();
      return currentState();
    }),
    "session.dismiss": defineMethod(z.object({}).strict(), async () => {
      await send({ type: "DISMISS" });
      return currentState();
    }),
    "session.mark": defineMethod(SessionMarkParamsSchema, async (params) => {
      const c = context();
      const state = stateName();
      if (c.sessionId === null || !["active", "pausing", "paused", "resuming"].includes(state) || (params.sessionId !== undefined && params.sessionId !== c.sessionId)) {
        throw new EngineError("session.invalid_transition", `cannot add a marker while the session is ${state}`, { data: { state, event: "MARK" } });
      }
      const marker: Marker = {
        id: host.crypto.randomUUID(),
        sessionId: c.sessionId,
        sessionTimeMs: Math.round(sessionTimeMs(c, host.clock.elapsed())),
        at: host.clock.now(),
        ...(params.note === undefined || params.note.trim() === "" ? {} : { note: params.note.trim() }),
      };
      const markers = [...(await loadMarkers(c.sessionId)), marker];
      await mustStorage().store.putJson(KEYS.markers(c.sessionId), markers, { priority: "critical" });
      ctx.emit("session.marker", marker);
      return { marker };
    }),
    "session.get": defineMethod(SessionGetParamsSchema, async (params) => {
      const sessionId = params.sessionId ?? context().sessionId;
      if (sessionId === null || sessionId === undefined) throw new EngineError("session.not_found", "no current session; pass sessionId");
      const storage = mustStorage();
      const metadata = await storage.sessions.getMetadata(sessionId);
      if (metadata === undefined) throw new EngineError("session.not_found", `no session ${sessionId}`);
      const current = sessionId === context().sessionId;
      const [markers, integrity, warnings] = await Promise.all([
        loadMarkers(sessionId),
        storage.store.getJson(KEYS.integrity(sessionId), IntegrityReportSchema),
        storage.store.getJson(KEYS.health(sessionId), HealthEventsSchema),
      ]);
      return { session: metadata, live: current ? currentState() : null, markers, integrity: integrity ?? null, warnings: warnings ?? [] };
    }),
    "session.list": defineMethod(SessionListParamsSchema, async (params) => {
      const result = await mustStorage().sessions.listMetadata({ ...(params.status === undefined ? {} : { status: params.status }), limit: params.limit, offset: params.offset });
      return { sessions: result.sessions, total: result.total };
    }),
    "recording.sources": defineMethod(z.object({}).strict(), async () => ({ sources: await mustRecorder().sources() })),
    "recording.addSource": defineMethod(CaptureSourceRefSchema, async (source) => {
      const current = mustRecording("ADD_SOURCE");
      const available = await mustRecorder().sources();
      if (!available.some((candidate) => candidate.kind === source.kind && candidate.id === source.id)) {
        throw new EngineError("session.invalid_config", `id: unknown ${source.kind} id "${source.id}"`, { data: { field: "id" } });
      }
      if (current.sources.some((existing) => existing.kind === source.kind && existing.id === source.id)) {
        throw new EngineError("session.invalid_config", `id: ${source.kind} "${source.id}" is already recorded`, { data: { field: "id" } });
      }
      await mustRecorder().addSource(source);
      current.sources.push(source);
      await saveSources(current.sessionId, current.sources);
      return { sources: current.sources };
    }),
    "recording.removeSource": defineMethod(z.object({ sourceId: z.string().min(1).max(200) }).strict(), async ({ sourceId }) => {
      const current = mustRecording("REMOVE_SOURCE");
      const index = current.sources.findIndex((source) => source.id === sourceId);
      if (index < 0) throw new EngineError("session.invalid_config", `sourceId: "${sourceId}" is not being recorded`, { data: { field: "sourceId" } });
      const visual = current.config.screenshots.enabled || current.config.video.enabled;
      if (visual && current.sources.length === 1) throw new EngineError("session.invalid_config", "sourceId: the last source cannot be removed while recording; end the session instead", { data: { field: "sourceId" } });
      await mustRecorder().removeSource(sourceId);
      current.sources.splice(index, 1);
      await saveSources(current.sessionId, current.sources);
      return { sources: current.sources };
    }),
    "recording.permissions": defineMethod(z.object({}).strict(), async () => mustRecorder().permissions()),
    // The recorder's notifications name files in the data folder: only the recorder's own connection sends them.
    "recording.screenshot": defineMethod(RecordingScreenshotSchema, (params) => mustRuntime(params.sessionId, "recording.screenshot").handleScreenshot(params), RECORDER_ONLY),
    "recording.audio": defineMethod(RecordingAudioSchema, (params) => mustRuntime(params.sessionId, "recording.audio").handleAudio(params), RECORDER_ONLY),
    "recording.video": defineMethod(RecordingVideoSchema, (params) => mustRuntime(params.sessionId, "recording.video").handleVideo(params), RECORDER_ONLY),
    "recording.health": defineMethod(
      RecordingHealthSchema,
      async (params) => {
        await mustRuntime(params.sessionId, "recording.health").handleHealth(params);
        return { accepted: true };
      },
      RECORDER_ONLY,
    ),
  };

  let lastEnded: SessionEndedEvent | undefined;
  effects.onFinalized((ended) => {
    lastEnded = ended;
  });

  /** The running session for source changes: active or paused. */
  function mustRecording(event: string): SessionRuntime {
    const state = stateName();
    if (runtime === undefined || (state !== "active" && state !== "paused")) {
      throw new EngineError("session.invalid_transition", `cannot change sources while the session is ${state}`, { data: { state, event } });
    }
    return runtime;
  }

  async function saveSources(sessionId: string, sources: readonly CaptureSourceRef[]): Promise<void> {
    await mustStorage().sessions.updateMetadata(sessionId, (current) => ({ ...current, recordingConfig: { ...current.recordingConfig, sources: [...sources] } }), { priority: "critical" });
  }

  function mustRuntime(sessionId: string, method: string): SessionRuntime {
    const state = stateName();
    if (runtime === undefined || runtime.sessionId !== sessionId || !CAPTURING_STATES.includes(state)) {
      logger.warn("recording notification for an unknown session", { method, sessionId, state });
      throw new EngineError("recording.unknown_session", `${method}: session ${sessionId} is not recording`, { data: { sessionId, state } });
    }
    return runtime;
  }

  return {
    name: "session",
    methods,
    async start() {
      if ((options.storage ?? resolveStorage(ctx.features)) === undefined) logger.error("session feature started without storage: sessions cannot be recorded");
      else {
        await recoverInterruptedSessions({ storage: mustStorage(), clock: host.clock, logger, emit: ctx.emit });
        const capturing = () => (CAPTURING_STATES.includes(stateName()) ? context().sessionId ?? undefined : undefined);
        mustStorage().sessions.addDeleteCascade?.(createSessionDeleteCascade(mustStorage().store, capturing));
      }
      actor.subscribe(onSnapshot);
      actor.start();
    },
    async stop() {
      // Graceful shutdown ends a running session so nothing is left half-recorded.
      const state = stateName();
      if (state === "active" || state === "paused") {
        try {
          await send({ type: "END" });
          if (lastEnded !== undefined) await notifyEnded(lastEnded);
          lastEnded = undefined;
        } catch (error) {
          logger.error("session not ended on shutdown", { error });
        }
      }
      runtime?.monitor.stop();
      actor.stop();
      await persisting;
    },
    onSessionEnded(listener) {
      endedListeners.add(listener);
      return () => endedListeners.delete(listener);
    },
    getMarkers: loadMarkers,
    async getIntegrityReport(sessionId) {
      return mustStorage().store.getJson(KEYS.integrity(sessionId), IntegrityReportSchema);
    },
    currentState,
    async settle() {
      await runtime?.drain();
      await persisting;
    },
  };
}

/**
 * The host with a wall clock in whole milliseconds: stored times are integers,
 * and a native clock may answer with fractions (JavaScriptCore's did).
 */
function withWholeMilliseconds(host: HostPort): HostPort {
  return withClock(host, { now: () => Math.round(host.clock.now()), elapsed: () => host.clock.elapsed() });
}

/** The feature factory for `PRODUCT_FEATURES`. */
export const sessionFeature = (ctx: EngineContext): SessionFeature => createSessionFeature(ctx);
