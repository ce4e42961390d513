import * as z from "zod";
import { isSessionId, SESSION_SCHEMA_VERSION } from "../domain/index.ts";
import type { V1AudioSegment, V1Screenshot } from "./import-schemas.ts";
import type { HostPort } from "../host/index.ts";
import { encodeUtf8 } from "./codec.ts";
import type { OpenedStorage } from "./create-storage.ts";
import { bestTranscript, planSession, toEpoch, type MediaRole, type NotImported, type SessionPlan } from "./import-mapping.ts";
import { createPendingBlobs, MARKERS_KEY, PENDING_PREFIX, pendingListKeys, REPORT_PREFIX, removeSession, rollBack } from "./import-pending.ts";
import { metadataKey, summaryKey, videoKey } from "./keys.ts";

/**
 * Imports the previous app's sessions, one session at a time:
 * - matched by the old id (`imports/taskerino/{sha256(oldId)}.json`), so a
 *   re-import changes nothing, and a newer export replaces what changed;
 * - never into an id that is already present in any form (readable or not):
 *   that is a reported collision, and the session gets a fresh id;
 * - all or nothing per session: `imports/pending/{id}.json` is written before
 *   the first byte and removed in the same commit as the id map, so a killed
 *   import is rolled back (records, references and the blobs it added) by
 *   {@link recoverUnfinishedImports} before the next one starts; the blobs
 *   it brings are named in the pending lists before each is written.
 */

const MAP_PREFIX = "imports/taskerino/";

const MapSchema = z.object({ oldId: z.string(), sessionId: z.string(), fingerprint: z.string(), media: z.array(z.string()).default([]), superseded: z.string().optional() });
const MISSING = "missing";

/** Media of an item, read and identified by its bytes (the Node side sniffs, measures and transcodes). */
export interface ImportedMedia {
  readonly bytes: Uint8Array;
  readonly mimeType: string;
  readonly width?: number;
  readonly height?: number;
  readonly durationMs?: number;
  readonly sampleRate?: number;
  readonly channels?: number;
  /** Set when the bytes were converted (e.g. MP3 → WAV). */
  readonly convertedFrom?: string;
}

export type MediaLookup = { readonly media: ImportedMedia } | { readonly missing: string };

/** Where an import finds an item's media. */
export interface ImportMediaSource {
  /** Cheap token that changes when the media appears, disappears or changes (part of the re-import fingerprint). */
  token(item: Readonly<Record<string, unknown>>, role: MediaRole): Promise<string>;
  load(item: Readonly<Record<string, unknown>>, role: MediaRole): Promise<MediaLookup>;
}

export interface SessionImportReport {
  readonly oldId: string;
  readonly name: string;
  readonly outcome: "imported" | "updated" | "unchanged" | "skipped" | "kept-deleted";
  readonly sessionId?: string;
  readonly reason?: string;
  /** The old id was already present here (readable or not): the session got a fresh id instead. */
  readonly collision?: string;
  readonly screenshots: number;
  readonly audioSegments: number;
  readonly markers: number;
  readonly summary: boolean;
  readonly video: boolean;
  /** Items kept with their text but without their media, with why. */
  readonly mediaMissing: { readonly screenshots: number; readonly audio: number; readonly video: number; readonly reasons: readonly string[] };
  /** Audio segments converted to WAV (MP3 → WAV). */
  readonly converted: number;
  readonly notImported: readonly NotImported[];
}

export interface ImportSessionsOptions {
  readonly storage: Pick<OpenedStorage, "store" | "sessions" | "attachments">;
  readonly host: Pick<HostPort, "clock" | "crypto">;
  /** Old session records; `problem` says why one could not be read (it is reported as skipped). */
  readonly records: AsyncIterable<{ readonly record: unknown; readonly media: ImportMediaSource; readonly problem?: string }>;
  /**
   * How far the import is, in sessions: `done` counts whole sessions plus the
   * share of the current one's items already written, so it advances with
   * every batch of a large session, not only between sessions.
   */
  readonly progress?: (done: number, detail: string) => void;
}

const empty = (oldId: string, name: string, outcome: SessionImportReport["outcome"], extra: Partial<SessionImportReport> = {}): SessionImportReport => ({
  oldId, name, outcome, screenshots: 0, audioSegments: 0, markers: 0, summary: false, video: false, mediaMissing: { screenshots: 0, audio: 0, video: 0, reasons: [] }, converted: 0, notImported: [], ...extra,
});

/** Whether anything at all is stored under a session id: metadata (even unreadable), chunks, records. */
async function idInUse(storage: ImportSessionsOptions["storage"], sessionId: string): Promise<boolean> {
  if ((await storage.store.get(metadataKey(sessionId)).catch(() => new Uint8Array(1))) !== undefined) return true;
  if ((await storage.sessions.getMetadata(sessionId).catch(() => "unreadable")) !== undefined) return true;
  for (const prefix of [`screenshots/${sessionId}/`, `audio/${sessionId}/`, `quarantine/screenshots/${sessionId}/`, `quarantine/audio/${sessionId}/`]) {
    if ((await storage.store.list(prefix).catch(() => [""])).length > 0) return true;
  }
  for (const key of [summaryKey(sessionId), videoKey(sessionId), MARKERS_KEY(sessionId)]) {
    if ((await storage.store.get(key).catch(() => new Uint8Array(1))) !== undefined) return true;
  }
  return false;
}

/** The record's hash, and one token per item's media ("missing" when the source has none). */
async function fingerprintOf(host: ImportSessionsOptions["host"], plan: SessionPlan, media: ImportMediaSource): Promise<{ record: string; media: string[] }> {
  const tokens: string[] = [];
  for (const shot of plan.screenshots) tokens.push(await media.token(shot, "screenshot"));
  for (const segment of plan.audioSegments) tokens.push(await media.token(segment, "audio"));
  if (plan.session.video) tokens.push(await media.token(plan.session.video, "video"));
  return { record: await host.crypto.sha256(encodeUtf8(JSON.stringify(plan.session))), media: tokens };
}

/** A source that lacks media never counts as a change: only a new record or new/changed media does. */
function changed(before: { fingerprint: string; media: readonly string[] }, now: { record: string; media: readonly string[] }): boolean {
  if (before.fingerprint !== now.record || before.media.length !== now.media.length) return true;
  return now.media.some((token, n) => token !== MISSING && token !== before.media[n]);
}

/**
 * When a newer copy of a session lacks media an earlier import brought in
 * (an export holds none), the earlier session's bytes are kept for it.
 */
async function withEarlierMedia(storage: ImportSessionsOptions["storage"], media: ImportMediaSource, earlierId: string): Promise<ImportMediaSource> {
  const earlier = await storage.sessions.getFullSession(earlierId).catch(() => undefined);
  if (earlier === undefined) return media;
  const shots = new Map(earlier.screenshots.filter((s) => s.sourceId !== undefined).map((s) => [s.sourceId!, s]));
  const audio = new Map(earlier.audioSegments.map((a) => [a.capturedAt, a]));
  const video = earlier.video?.segments[0];
  const fallback = async (item: Readonly<Record<string, unknown>>, role: MediaRole): Promise<ImportedMedia | undefined> => {
    if (role === "screenshot") {
      const shot = typeof item.id === "string" ? shots.get(item.id.slice(0, 200)) : undefined;
      if (shot === undefined) return undefined;
      const info = await storage.attachments.getAttachment(shot.attachmentId);
      return { bytes: await storage.attachments.loadAttachment(shot.attachmentId), mimeType: info?.mimeType ?? "image/png", width: shot.width, height: shot.height };
    }
    if (role === "audio") {
      const at = toEpoch(item.timestamp as string | number | undefined);
      const segment = at === undefined ? undefined : audio.get(at);
      if (segment === undefined) return undefined;
      return { bytes: await storage.attachments.loadAttachment(segment.attachmentId), mimeType: "audio/wav", durationMs: segment.durationMs, sampleRate: segment.sampleRate, channels: segment.channels };
    }
    if (video === undefined) return undefined;
    const info = await storage.attachments.getAttachment(video.attachmentId);
    return { bytes: await storage.attachments.loadAttachment(video.attachmentId), mimeType: info?.mimeType ?? "video/mp4", durationMs: video.durationMs, ...(video.width ? { width: video.width, height: video.height } : {}) };
  };
  return {
    token: (item, role) => media.token(item, role),
    async load(item, role) {
      const found = await media.load(item, role);
      if ("media" in found) return found;
      const kept = await fallback(item, role).catch(() => undefined);
      return kept === undefined ? found : { media: kept };
    },
  };
}

const BATCH = 20;

async function writeSession(
  options: ImportSessionsOptions,
  plan: SessionPlan,
  sessionId: string,
  media: ImportMediaSource,
  oldId: string,
  progress: (fraction: number, detail: string) => void,
): Promise<Omit<SessionImportReport, "oldId" | "name" | "outcome">> {
  const { storage, host } = options;
  const pending = createPendingBlobs(storage, sessionId);
  // The last step is the commit that makes the session whole: items never report it.
  const items = plan.screenshots.length + plan.audioSegments.length + (plan.session.video != null ? 1 : 0) + 1;
  let itemsDone = 0;
  const missing = { screenshots: 0, audio: 0, video: 0, reasons: [] as string[] };
  const note = (what: string, reason: string) => {
    if (missing.reasons.length < 20) missing.reasons.push(`${what}: ${reason}`);
  };
  const markers = [...plan.markers];
  await storage.sessions.saveMetadata({
    schemaVersion: SESSION_SCHEMA_VERSION,
    id: sessionId,
    name: plan.name,
    ...(plan.description === undefined ? {} : { description: plan.description }),
    status: plan.status,
    startedAt: plan.startedAt,
    ...(plan.endedAt === undefined ? {} : { endedAt: plan.endedAt }),
    activeDurationMs: plan.activeDurationMs,
    recordingConfig: {
      screenshots: { enabled: plan.screenshots.length > 0, intervalMs: plan.intervalMs ?? 120_000 },
      audio: { microphone: plan.audioSegments.length > 0, systemAudio: false },
      video: { enabled: plan.session.video != null },
    },
    tags: plan.tags,
    extractedTaskIds: (plan.session.extractedTaskIds ?? []).map((t) => t.slice(0, 200)),
    extractedNoteIds: (plan.session.extractedNoteIds ?? []).map((t) => t.slice(0, 200)),
    migratedFrom: { schemaVersion: 1, id: oldId },
  });

  /** Saves a batch's new blobs only after the pending record names them, so a kill never leaves one behind. */
  const saveBatch = async (loaded: { media: ImportedMedia; type: "screenshot" | "audio" | "video" }[]) => {
    const ids = await Promise.all(loaded.map((l) => host.crypto.sha256(l.media.bytes)));
    const fresh: string[] = [];
    for (const id of ids) if (!pending.has(id) && !fresh.includes(id) && (await storage.attachments.getAttachment(id).catch(() => undefined)) === undefined) fresh.push(id);
    await pending.add(fresh);
    return Promise.all(
      loaded.map((l) =>
        storage.attachments.saveAttachment(l.media.bytes, { type: l.type, mimeType: l.media.mimeType, ...(l.media.width ? { width: l.media.width } : {}), ...(l.media.height ? { height: l.media.height } : {}), ...(l.media.durationMs === undefined ? {} : { durationMs: l.media.durationMs }) }, { sessionId, durable: false }),
      ),
    );
  };

  let screenshots = 0;
  for (let start = 0; start < plan.screenshots.length; start += BATCH) {
    const batch = plan.screenshots.slice(start, start + BATCH);
    const lookups = await Promise.all(batch.map((shot) => media.load(shot, "screenshot")));
    const kept: { shot: V1Screenshot; media: ImportedMedia }[] = [];
    for (const [n, lookup] of lookups.entries()) {
      const shot = batch[n]!;
      if ("media" in lookup && lookup.media.width && lookup.media.height) {
        kept.push({ shot, media: lookup.media });
        continue;
      }
      missing.screenshots++;
      note(`screenshot ${shot.id}`, "media" in lookup ? `not an image (${lookup.media.mimeType})` : lookup.missing);
      const text = [shot.aiAnalysis?.summary, shot.aiAnalysis?.extractedText].filter((t) => t !== undefined && t.trim() !== "").join(" — ");
      markers.push({ at: Math.max(plan.startedAt, toEpoch(shot.timestamp) ?? plan.startedAt), note: `Screenshot (media missing)${text === "" ? "" : `: ${text}`}`.slice(0, 2_000) });
    }
    const saved = await saveBatch(kept.map((k) => ({ media: k.media, type: "screenshot" as const })));
    const appends = kept.map(({ shot, media: m }, n) => {
      const capturedAt = Math.max(plan.startedAt, toEpoch(shot.timestamp) ?? plan.startedAt);
      const analysis = shot.aiAnalysis;
      return storage.sessions.appendScreenshot(sessionId, {
        sequenceNumber: screenshots++,
        capturedAt,
        sessionTimeMs: capturedAt - plan.startedAt,
        attachmentId: saved[n]!.id,
        width: m.width!,
        height: m.height!,
        ...(shot.perceptualHash !== undefined && /^[0-9a-f]{16}$/.test(shot.perceptualHash) ? { perceptualHash: shot.perceptualHash } : {}),
        sourceId: shot.id.slice(0, 200),
        ...(analysis === undefined || (analysis.summary === undefined && analysis.extractedText === undefined)
          ? {}
          : { analysis: { summary: analysis.summary ?? "", ...(analysis.detectedActivity ? { activity: analysis.detectedActivity } : {}), apps: analysis.keyElements ?? [], ...(analysis.extractedText === undefined ? {} : { text: analysis.extractedText }), provider: "taskerino" } }),
      });
    });
    await Promise.all(appends);
    itemsDone += batch.length;
    progress(itemsDone / items, `${screenshots} screenshots`);
  }

  let audioSegments = 0;
  let converted = 0;
  for (let start = 0; start < plan.audioSegments.length; start += BATCH) {
    const batch = plan.audioSegments.slice(start, start + BATCH);
    const lookups = await Promise.all(batch.map((segment) => media.load(segment, "audio")));
    const kept: { segment: V1AudioSegment; media: ImportedMedia }[] = [];
    for (const [n, lookup] of lookups.entries()) {
      const segment = batch[n]!;
      if ("media" in lookup && lookup.media.mimeType === "audio/wav" && lookup.media.sampleRate && lookup.media.channels) {
        kept.push({ segment, media: lookup.media });
        continue;
      }
      missing.audio++;
      note(`audio segment ${segment.id}`, "media" in lookup ? `not playable audio (${lookup.media.mimeType})` : lookup.missing);
      const text = bestTranscript(segment);
      const at = Math.max(plan.startedAt, toEpoch(segment.timestamp) ?? plan.startedAt);
      markers.push({ at, note: "Audio (media missing)" + (text === undefined ? "" : ":") });
      if (text !== undefined) for (let i = 0; i < text.length; i += 1_900) markers.push({ at, note: text.slice(i, i + 1_900) });
    }
    const saved = await saveBatch(kept.map((k) => ({ media: k.media, type: "audio" as const })));
    const appends = kept.map(({ segment, media: m }, n) => {
      const at = Math.max(plan.startedAt, toEpoch(segment.timestamp) ?? plan.startedAt);
      if (m.convertedFrom !== undefined) converted++;
      const text = bestTranscript(segment);
      return storage.sessions.appendAudioSegment(sessionId, {
        sequenceNumber: audioSegments++,
        attachmentId: saved[n]!.id,
        capturedAt: at,
        startSessionMs: at - plan.startedAt,
        durationMs: m.durationMs ?? Math.round((segment.duration ?? 0) * 1000),
        sampleRate: m.sampleRate!,
        channels: m.channels!,
        ...(text === undefined ? {} : { transcript: { text, segments: [], provider: "taskerino" } }),
      });
    });
    await Promise.all(appends);
    itemsDone += batch.length;
    progress(itemsDone / items, `${audioSegments} audio segments`);
  }

  let video = false;
  if (plan.session.video != null) {
    const lookup = await media.load(plan.session.video, "video");
    if ("media" in lookup && lookup.media.mimeType.startsWith("video/")) {
      const [attachment] = await saveBatch([{ media: lookup.media, type: "video" }]);
      const durationMs = lookup.media.durationMs ?? Math.round((plan.session.video.duration ?? 0) * 1000);
      await storage.sessions.saveVideo({ sessionId, segments: [{ sequenceNumber: 0, attachmentId: attachment!.id, startSessionMs: 0, durationMs, ...(lookup.media.width ? { width: lookup.media.width, height: lookup.media.height } : {}) }], durationMs, updatedAt: host.clock.now() });
      video = true;
    } else {
      missing.video++;
      note("video", "media" in lookup ? `not a video (${lookup.media.mimeType})` : lookup.missing);
      markers.push({ at: plan.startedAt, note: "Video (media missing)" });
    }
  }

  if (plan.summary !== undefined) await storage.sessions.saveSummary({ sessionId, ...plan.summary });
  const now = host.clock.now();
  const markerRecords = [];
  for (const m of markers.sort((a, b) => a.at - b.at)) {
    markerRecords.push({ id: host.crypto.randomUUID(), sessionId, sessionTimeMs: Math.max(0, m.at - plan.startedAt), at: m.at || now, note: m.note.slice(0, 2_000) });
  }
  if (markerRecords.length > 0) await storage.store.putJson(MARKERS_KEY(sessionId), markerRecords, { priority: "critical" });

  const full = await storage.sessions.getFullSession(sessionId);
  if (full === undefined || full.problems.length > 0 || full.screenshots.length !== screenshots || full.audioSegments.length !== audioSegments) {
    throw new Error(`the imported copy of session ${oldId} did not read back whole`);
  }
  return { sessionId, screenshots, audioSegments, markers: markerRecords.length, summary: plan.summary !== undefined, video, mediaMissing: missing, converted, notImported: plan.notImported };
}

export { recoverUnfinishedImports } from "./import-pending.ts";

/** Imports every record; one session's failure rolls that session back and is reported, the rest go on. */
export async function importSessions(options: ImportSessionsOptions): Promise<SessionImportReport[]> {
  const { storage, host } = options;
  const reports: SessionImportReport[] = [];
  let done = 0;
  for await (const { record, media, problem } of options.records) {
    if (problem !== undefined) {
      const id = (record as { id?: unknown } | null)?.id;
      reports.push(empty(typeof id === "string" ? id : "(no id)", typeof id === "string" ? id : "", "skipped", { reason: problem }));
      continue;
    }
    const planned = planSession(record, host.clock.now());
    if (!("plan" in planned)) {
      reports.push(empty(planned.oldId, planned.name, "skipped", { reason: planned.skipped }));
      continue;
    }
    const { plan } = planned;
    const oldId = plan.session.id;
    const sessionIndex = done++;
    options.progress?.(sessionIndex, plan.name);
    const mapKey = `${MAP_PREFIX}${await host.crypto.sha256(encodeUtf8(oldId))}.json`;
    let mapped = await storage.store.getJson(mapKey, MapSchema).catch(() => undefined);
    if (mapped?.superseded !== undefined) {
      // An update that was killed after its new copy landed: finish dropping the old copy.
      await removeSession(storage, mapped.superseded, []);
      mapped = { oldId, sessionId: mapped.sessionId, fingerprint: mapped.fingerprint, media: mapped.media };
      await storage.store.putJson(mapKey, mapped, { priority: "critical" });
    }
    const fingerprint = await fingerprintOf(host, plan, media);
    if (mapped !== undefined) {
      const present = await idInUse(storage, mapped.sessionId);
      if (!present) {
        reports.push(empty(oldId, plan.name, "kept-deleted", { sessionId: mapped.sessionId, reason: "deleted here after an earlier import; not brought back" }));
        continue;
      }
      if (!changed(mapped, fingerprint)) {
        reports.push(empty(oldId, plan.name, "unchanged", { sessionId: mapped.sessionId }));
        continue;
      }
    }
    const candidate = oldId.toLowerCase();
    if (mapped === undefined && isSessionId(candidate)) {
      const existing = await storage.sessions.getMetadata(candidate).catch(() => undefined);
      if (existing?.migratedFrom?.id === oldId) {
        reports.push(empty(oldId, plan.name, "skipped", { sessionId: candidate, collision: `session ${candidate} was imported by an earlier version of the import and is kept as it is`, reason: "already here; delete it and import again to bring it over with its media" }));
        continue;
      }
    }
    let collision: string | undefined;
    let sessionId: string;
    if (mapped === undefined && isSessionId(candidate) && !(await idInUse(storage, candidate))) sessionId = candidate;
    else {
      if (mapped === undefined && isSessionId(candidate)) collision = `a session ${candidate} already exists here; imported under a new id`;
      sessionId = host.crypto.randomUUID();
    }
    const pendingKey = `${PENDING_PREFIX}${sessionId}.json`;
    await storage.store.putJson(pendingKey, { sessionId, blobs: [] }, { priority: "critical" });
    let result;
    try {
      const source = mapped === undefined ? media : await withEarlierMedia(storage, media, mapped.sessionId);
      result = await writeSession(options, plan, sessionId, source, oldId, (fraction, detail) => options.progress?.(sessionIndex + fraction, detail));
    } catch (error) {
      try {
        await rollBack(storage, pendingKey, sessionId, []);
      } catch {
        // The pending record stays: the next import rolls this session back.
      }
      reports.push(empty(oldId, plan.name, "skipped", { reason: `could not be imported: ${error instanceof Error ? error.message : String(error)}` }));
      continue;
    }
    const report: SessionImportReport = { oldId, name: plan.name, outcome: mapped === undefined ? "imported" : "updated", ...(collision === undefined ? {} : { collision }), ...result };
    const segments = await pendingListKeys(storage, sessionId);
    // The id map, the report and the end of "pending" commit together: from here the session is whole.
    await storage.store.transaction(async (tx) => {
      for (const key of segments) tx.delete(key);
      tx.putJson(mapKey, { oldId, sessionId, fingerprint: fingerprint.record, media: fingerprint.media, ...(mapped === undefined ? {} : { superseded: mapped.sessionId }) });
      tx.putJson(`${REPORT_PREFIX}${sessionId}.json`, report);
      tx.delete(pendingKey);
    }, { priority: "critical" });
    if (mapped !== undefined) {
      await removeSession(storage, mapped.sessionId, []);
      await storage.store.putJson(mapKey, { oldId, sessionId, fingerprint: fingerprint.record, media: fingerprint.media }, { priority: "critical" });
    }
    reports.push(report);
  }
  return reports;
}

/** The import report stored for a session, for the panel's session page. */
export async function getImportReport(storage: Pick<OpenedStorage, "store">, sessionId: string): Promise<SessionImportReport | undefined> {
  return storage.store.getJson(`${REPORT_PREFIX}${sessionId}.json`, { parse: (value: unknown) => value as SessionImportReport });
}
