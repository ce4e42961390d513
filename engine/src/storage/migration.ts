import * as z from "zod";
import { EngineError } from "../bridge/index.ts";
import { isSessionId, V1StoreSchema, type SessionStatus, type V1Session } from "../domain/index.ts";
import type { HostPort } from "../host/index.ts";
import { base64Decode } from "../host/index.ts";
import { decodeUtf8, encodeUtf8 } from "./codec.ts";
import type { OpenedStorage } from "./create-storage.ts";

const StateSchema = z.object({
  v: z.literal(1),
  sessions: z.record(z.string(), z.object({ sessionId: z.string(), status: z.enum(["writing", "written", "verified"]) })),
  done: z.boolean(),
});
type State = z.infer<typeof StateSchema>;

export interface MigrationReport {
  readonly migrated: { v1Id: string; sessionId: string; screenshots: number; audioSegments: number }[];
  /** Sessions already migrated by an earlier (possibly interrupted) run. */
  readonly alreadyDone: number;
  readonly skipped: { id: string; reason: string }[];
  /** Items left behind because v1 held no bytes for them. */
  readonly missingMedia: number;
  /** The v1 copy is removed once every session's v2 copy verifies (unless kept). */
  readonly v1Removed: boolean;
  /** Store key of the kept v1 copy while it exists. */
  readonly v1Key: string;
}

export interface MigrateOptions {
  readonly storage: Pick<OpenedStorage, "store" | "sessions" | "attachments">;
  readonly host: Pick<HostPort, "clock" | "crypto">;
  /** The v1 `sessions` value: JSON bytes, a JSON string, or the parsed value. */
  readonly source: Uint8Array | string | unknown;
  /** Keep the v1 copy even after every session verifies. */
  readonly keepV1?: boolean;
  readonly progress?: (fraction: number, detail: string) => void;
}

const toEpoch = (value: string | number | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : undefined;
};

const STATUS: Record<string, SessionStatus> = { completed: "completed", interrupted: "interrupted", active: "interrupted", paused: "interrupted" };

function mediaBytes(item: { data?: string; base64?: string; attachmentId?: string }, attachments: V1StoreAttachments): Uint8Array | undefined {
  const inline = item.data ?? item.base64 ?? (item.attachmentId === undefined ? undefined : (attachments[item.attachmentId]?.data ?? attachments[item.attachmentId]?.base64));
  if (inline === undefined || inline.length === 0) return undefined;
  try {
    return base64Decode(inline.replace(/^data:[^,]*,/, ""));
  } catch {
    return undefined;
  }
}
type V1StoreAttachments = z.infer<typeof V1StoreSchema>["attachments"];

/**
 * Migrates a schema v1 store (one monolithic object per session under a single
 * `sessions` key) to v2. Idempotent and resumable: the v1 copy is kept under
 * `legacy/v1/{sha256}.json` with a state file beside it, each session is
 * marked writing → written → verified, and a session found half-written after
 * a crash is deleted and written again. The v1 copy goes only once every
 * session's v2 copy verifies.
 */
export async function migrateV1(options: MigrateOptions): Promise<MigrationReport> {
  const { storage, host } = options;
  const bytes = options.source instanceof Uint8Array ? options.source : encodeUtf8(typeof options.source === "string" ? options.source : JSON.stringify(options.source));
  let parsed: z.infer<typeof V1StoreSchema>;
  try {
    parsed = V1StoreSchema.parse(JSON.parse(decodeUtf8(bytes)));
  } catch (cause) {
    throw new EngineError("storage.migration_failed", "the v1 data is not a sessions list the migration understands", { cause });
  }
  const digest = await host.crypto.sha256(bytes);
  const v1Key = `legacy/v1/${digest}.json`;
  const stateKey = `legacy/v1/${digest}.state.json`;
  const state: State = (await storage.store.getJson(stateKey, StateSchema)) ?? { v: 1, sessions: {}, done: false };
  if (!state.done && (await storage.store.get(v1Key)) === undefined) await storage.store.put(v1Key, bytes, { priority: "critical" });
  const saveState = () => storage.store.putJson(stateKey, state, { priority: "critical" });

  const report: { migrated: MigrationReport["migrated"]; skipped: MigrationReport["skipped"]; alreadyDone: number; missingMedia: number } = { migrated: [], skipped: [], alreadyDone: 0, missingMedia: 0 };
  const total = parsed.sessions.length;
  for (const [index, v1] of parsed.sessions.entries()) {
    options.progress?.(index / Math.max(1, total), v1.name);
    const known = state.sessions[v1.id];
    if (known?.status === "verified") {
      report.alreadyDone++;
      continue;
    }
    const startedAt = toEpoch(v1.startTime);
    if (startedAt === undefined) {
      report.skipped.push({ id: v1.id, reason: "no valid start time" });
      continue;
    }
    if (known !== undefined) await storage.sessions.deleteSession(known.sessionId); // half-written by an interrupted run
    const candidate = v1.id.toLowerCase();
    const sessionId = known?.sessionId ?? (isSessionId(candidate) && (await storage.sessions.getMetadata(candidate).catch(() => undefined)) === undefined ? candidate : host.crypto.randomUUID());
    state.sessions[v1.id] = { sessionId, status: "writing" };
    await saveState();
    const counts = await writeSession(options, v1, sessionId, startedAt, parsed.attachments, report);
    state.sessions[v1.id] = { sessionId, status: "written" };
    await saveState();
    const full = await storage.sessions.getFullSession(sessionId);
    if (full === undefined || full.problems.length > 0 || full.screenshots.length !== counts.screenshots || full.audioSegments.length !== counts.audioSegments) {
      throw new EngineError("storage.migration_failed", `the v2 copy of session ${v1.id} did not verify; the v1 data is kept`, { data: { v1Id: v1.id, sessionId } });
    }
    state.sessions[v1.id] = { sessionId, status: "verified" };
    await saveState();
    report.migrated.push({ v1Id: v1.id, sessionId, ...counts });
  }
  const allVerified = parsed.sessions.every((v1) => state.sessions[v1.id]?.status === "verified" || report.skipped.some((s) => s.id === v1.id));
  let v1Removed = state.done;
  if (allVerified && options.keepV1 !== true && !state.done) {
    state.done = true;
    await storage.store.transaction(async (tx) => {
      tx.delete(v1Key);
      tx.putJson(stateKey, state);
    });
    v1Removed = true;
  }
  options.progress?.(1, "done");
  return { ...report, v1Removed, v1Key };
}

async function writeSession(
  options: MigrateOptions,
  v1: V1Session,
  sessionId: string,
  startedAt: number,
  attachments: V1StoreAttachments,
  report: { missingMedia: number },
): Promise<{ screenshots: number; audioSegments: number }> {
  const { storage } = options;
  const endedAt = toEpoch(v1.endTime);
  const activeDurationMs = v1.totalDuration !== undefined ? Math.round(v1.totalDuration * 60_000) : endedAt !== undefined ? Math.max(0, endedAt - startedAt) : 0;
  await storage.sessions.saveMetadata({
    schemaVersion: 2,
    id: sessionId,
    name: v1.name.slice(0, 500),
    ...(v1.description === undefined ? {} : { description: v1.description.slice(0, 10_000) }),
    status: STATUS[v1.status ?? "completed"] ?? "completed",
    startedAt,
    ...(endedAt === undefined || endedAt < startedAt ? {} : { endedAt }),
    activeDurationMs,
    tags: v1.tags ?? [],
    extractedTaskIds: v1.extractedTaskIds ?? [],
    extractedNoteIds: v1.extractedNoteIds ?? [],
    migratedFrom: { schemaVersion: 1, id: v1.id },
  });
  const appends: Promise<unknown>[] = [];
  let screenshots = 0;
  let audioSegments = 0;
  const shots = [...v1.screenshots].sort((a, b) => (toEpoch(a.timestamp) ?? 0) - (toEpoch(b.timestamp) ?? 0));
  const savedShots = await Promise.all(
    shots.map(async (shot) => {
      const bytes = mediaBytes(shot, attachments);
      if (bytes === undefined) return undefined;
      return storage.attachments.saveAttachment(bytes, { type: "screenshot", mimeType: shot.mimeType ?? "image/png", ...(shot.width ? { width: Math.round(shot.width) } : {}), ...(shot.height ? { height: Math.round(shot.height) } : {}) });
    }),
  );
  const segments = [...v1.audioSegments].sort((a, b) => (toEpoch(a.timestamp) ?? 0) - (toEpoch(b.timestamp) ?? 0));
  const savedAudio = await Promise.all(
    segments.map(async (segment) => {
      const bytes = mediaBytes(segment, attachments);
      return bytes === undefined ? undefined : storage.attachments.saveAttachment(bytes, { type: "audio", mimeType: segment.mimeType ?? "audio/wav" });
    }),
  );
  // Every attachment is saved before the first append, so no append waits unobserved behind an await.
  for (const [i, shot] of shots.entries()) {
    const attachment = savedShots[i];
    if (attachment === undefined) {
      report.missingMedia++;
      continue;
    }
    const capturedAt = toEpoch(shot.timestamp) ?? startedAt;
    const analysis = shot.aiAnalysis;
    appends.push(
      storage.sessions.appendScreenshot(sessionId, {
        sequenceNumber: screenshots++,
        capturedAt,
        sessionTimeMs: Math.max(0, capturedAt - startedAt),
        attachmentId: attachment.id,
        width: Math.max(1, Math.round(shot.width ?? 1)),
        height: Math.max(1, Math.round(shot.height ?? 1)),
        ...(shot.perceptualHash !== undefined && /^[0-9a-f]{16}$/.test(shot.perceptualHash) ? { perceptualHash: shot.perceptualHash } : {}),
        ...(analysis === undefined
          ? {}
          : { analysis: { summary: analysis.summary ?? "", ...(analysis.detectedActivity === undefined ? {} : { activity: analysis.detectedActivity }), apps: [], ...(analysis.extractedText === undefined ? {} : { text: analysis.extractedText }), provider: "v1" } }),
      }),
    );
  }
  for (const [i, segment] of segments.entries()) {
    const attachment = savedAudio[i];
    if (attachment === undefined) {
      report.missingMedia++;
      continue;
    }
    const at = toEpoch(segment.timestamp) ?? startedAt;
    appends.push(
      storage.sessions.appendAudioSegment(sessionId, {
        sequenceNumber: audioSegments++,
        attachmentId: attachment.id,
        capturedAt: at,
        startSessionMs: Math.max(0, at - startedAt),
        durationMs: Math.round((segment.duration ?? 0) * 1000),
        sampleRate: Math.max(1, Math.round(segment.sampleRate ?? 16_000)),
        channels: Math.max(1, Math.round(segment.channels ?? 1)),
        ...(segment.transcription === undefined ? {} : { transcript: { text: segment.transcription, segments: [], provider: "v1" } }),
      }),
    );
  }
  await Promise.all(appends);
  const summary = typeof v1.summary === "string" ? v1.summary : (v1.summary as { summary?: unknown } | undefined)?.summary;
  if (typeof summary === "string" && summary.length > 0) {
    await storage.sessions.saveSummary({ sessionId, summary, provider: "v1", createdAt: options.host.clock.now() });
  }
  return { screenshots, audioSegments };
}
