/**
 * Sessions the engine did not see end: found on start (left active or paused
 * when the process died) and marked `interrupted` with everything kept; later
 * ended from what storage holds.
 */
import * as z from "zod";
import { EngineError } from "../bridge/index.ts";
import type { SessionAudioSegment, SessionScreenshot } from "../domain/index.ts";
import type { Logger } from "../engine/index.ts";
import type { ClockPort } from "../host/index.ts";
import { buildIntegrityReport, replayServices } from "./integrity.ts";
import { CAPTURING_STATES, type SessionMachineState } from "./machine.ts";
import { CaptureHealthEventSchema, SessionConfigSchema, type IntegrityReport } from "./schemas.ts";
import { buildSessionState } from "./state-event.ts";
import { KEYS, type SessionStoragePort } from "./storage-port.ts";

export const PersistedMachineSchema = z.looseObject({ value: z.string(), context: z.looseObject({ sessionId: z.string().nullable() }) });
export const HealthEventsSchema = z.array(CaptureHealthEventSchema);

/** Session time covered by stored items (what an interrupted session certainly recorded). */
function recordedUntil(base: number, screenshots: readonly SessionScreenshot[], audio: readonly SessionAudioSegment[]): number {
  let until = base;
  for (const shot of screenshots) if (shot.sessionTimeMs > until) until = shot.sessionTimeMs;
  for (const segment of audio) if (segment.startSessionMs + segment.durationMs > until) until = segment.startSessionMs + segment.durationMs;
  return until;
}

/** Marks sessions left active or paused as `interrupted`; returns their ids. */
export async function recoverInterruptedSessions(deps: {
  readonly storage: SessionStoragePort;
  readonly clock: ClockPort;
  readonly logger: Logger;
  readonly emit: (method: string, params: unknown) => void;
}): Promise<string[]> {
  const { storage, clock, logger } = deps;
  const candidates = new Set<string>();
  // Opening writes nothing unless a session really was cut off: a read-only or full data folder still opens.
  let staleSnapshot = false;
  try {
    const persisted = await storage.store.getJson(KEYS.machine, PersistedMachineSchema);
    if (persisted !== undefined && persisted.context.sessionId !== null && CAPTURING_STATES.includes(persisted.value as SessionMachineState)) {
      candidates.add(persisted.context.sessionId);
      staleSnapshot = true;
    }
  } catch (error) {
    logger.warn("session machine snapshot unreadable", { error });
  }
  for (const status of ["active", "paused"] as const) {
    const listed = await storage.sessions.listMetadata({ status, limit: 1000 });
    for (const session of listed.sessions) candidates.add(session.id);
  }
  const recovered: string[] = [];
  for (const sessionId of candidates) {
    const metadata = await storage.sessions.getMetadata(sessionId);
    if (metadata === undefined || (metadata.status !== "active" && metadata.status !== "paused")) continue;
    const [screenshots, audio] = await Promise.all([storage.sessions.getScreenshots(sessionId), storage.sessions.getAudioSegments(sessionId)]);
    const activeMs = recordedUntil(metadata.activeDurationMs, screenshots, audio);
    let updated;
    try {
      updated = await storage.sessions.updateMetadata(sessionId, (current) => ({ ...current, status: "interrupted", activeDurationMs: Math.round(activeMs), updatedAt: clock.now() }), {
        priority: "critical",
      });
    } catch (error) {
      // A read-only or full folder: the session is marked on a later open that can write; reading goes on.
      if (!unwritable(error)) throw error;
      logger.warn("interrupted session not marked: the data folder cannot be written", { sessionId, error });
      continue;
    }
    logger.warn("session was interrupted", { sessionId, screenshots: screenshots.length, audio: audio.length });
    deps.emit("session.state", { ...buildSessionState("idle", null, undefined, clock), sessionId, status: "interrupted", name: updated.name, activeMs: updated.activeDurationMs });
    recovered.push(sessionId);
  }
  if (staleSnapshot) await storage.store.delete(KEYS.machine, { priority: "critical" }).catch((error: unknown) => {
    if (!unwritable(error)) throw error;
    logger.warn("session machine snapshot not cleared: the data folder cannot be written", { error });
  });
  return recovered;
}

function unwritable(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === "storage.disk_full" || code === "storage.permission_denied";
}

/** The integrity report of a session rebuilt from its stored items and warnings. */
export async function integrityFromStorage(storage: SessionStoragePort, sessionId: string, markers: number, now: number): Promise<{ report: IntegrityReport; activeMs: number }> {
  const metadata = await storage.sessions.getMetadata(sessionId);
  if (metadata === undefined) throw new EngineError("session.not_found", `no session ${sessionId}`);
  const config = SessionConfigSchema.safeParse(metadata.recordingConfig);
  const [screenshots, audio, video, warnings] = await Promise.all([
    storage.sessions.getScreenshots(sessionId),
    storage.sessions.getAudioSegments(sessionId),
    storage.sessions.getVideo(sessionId),
    storage.store.getJson(KEYS.health(sessionId), HealthEventsSchema),
  ]);
  const services = replayServices(config.success ? config.data : SessionConfigSchema.parse({ sources: [] }), { screenshots, audio, video });
  const activeMs = recordedUntil(metadata.activeDurationMs, screenshots, audio);
  const report = buildIntegrityReport({ sessionId, services, activeMs, pausedMs: 0, pauses: 0, markers, warnings: warnings ?? [], interrupted: true, now });
  return { report, activeMs };
}
