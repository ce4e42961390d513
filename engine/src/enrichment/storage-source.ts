import type { EnrichmentStatus, SessionMetadata } from "../domain/index.ts";
import type { Storage } from "../storage/index.ts";
import type { EnrichmentResults, EnrichmentStatusUpdate, SavedMedia, SessionSource, SessionView } from "./session-source.ts";

export interface StorageSessionSourceOptions {
  readonly storage: Pick<Storage, "sessions" | "attachments">;
  /** Markers of a session (the session feature's `getMarkers`). */
  readonly markers?: (sessionId: string) => Promise<readonly { readonly id: string; readonly sessionTimeMs: number; readonly note?: string }[]>;
  /** The host's clock, for the records this source writes. */
  readonly now: () => number;
}

const STAGE_GROUP: Record<string, string> = { media: "media", audio: "audio", screenshots: "screenshots", chapters: "summary", summary: "summary" };

/** Enrichment's view of sessions kept in storage; results go back as the summary record and item updates. */
export function createStorageSessionSource(options: StorageSessionSourceOptions): SessionSource {
  const { sessions, attachments } = options.storage;
  return {
    async load(sessionId) {
      const metadata = await sessions.getMetadata(sessionId);
      if (metadata === undefined) return undefined;
      const [screenshots, audio, markers, video] = await Promise.all([
        sessions.getScreenshots(sessionId),
        sessions.getAudioSegments(sessionId),
        options.markers?.(sessionId).catch(() => []) ?? Promise.resolve([]),
        sessions.getVideo(sessionId),
      ]);
      const lastAudio = audio.reduce((max, a) => Math.max(max, a.startSessionMs + a.durationMs), 0);
      const lastShot = screenshots.reduce((max, s) => Math.max(max, s.sessionTimeMs), 0);
      const view: SessionView = {
        id: sessionId,
        name: metadata.name,
        status: metadata.status,
        durationMs: Math.max(metadata.activeDurationMs, lastAudio, lastShot),
        screenshots: screenshots.map((s) => ({ ref: String(s.sequenceNumber), t: s.sessionTimeMs, attachmentId: s.attachmentId, width: s.width, height: s.height, isDuplicate: s.isDuplicate, mimeType: "image/png" })),
        audio: audio.map((a) => ({ ref: String(a.sequenceNumber), tStart: a.startSessionMs, tEnd: a.startSessionMs + a.durationMs, attachmentId: a.attachmentId, silent: a.silent === true })),
        markers: markers.map((m) => ({ ref: m.id, t: m.sessionTimeMs, label: m.note ?? "" })),
        videoSegments: (video?.segments ?? []).map((segment) => ({ attachmentId: segment.attachmentId, durationMs: segment.durationMs })),
      };
      return view;
    },
    pathOf: (attachmentId) => attachments.blobKey(attachmentId),
    async saveMedia(sessionId, media: SavedMedia) {
      const merged = media.merged;
      if (merged === undefined) return;
      // Adopted by rename (the host hashed it as it wrote it); the video record then holds the reference.
      const attachment = await attachments.registerExternalBlob(
        { path: merged.path, sha256: merged.sha256, size: merged.size, nativeHashed: true },
        { type: "video", mimeType: "video/mp4" },
        { sessionId, priority: "critical" },
      );
      const existing = await sessions.getVideo(sessionId);
      const segments = existing?.segments ?? [];
      await sessions.saveVideo({
        sessionId,
        segments,
        merged: { attachmentId: attachment.id, mimeType: "video/mp4", hasAudio: merged.hasAudio },
        durationMs: existing?.durationMs ?? segments.reduce((sum, segment) => sum + segment.durationMs, 0),
        updatedAt: options.now(),
      });
    },
    read: (attachmentId) => attachments.loadAttachment(attachmentId),
    async saveResults(sessionId, results: EnrichmentResults, at) {
      const byRef = new Map(results.screenshots.map((item) => [item.ref, item]));
      const shots = await sessions.getScreenshots(sessionId);
      const updatedShots = shots
        .filter((shot) => byRef.has(String(shot.sequenceNumber)))
        .map((shot) => {
          const item = byRef.get(String(shot.sequenceNumber))!;
          return { ...shot, analysis: { summary: item.details || item.activity, activity: item.activity, apps: item.application ? [item.application] : [], provider: results.provider, analyzedAt: at } };
        });
      // A duplicate was not looked at again: it says so, with what its original showed.
      const analysed = new Map(updatedShots.map((shot) => [shot.sequenceNumber, shot.analysis]));
      const duplicates = shots
        .filter((shot) => shot.isDuplicate && shot.duplicateOf !== undefined && !byRef.has(String(shot.sequenceNumber)) && analysed.has(shot.duplicateOf))
        .map((shot) => {
          const original = analysed.get(shot.duplicateOf!)!;
          return { ...shot, analysis: { ...original, summary: "Same as previous screenshot" } };
        });
      updatedShots.push(...duplicates);
      if (updatedShots.length > 0) await sessions.updateScreenshots(sessionId, updatedShots);
      const segments = await sessions.getAudioSegments(sessionId);
      const updatedAudio = segments
        .map((segment) => {
          const parts = results.transcript.filter((t) => t.ref === String(segment.sequenceNumber));
          if (parts.length === 0) return undefined;
          return {
            ...segment,
            transcript: { text: parts.map((p) => p.text).join(" ").trim(), segments: parts.map((p) => ({ startMs: p.tStart, endMs: p.tEnd, text: p.text })), provider: results.provider },
          };
        })
        .filter((segment) => segment !== undefined);
      if (updatedAudio.length > 0) await sessions.updateAudioSegments(sessionId, updatedAudio);
      const tasks = results.summary.tasks.map((task, i) => ({ id: `${sessionId}.task.${i}`, title: task.title, priority: task.priority, evidence: task.evidence, flagged: task.flagged }));
      const notes = results.summary.notes.map((note, i) => ({ id: `${sessionId}.note.${i}`, text: note.text, evidence: note.evidence, flagged: note.flagged }));
      await sessions.saveSummary({
        sessionId,
        summary: results.summary.summary,
        points: results.summary.points.map((p) => ({ text: p.text, evidence: p.evidence, flagged: p.flagged })),
        chapters: results.chapters.map((c) => ({ title: c.title, summary: c.summary, startMs: c.tStart, endMs: Math.max(c.tStart, c.tEnd), evidence: c.evidence, flagged: c.flagged })),
        tasks,
        notes,
        provider: results.provider,
        local: results.local,
        createdAt: at,
      });
      await sessions.updateMetadata(sessionId, (current: SessionMetadata) => ({ ...current, extractedTaskIds: tasks.map((t) => t.id), extractedNoteIds: notes.map((n) => n.id) }));
    },
    async setStatus(sessionId, update: EnrichmentStatusUpdate) {
      await sessions.updateMetadata(sessionId, (current: SessionMetadata) => {
        const previous: EnrichmentStatus = current.enrichmentStatus ?? { status: "idle", stages: {}, totalCost: 0 };
        const stages = { ...previous.stages };
        const group = STAGE_GROUP[update.stage];
        if (group !== undefined) {
          for (const [name, value] of Object.entries(stages)) if (value.status === "running" && name !== group) stages[name] = { status: "completed", progress: 1 };
          stages[group] = { status: update.status === "failed" ? "failed" : update.status === "completed" ? "completed" : "running", progress: update.progress, error: update.lastError };
        }
        if (update.status === "completed") for (const name of Object.keys(stages)) if (stages[name]!.status === "running") stages[name] = { status: "completed", progress: 1 };
        return { ...current, enrichmentStatus: { ...previous, status: update.status, stages, totalCost: update.totalCost, lastError: update.lastError, jobId: update.jobId } };
      });
    },
  };
}
