import type { SessionStatus, SummaryRecordInput } from "../domain/index.ts";
import { v1Schemas, type V1AudioSegment, type V1Screenshot, type V1Session } from "./import-schemas.ts";

/**
 * Pure mapping from the previous app's session record onto Stint's model, and
 * the count of everything that has no place in it. The import report lists
 * every field that was present and not brought over, so nothing is dropped
 * without the user being told.
 */

export type MediaRole = "screenshot" | "audio" | "video";

/** A field (or sub-field) of the old records that was not brought over, with how often it held a value. */
export interface NotImported {
  readonly field: string;
  readonly count: number;
  readonly reason: string;
}

/** A note on the session timeline, as the session feature stores markers. */
export interface PlannedMarker {
  readonly at: number;
  readonly note: string;
}

export const toEpoch = (value: string | number | undefined): number | undefined => {
  if (value === undefined) return undefined;
  const ms = typeof value === "number" ? value : Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) : undefined;
};

const STATUS: Record<string, SessionStatus> = { completed: "completed", interrupted: "interrupted", active: "interrupted", paused: "interrupted" };

const NO_PLACE = "Stint has no place for it";
const STATE = "the previous app's own processing state, not session content";

/** Session fields the import maps (directly or into markers, tags, summary, durations). */
const SESSION_MAPPED = new Set([
  "id", "name", "description", "status", "startTime", "endTime", "lastScreenshotTime", "totalPausedTime", "totalDuration", "screenshotInterval",
  "screenshots", "audioSegments", "contextItems", "tags", "category", "subCategory", "activityType", "extractedTaskIds", "extractedNoteIds",
  "summary", "audioInsights", "fullTranscription", "video", "enableScreenshots", "audioRecording", "videoRecording", "audioMode",
]);
const SESSION_STATE = new Set(["enrichmentStatus", "enrichmentConfig", "enrichmentLock", "audioReviewCompleted", "transcriptUpgradeCompleted", "autoAnalysis", "pausedAt", "version", "storageVersion", "createdAt", "updatedAt", "chunks", "hasSummary", "hasAudioInsights", "hasCanvasSpec", "hasTranscription", "hasVideo", "hasFullAudio"]);
const SCREENSHOT_MAPPED = new Set(["id", "sessionId", "timestamp", "attachmentId", "hash", "path", "data", "base64", "mimeType", "width", "height", "perceptualHash", "aiAnalysis", "userComment", "flagged", "analysisStatus", "analysisError"]);
const ANALYSIS_MAPPED = new Set(["summary", "detectedActivity", "extractedText", "keyElements"]);
const AUDIO_MAPPED = new Set(["id", "sessionId", "timestamp", "duration", "transcription", "draftTranscription", "enrichedTranscription", "transcriptionQuality", "attachmentId", "hash", "data", "base64", "mimeType", "sampleRate", "channels"]);
const CONTEXT_MAPPED = new Set(["id", "sessionId", "timestamp", "type", "content", "linkedItemId", "noteId", "taskId"]);

const hasValue = (value: unknown): boolean =>
  value !== undefined && value !== null && value !== "" && !(Array.isArray(value) && value.length === 0) && !(typeof value === "object" && !Array.isArray(value) && Object.keys(value as object).length === 0);

/** Tallies fields that held a value and are not in `mapped`. */
class Tally {
  readonly counts = new Map<string, { count: number; reason: string }>();
  add(field: string, reason: string, by = 1): void {
    const entry = this.counts.get(field) ?? { count: 0, reason };
    entry.count += by;
    this.counts.set(field, entry);
  }
  unmapped(prefix: string, record: Record<string, unknown>, mapped: ReadonlySet<string>, state: ReadonlySet<string> = new Set()): void {
    for (const [key, value] of Object.entries(record)) {
      if (mapped.has(key) || !hasValue(value)) continue;
      this.add(`${prefix}${key}`, state.has(key) ? STATE : NO_PLACE);
    }
  }
  list(): NotImported[] {
    return [...this.counts.entries()].map(([field, { count, reason }]) => ({ field, count, reason })).sort((a, b) => a.field.localeCompare(b.field));
  }
}

/** Splits long text into marker-sized parts (markers hold at most 2,000 characters), so none is cut off. */
export function markerNotes(prefix: string, text: string, max = 2_000): string[] {
  const room = max - prefix.length;
  const parts: string[] = [];
  for (let at = 0; at < text.length; at += room) parts.push(`${prefix}${text.slice(at, at + room)}`);
  return parts;
}

export interface SessionPlan {
  readonly session: V1Session;
  readonly name: string;
  readonly description?: string;
  readonly status: SessionStatus;
  readonly startedAt: number;
  readonly endedAt?: number;
  readonly activeDurationMs: number;
  readonly intervalMs?: number;
  readonly tags: string[];
  readonly screenshots: V1Screenshot[];
  readonly audioSegments: V1AudioSegment[];
  readonly markers: PlannedMarker[];
  readonly summary?: Omit<SummaryRecordInput, "sessionId">;
  readonly notImported: NotImported[];
}

export type PlanResult = { readonly plan: SessionPlan } | { readonly oldId: string; readonly name: string; readonly skipped: string };

/** The better transcript of a segment: the word-accurate re-transcription when there is one. */
export function bestTranscript(segment: V1AudioSegment): string | undefined {
  const enriched = segment.enrichedTranscription?.trim();
  if (enriched) return segment.enrichedTranscription;
  return segment.transcription?.trim() ? segment.transcription : segment.draftTranscription?.trim() ? segment.draftTranscription : undefined;
}

function plainObject(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === "string" && v.trim() !== "") : []);

function mapSummary(value: unknown, tally: Tally, now: number): SessionPlan["summary"] {
  if (typeof value === "string") return value.trim() === "" ? undefined : { summary: value, provider: "taskerino", createdAt: now };
  const summary = plainObject(value);
  if (summary === undefined) return undefined;
  const quick = plainObject(summary.quickAccess) ?? {};
  const narrative = typeof summary.narrative === "string" && summary.narrative.trim() !== "" ? summary.narrative : typeof summary.summary === "string" ? summary.summary : "";
  const insightTexts = [...(Array.isArray(summary.keyInsights) ? summary.keyInsights : []), ...(Array.isArray(quick.insights) ? quick.insights : [])]
    .map((i) => (typeof i === "string" ? i : typeof plainObject(i)?.insight === "string" ? (plainObject(i)!.insight as string) : undefined))
    .filter((t): t is string => t !== undefined);
  const points = [
    ...[...strings(summary.achievements), ...strings(quick.achievements)].map((t) => `Achievement: ${t}`),
    ...[...strings(summary.blockers), ...strings(quick.blockers)].map((t) => `Blocker: ${t}`),
    ...insightTexts.map((t) => `Insight: ${t}`),
    ...strings(summary.keyActivities).map((t) => `Activity: ${t}`),
  ];
  const taskSources = [...(Array.isArray(summary.recommendedTasks) ? summary.recommendedTasks : []), ...(Array.isArray(summary.extractedTasks) ? summary.extractedTasks : []), ...(Array.isArray(quick.tasks) ? quick.tasks : [])];
  const tasks = taskSources
    .map(plainObject)
    .filter((t): t is Record<string, unknown> => t !== undefined && typeof t.title === "string")
    .map((t, n) => {
      const priority: "low" | "medium" | "high" | undefined = t.priority === "urgent" || t.priority === "high" ? "high" : t.priority === "low" ? "low" : t.priority === "medium" ? "medium" : undefined;
      return { id: `taskerino-task-${n + 1}`, title: t.title as string, ...(typeof t.context === "string" && t.context !== "" ? { description: t.context } : {}), ...(priority === undefined ? {} : { priority }) };
    });
  const notes = (Array.isArray(summary.extractedNotes) ? summary.extractedNotes : [])
    .map(plainObject)
    .filter((n): n is Record<string, unknown> => n !== undefined && typeof n.content === "string")
    .map((n, i) => ({ id: `taskerino-note-${i + 1}`, text: n.content as string }));
  const mapped = new Set(["narrative", "summary", "achievements", "blockers", "keyInsights", "recommendedTasks", "extractedTasks", "extractedNotes", "keyActivities", "quickAccess", "lastUpdated", "screenshotCount", "schemaVersion", "id", "generatedAt", "sessionContext"]);
  tally.unmapped("summary.", summary, mapped, new Set(["generationMetadata", "liveSnapshot"]));
  if (narrative === "" && points.length === 0 && tasks.length === 0 && notes.length === 0) return undefined;
  const createdAt = toEpoch(typeof summary.lastUpdated === "string" ? summary.lastUpdated : typeof summary.generatedAt === "string" ? summary.generatedAt : undefined) ?? now;
  return { summary: narrative, points: points.map((text) => ({ text })), tasks, notes, provider: "taskerino", createdAt };
}

/** Plans one session; a record that cannot be a session (no id, no valid start) is skipped with the reason. */
export function planSession(record: unknown, now: number): PlanResult {
  const raw = plainObject(record);
  const oldId = typeof raw?.id === "string" ? raw.id : "(no id)";
  const rawName = typeof raw?.name === "string" ? raw.name : "";
  const parsed = v1Schemas().V1SessionSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { oldId, name: rawName, skipped: `not a session record (${issue === undefined ? "invalid" : `${issue.path.join(".") || "record"}: ${issue.message}`})` };
  }
  const session = parsed.data;
  const startedAt = toEpoch(session.startTime);
  if (startedAt === undefined) return { oldId, name: session.name, skipped: "no valid start time" };
  const tally = new Tally();
  tally.unmapped("", raw!, SESSION_MAPPED, SESSION_STATE);

  const screenshots = [...session.screenshots].sort((a, b) => (toEpoch(a.timestamp) ?? 0) - (toEpoch(b.timestamp) ?? 0));
  const audioSegments = [...session.audioSegments].sort((a, b) => (toEpoch(a.timestamp) ?? 0) - (toEpoch(b.timestamp) ?? 0));
  for (const shot of screenshots) {
    tally.unmapped("screenshots.", shot, SCREENSHOT_MAPPED);
    const analysis = plainObject(shot.aiAnalysis);
    if (analysis !== undefined) tally.unmapped("screenshots.aiAnalysis.", analysis, ANALYSIS_MAPPED);
  }
  for (const segment of audioSegments) tally.unmapped("audioSegments.", segment, AUDIO_MAPPED);

  // Durations from the real times: the previous app rounds totalDuration down to whole minutes.
  const lastItem = Math.max(startedAt, ...screenshots.map((s) => toEpoch(s.timestamp) ?? 0), ...audioSegments.map((a) => (toEpoch(a.timestamp) ?? 0) + Math.round((a.duration ?? 0) * 1000)));
  const endTime = toEpoch(session.endTime);
  const endedAt = endTime !== undefined && endTime >= startedAt ? endTime : STATUS[session.status ?? "completed"] === "completed" ? undefined : lastItem;
  const paused = Math.max(0, Math.round(session.totalPausedTime ?? 0));
  const activeDurationMs =
    endedAt !== undefined ? Math.max(0, endedAt - startedAt - paused) : session.totalDuration !== undefined ? Math.round(session.totalDuration * 60_000) : Math.max(0, lastItem - startedAt);

  const at = (value: string | number | undefined) => Math.max(startedAt, toEpoch(value) ?? startedAt);
  const markers: PlannedMarker[] = [];
  for (const item of session.contextItems) {
    tally.unmapped("contextItems.", item, CONTEXT_MAPPED);
    if (item.content === undefined || item.content.trim() === "") continue;
    const kind = item.type === "task" ? "Task" : item.type === "note" ? "Note" : "Marker";
    for (const note of markerNotes(`${kind}: `, item.content)) markers.push({ at: at(item.timestamp), note });
  }
  for (const shot of screenshots) {
    if (shot.userComment !== undefined && shot.userComment.trim() !== "") for (const note of markerNotes("Comment: ", shot.userComment)) markers.push({ at: at(shot.timestamp), note });
    if (shot.flagged === true) markers.push({ at: at(shot.timestamp), note: "Flagged in the previous app" });
  }
  const insights = plainObject(session.audioInsights);
  const points: string[] = [];
  if (insights !== undefined) {
    if (typeof insights.narrative === "string" && insights.narrative.trim() !== "") points.push(`Audio: ${insights.narrative}`);
    for (const moment of Array.isArray(insights.keyMoments) ? insights.keyMoments : []) {
      const m = plainObject(moment);
      if (m === undefined || typeof m.description !== "string") continue;
      const seconds = typeof m.timestamp === "number" ? m.timestamp : 0;
      const excerpt = typeof m.excerpt === "string" && m.excerpt !== "" ? ` — “${m.excerpt}”` : "";
      for (const note of markerNotes(`${typeof m.type === "string" ? m.type : "moment"}: `, `${m.description}${excerpt}`)) markers.push({ at: startedAt + Math.round(seconds * 1000), note });
    }
    tally.unmapped("audioInsights.", insights, new Set(["narrative", "keyMoments", "processedAt", "modelUsed", "processingDuration"]));
  }
  const hasSegmentText = audioSegments.some((s) => bestTranscript(s) !== undefined);
  if (session.fullTranscription !== undefined && session.fullTranscription.trim() !== "" && !hasSegmentText) {
    for (const note of markerNotes("Transcript: ", session.fullTranscription)) markers.push({ at: startedAt, note });
  } else if (session.fullTranscription?.trim()) {
    tally.add("fullTranscription", "the segments' own transcripts were kept instead");
  }
  for (const chapter of session.video?.chapters ?? []) {
    if (chapter.title === undefined) continue;
    for (const note of markerNotes("Chapter: ", `${chapter.title}${chapter.summary ? ` — ${chapter.summary}` : ""}`)) markers.push({ at: startedAt + Math.round((chapter.startTime ?? 0) * 1000), note });
  }
  if (session.video !== undefined && session.video !== null) tally.unmapped("video.", session.video, new Set(["id", "sessionId", "fullVideoAttachmentId", "duration", "path", "chapters", "chunkingStatus", "processedAt", "startTime", "endTime", "chunks"]));
  if ((session.video?.chunks as unknown[] | undefined)?.length) tally.add("video.chunks", "Stint keeps the whole video; the topic clips were cut from it", (session.video!.chunks as unknown[]).length);

  const summary = mapSummary(session.summary, tally, now);
  const withPoints = points.length === 0 ? summary : { summary: summary?.summary ?? "", provider: "taskerino", createdAt: summary?.createdAt ?? now, ...summary, points: [...(summary?.points ?? []), ...points.map((text) => ({ text }))] };
  const tags = [...new Set([...(session.tags ?? []), ...(session.category ? [`category:${session.category}`] : []), ...(session.subCategory ? [`subcategory:${session.subCategory}`] : []), ...(session.activityType ? [`activity:${session.activityType}`] : []), "imported"])]
    .map((t) => t.slice(0, 200));
  return {
    plan: {
      session,
      name: session.name.slice(0, 500),
      ...(session.description === undefined || session.description === "" ? {} : { description: session.description.slice(0, 10_000) }),
      status: STATUS[session.status ?? "completed"] ?? "completed",
      startedAt,
      ...(endedAt === undefined ? {} : { endedAt }),
      activeDurationMs,
      ...(session.screenshotInterval !== undefined && session.screenshotInterval > 0 ? { intervalMs: Math.round(session.screenshotInterval * 60_000) } : {}),
      tags,
      screenshots,
      audioSegments,
      markers: markers.sort((a, b) => a.at - b.at),
      ...(withPoints === undefined ? {} : { summary: withPoints }),
      notImported: tally.list(),
    },
  };
}
