/** The post-stop integrity report, from a live session or rebuilt from what storage holds. */
import type { IntegritySummary, SessionAudioSegment, SessionScreenshot, VideoRecord } from "../domain/index.ts";
import type { CaptureHealthEvent, IntegrityReport, SessionConfig } from "./schemas.ts";
import { CaptureServices, SERVICE_NAMES } from "./services.ts";

export interface ReportInput {
  readonly sessionId: string;
  readonly services: CaptureServices;
  readonly activeMs: number;
  readonly pausedMs: number;
  readonly pauses: number;
  readonly markers: number;
  readonly warnings: readonly CaptureHealthEvent[];
  readonly interrupted: boolean;
  readonly now: number;
}

export function buildIntegrityReport(input: ReportInput): IntegrityReport {
  const sources = {
    screenshots: input.services.integrity("screenshots", input.activeMs, input.now),
    audio: input.services.integrity("audio", input.activeMs, input.now),
    video: input.services.integrity("video", input.activeMs, input.now),
  };
  const unresolved = new Map<string, CaptureHealthEvent>();
  for (const event of input.warnings) {
    const key = `${event.service}:${event.kind}`;
    if (event.resolved) unresolved.delete(key);
    else if (event.severity !== "info") unresolved.set(key, event);
  }
  const failed = SERVICE_NAMES.some((name) => input.services.isEnabled(name) && input.services.health(name) === "failed") || [...unresolved.values()].some((event) => event.severity === "critical");
  const degraded =
    input.interrupted ||
    input.warnings.some((event) => event.severity !== "info") ||
    SERVICE_NAMES.some((name) => sources[name].dropped > 0 || sources[name].gaps.length > 0);
  return {
    sessionId: input.sessionId,
    generatedAt: input.now,
    status: failed ? "failed" : degraded ? "degraded" : "ok",
    interrupted: input.interrupted,
    activeMs: Math.round(input.activeMs),
    pausedMs: Math.round(input.pausedMs),
    pauses: input.pauses,
    markers: input.markers,
    sources,
    warnings: [...input.warnings],
  };
}

/** The compact form kept in the session's metadata (`integrity`), for lists and `stint show`. */
export function summarizeReport(report: IntegrityReport): IntegritySummary {
  const gaps: { source: string; startMs: number; endMs: number }[] = [];
  for (const name of SERVICE_NAMES) for (const gap of report.sources[name].gaps) gaps.push({ source: name, startMs: gap.from, endMs: gap.to });
  return {
    checkedAt: report.generatedAt,
    status: report.status,
    interrupted: report.interrupted,
    itemsPerSource: { screenshots: report.sources.screenshots.items, audio: report.sources.audio.items, video: report.sources.video.items },
    duplicates: report.sources.screenshots.duplicates,
    gaps: gaps.slice(0, 200),
    droppedItems: SERVICE_NAMES.reduce((sum, name) => sum + report.sources[name].dropped, 0),
    warnings: report.warnings.filter((event) => !event.resolved && event.severity !== "info").map((event) => event.message).slice(0, 100),
  };
}

/** Rebuilds per-service counters from stored items (a session that was interrupted). */
export function replayServices(config: SessionConfig, items: { screenshots: readonly SessionScreenshot[]; audio: readonly SessionAudioSegment[]; video: VideoRecord | undefined }): CaptureServices {
  const hasVisual = config.sources.length > 0;
  const services = new CaptureServices(
    { screenshots: config.screenshots.enabled && hasVisual, audio: config.audio.microphone || config.audio.systemAudio, video: config.video.enabled && hasVisual },
    { screenshots: config.screenshots.intervalMs, audio: config.audio.segmentMs, video: config.video.segmentSeconds * 1000 },
    config.health.stallFactor,
  );
  for (const shot of items.screenshots) {
    services.recordItem("screenshots", { sequence: shot.sequenceNumber, sessionMs: shot.sessionTimeMs, wall: shot.capturedAt, latencyMs: 0, duplicate: shot.isDuplicate });
  }
  for (const segment of items.audio) {
    const end = segment.startSessionMs + segment.durationMs;
    services.recordItem("audio", { sequence: segment.sequenceNumber, sessionMs: end, wall: (segment.capturedAt ?? 0) + segment.durationMs, latencyMs: 0 });
  }
  for (const segment of items.video?.segments ?? []) {
    services.recordItem("video", { sequence: segment.sequenceNumber, sessionMs: segment.startSessionMs + segment.durationMs, wall: 0, latencyMs: 0 });
  }
  services.setState("stopped");
  return services;
}
