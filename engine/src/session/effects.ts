/**
 * The machine's effects, run by xstate as `fromPromise` actors: validate the
 * configuration against the recorder's sources, check only the permissions
 * the configuration uses, drive the recorder, and keep the session's
 * metadata in step. Every recorder wait stops when the actor's signal aborts.
 */
import { EngineError } from "../bridge/index.ts";
import type { Logger } from "../engine/index.ts";
import type { HostPort, PermissionState, RecorderConfig, RecorderPermissions, RecorderPort } from "../host/index.ts";
import { abortable, type SessionEffects, type SessionMachineContext } from "./machine.ts";
import type { SessionEndedEvent } from "./feature.ts";
import type { SessionRuntime } from "./runtime.ts";
import type { SessionConfig, SessionStartParams } from "./schemas.ts";
import type { SessionStoragePort } from "./storage-port.ts";

export interface EffectsDeps {
  readonly host: HostPort;
  readonly recorder: () => RecorderPort;
  readonly storage: () => SessionStoragePort;
  readonly logger: Logger;
  readonly getRuntime: () => SessionRuntime | undefined;
  readonly createRuntime: (sessionId: string, config: SessionConfig) => SessionRuntime;
  readonly dropRuntime: () => void;
  readonly context: () => SessionMachineContext;
  readonly finalize: (sessionId: string) => Promise<SessionEndedEvent>;
}

const PERMISSION_LABEL: Record<keyof RecorderPermissions, string> = { screen: "screen recording", microphone: "microphone", camera: "camera" };

function invalid(field: string, message: string): EngineError {
  return new EngineError("session.invalid_config", `${field}: ${message}`, { data: { field } });
}

/** Only what the configuration uses: screen for displays, windows and system audio; microphone; camera for webcams. */
export function requiredPermissions(config: SessionConfig): (keyof RecorderPermissions)[] {
  const needed = new Set<keyof RecorderPermissions>();
  const visual = config.screenshots.enabled || config.video.enabled;
  if (visual && config.sources.some((source) => source.kind === "display" || source.kind === "window")) needed.add("screen");
  if (config.video.enabled && config.sources.some((source) => source.kind === "camera")) needed.add("camera");
  if (config.audio.microphone) needed.add("microphone");
  if (config.audio.systemAudio) needed.add("screen");
  return [...needed];
}

function defaultName(now: number): string {
  const iso = new Date(now).toISOString();
  return `Session ${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

export function toRecorderConfig(sessionId: string, config: SessionConfig): RecorderConfig {
  return {
    sessionId,
    captureDir: `capture/${sessionId}`,
    sources: config.sources,
    layout: config.layout,
    video: config.video,
    screenshots: config.screenshots,
    audio: config.audio,
    excludedBundleIds: config.excludedBundleIds,
    excludedWindowIds: config.excludedWindowIds,
  };
}

export function createSessionEffects(deps: EffectsDeps): SessionEffects & { onFinalized(listener: (event: SessionEndedEvent) => void): void } {
  let finalized: ((event: SessionEndedEvent) => void) | undefined;

  async function validate(input: { sessionId: string; params: SessionStartParams }, signal: AbortSignal): Promise<SessionConfig> {
    const { params } = input;
    const recorder = deps.recorder();
    const visual = params.screenshots.enabled || params.video.enabled;
    const audio = params.audio.microphone || params.audio.systemAudio;
    if (!visual && !audio) throw invalid("screenshots.enabled", "nothing to record: enable screenshots, video or audio");
    const available = await abortable(recorder.sources(), signal);
    let sources = params.sources;
    if (sources === undefined) {
      const display = available.find((source) => source.kind === "display");
      sources = visual && display !== undefined ? [{ kind: "display", id: display.id }] : [];
    }
    if (visual && sources.length === 0) throw invalid("sources", "no source selected: choose at least one display, window or camera");
    const seen = new Set<string>();
    sources.forEach((source, index) => {
      if (!available.some((candidate) => candidate.kind === source.kind && candidate.id === source.id)) {
        throw invalid(`sources[${index}].id`, `unknown ${source.kind} id "${source.id}"`);
      }
      if (seen.has(`${source.kind}:${source.id}`)) throw invalid(`sources[${index}]`, `${source.kind} "${source.id}" is selected twice`);
      seen.add(`${source.kind}:${source.id}`);
    });
    if (params.audio.microphone && params.audio.microphoneId !== undefined && !available.some((candidate) => candidate.kind === "microphone" && candidate.id === params.audio.microphoneId)) {
      throw invalid("audio.microphoneId", `unknown microphone id "${params.audio.microphoneId}"`);
    }
    if (params.layout !== "single" && sources.length < 2) throw invalid("layout", `"${params.layout}" needs at least two sources`);
    return { ...params, name: params.name ?? defaultName(deps.host.clock.now()), sources };
  }

  async function checkPermissions(config: SessionConfig, signal: AbortSignal): Promise<void> {
    const recorder = deps.recorder();
    const needed = requiredPermissions(config);
    if (needed.length === 0) return;
    const current = await abortable(recorder.permissions(), signal);
    for (const permission of needed) {
      let state: PermissionState = current[permission];
      if (state === "not_determined") state = await abortable(recorder.requestPermission(permission), signal);
      if (state !== "granted") {
        throw new EngineError("session.permission_denied", `${PERMISSION_LABEL[permission]} permission is ${state.replace("_", " ")}; grant it in System Settings → Privacy & Security`, {
          data: { permission, state },
        });
      }
    }
  }

  async function start(input: { sessionId: string; config: SessionConfig }, signal: AbortSignal): Promise<void> {
    const { sessionId, config } = input;
    const storage = deps.storage();
    const now = deps.host.clock.now();
    await storage.sessions.saveMetadata(
      {
        schemaVersion: 2,
        id: sessionId,
        name: config.name ?? defaultName(now),
        status: "active",
        startedAt: now,
        activeDurationMs: 0,
        recordingConfig: config,
        tags: config.tags,
        updatedAt: now,
      },
      { priority: "critical" },
    );
    const runtime = deps.createRuntime(sessionId, config);
    runtime.services.setState("initializing");
    try {
      await abortable(deps.recorder().start(toRecorderConfig(sessionId, config)), signal);
    } catch (error) {
      runtime.services.setState("error");
      for (const service of ["screenshots", "audio", "video"] as const) if (runtime.services.isEnabled(service)) runtime.services.recordError(service);
      if (error instanceof EngineError) throw error;
      throw new EngineError("session.recorder_failed", `the recorder did not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable: true });
    }
    runtime.services.setState("active");
    runtime.monitor.resume();
  }

  async function updateStatus(sessionId: string, status: "active" | "paused"): Promise<void> {
    const now = deps.host.clock.now();
    await deps.storage().sessions.updateMetadata(sessionId, (current) => ({ ...current, status, activeDurationMs: Math.round(deps.context().activeMs), updatedAt: now }), { priority: "critical" });
  }

  const recorderFailure = (operation: string, error: unknown) =>
    error instanceof EngineError ? error : new EngineError("session.recorder_failed", `the recorder did not ${operation}: ${error instanceof Error ? error.message : String(error)}`, { cause: error, retryable: true });

  return {
    validate,
    checkPermissions,
    start,
    async pause(sessionId, signal) {
      const runtime = deps.getRuntime();
      runtime?.monitor.pause();
      try {
        await abortable(deps.recorder().pause(), signal);
      } catch (error) {
        runtime?.monitor.resume();
        throw recorderFailure("pause", error);
      }
      runtime?.services.setState("paused");
      await updateStatus(sessionId, "paused");
    },
    async resume(sessionId, signal) {
      const runtime = deps.getRuntime();
      try {
        await abortable(deps.recorder().resume(), signal);
      } catch (error) {
        throw recorderFailure("resume", error);
      }
      runtime?.services.setState("active");
      runtime?.monitor.resume();
      await updateStatus(sessionId, "active");
    },
    async stop(sessionId, signal) {
      const runtime = deps.getRuntime();
      runtime?.monitor.stop();
      runtime?.services.setState("stopping");
      try {
        await abortable(deps.recorder().stop(), signal);
      } catch (error) {
        throw recorderFailure("stop", error);
      }
      runtime?.services.setState("stopped");
      const ended = await deps.finalize(sessionId);
      finalized?.(ended);
    },
    async discard(sessionId) {
      const runtime = deps.getRuntime();
      runtime?.monitor.stop();
      try {
        await deps.recorder().stop();
      } catch (error) {
        deps.logger.warn("recorder stop after a failed start", { sessionId, error });
      }
      await runtime?.drain();
      try {
        await deps.storage().sessions.deleteSession(sessionId);
      } catch (error) {
        deps.logger.warn("failed session not removed", { sessionId, error });
      }
      deps.dropRuntime();
    },
    onFinalized(listener) {
      finalized = listener;
    },
  };
}
