import * as z from "zod";
import type { Evidence, SessionAudioSegment, SessionMetadata, SessionScreenshot, SummaryRecord } from "../domain/index.ts";

/** What a hit is: the query language's `kind:` values. */
export const SearchKindSchema = z.enum(["name", "tag", "marker", "transcript", "screen", "app", "summary", "chapter", "task", "note"]);
export type SearchKind = z.infer<typeof SearchKindSchema>;

/** One searchable entry of a session, with the moment it belongs to (session time, ms). */
export interface SearchDocument {
  readonly kind: SearchKind;
  readonly startMs: number;
  readonly endMs: number;
  /** Where it came from: a screenshot or audio sequence number, a marker or task id. */
  readonly ref?: string;
  readonly text: string;
  /** Apps seen on screen at that moment (screen entries). */
  readonly apps?: readonly string[];
}

/** Everything indexed about a session, as read from its records. */
export interface SessionSource {
  readonly metadata: SessionMetadata;
  readonly screenshots: readonly SessionScreenshot[];
  readonly audioSegments: readonly SessionAudioSegment[];
  readonly summary: SummaryRecord | undefined;
  readonly markers: readonly { readonly id: string; readonly sessionTimeMs: number; readonly note?: string | undefined }[];
  /** The user's corrections (the review's `review/edits/{id}.json`): they win over the AI's text. */
  readonly edits?: UserEdits | undefined;
}

/** The parts of the review's stored edits that change searchable text (read loosely: the review owns the shape). */
export const UserEditsSchema = z
  .looseObject({
    summary: z.looseObject({ text: z.string() }),
    chapters: z.record(z.string(), z.looseObject({ text: z.string(), base: z.string() })),
    items: z.record(z.string(), z.looseObject({ text: z.string(), base: z.string(), deleted: z.boolean() }).partial()),
    added: z.array(z.looseObject({ list: z.string(), id: z.string(), text: z.string() })),
    markers: z.record(z.string(), z.string()),
  })
  .partial();
export type UserEdits = z.infer<typeof UserEditsSchema>;

function spanOf(evidence: readonly Evidence[], whole: readonly [number, number]): [number, number] {
  if (evidence.length === 0) return [whole[0], whole[1]];
  let start = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const item of evidence) {
    start = Math.min(start, item.tStart);
    end = Math.max(end, item.tEnd);
  }
  return [start, Math.max(start, end)];
}

/** What a screenshot showed: the analysis' description and the text read off the screen. */
function screenText(shot: SessionScreenshot): string {
  const analysis = shot.analysis;
  if (analysis === undefined) return "";
  return [analysis.summary, analysis.activity, analysis.text].filter((part): part is string => part !== undefined && part.trim() !== "").join("\n");
}

/** The session's entries in a stable order (the index keeps their positions). Pure. */
export function documentsOf(source: SessionSource): SearchDocument[] {
  const { metadata } = source;
  const whole: [number, number] = [0, metadata.activeDurationMs];
  const docs: SearchDocument[] = [];
  const nameText = [metadata.name, metadata.description].filter((part) => part !== undefined && part.trim() !== "").join("\n");
  if (nameText !== "") docs.push({ kind: "name", startMs: 0, endMs: whole[1], text: nameText });
  for (const tag of metadata.tags) docs.push({ kind: "tag", startMs: 0, endMs: whole[1], text: tag });
  const edits = source.edits;
  for (const marker of source.markers) {
    const label = edits?.markers?.[marker.id] ?? marker.note;
    docs.push({ kind: "marker", startMs: marker.sessionTimeMs, endMs: marker.sessionTimeMs, ref: marker.id, text: label?.trim() || "Marker" });
  }
  for (const segment of source.audioSegments) {
    const transcript = segment.transcript;
    if (transcript === undefined) continue;
    if (transcript.segments.length === 0) {
      if (transcript.text.trim() !== "") docs.push({ kind: "transcript", startMs: segment.startSessionMs, endMs: segment.startSessionMs + segment.durationMs, ref: String(segment.sequenceNumber), text: transcript.text });
      continue;
    }
    for (const part of transcript.segments) {
      if (part.text.trim() === "") continue;
      docs.push({ kind: "transcript", startMs: segment.startSessionMs + part.startMs, endMs: segment.startSessionMs + part.endMs, ref: String(segment.sequenceNumber), text: part.text });
    }
  }
  const apps = new Map<string, [number, number]>();
  const shots = [...source.screenshots].sort((a, b) => a.sessionTimeMs - b.sessionTimeMs);
  for (const [i, shot] of shots.entries()) {
    const next = shots[i + 1]?.sessionTimeMs ?? Math.max(shot.sessionTimeMs, whole[1]);
    for (const app of shot.analysis?.apps ?? []) {
      const seen = apps.get(app);
      apps.set(app, seen === undefined ? [shot.sessionTimeMs, next] : [seen[0], Math.max(seen[1], next)]);
    }
    // A duplicate shows what the screenshot it duplicates showed: indexing it again adds nothing.
    if (shot.isDuplicate) continue;
    const text = screenText(shot);
    if (text === "") continue;
    const shotApps = shot.analysis?.apps ?? [];
    docs.push({ kind: "screen", startMs: shot.sessionTimeMs, endMs: next, ref: String(shot.sequenceNumber), text, ...(shotApps.length > 0 ? { apps: shotApps } : {}) });
  }
  for (const [app, [start, end]] of apps) docs.push({ kind: "app", startMs: start, endMs: end, text: app });
  const summary = source.summary;
  if (summary !== undefined) {
    const summaryText = edits?.summary?.text ?? summary.summary;
    if (summaryText.trim() !== "") docs.push({ kind: "summary", startMs: 0, endMs: whole[1], text: summaryText });
    for (const point of summary.points) docs.push({ kind: "summary", ...span(point.evidence, whole), text: point.text });
    const chapterEdits = new Map(Object.values(edits?.chapters ?? {}).map((edit) => [edit.base, edit.text]));
    for (const chapter of summary.chapters) {
      const title = chapterEdits.get(chapter.title) ?? chapter.title;
      docs.push({ kind: "chapter", startMs: chapter.startMs, endMs: Math.max(chapter.startMs, chapter.endMs), text: [title, chapter.summary].filter((p) => p !== undefined && p !== "").join("\n") });
    }
    const edited = (list: "tasks" | "notes", id: string, text: string): string | undefined => {
      const edit = edits?.items?.[`${list}:${id}`] ?? Object.entries(edits?.items ?? {}).find(([key, e]) => key.startsWith(`${list}:`) && e.base === text)?.[1];
      if (edit?.deleted === true) return undefined;
      return edit?.text ?? text;
    };
    for (const task of summary.tasks) {
      const title = edited("tasks", task.id, task.title);
      if (title !== undefined) docs.push({ kind: "task", ...span(task.evidence, whole), ref: task.id, text: [title, task.description].filter((p) => p !== undefined && p !== "").join("\n") });
    }
    for (const note of summary.notes) {
      const text = edited("notes", note.id, note.text);
      if (text !== undefined) docs.push({ kind: "note", ...span(note.evidence, whole), ref: note.id, text });
    }
  } else if (edits?.summary !== undefined && edits.summary.text.trim() !== "") docs.push({ kind: "summary", startMs: 0, endMs: whole[1], text: edits.summary.text });
  for (const added of edits?.added ?? []) {
    const kind = added.list === "tasks" ? "task" : added.list === "notes" ? "note" : undefined;
    if (kind !== undefined && added.text.trim() !== "") docs.push({ kind, startMs: 0, endMs: whole[1], ref: added.id, text: added.text });
  }
  return docs;
}

function span(evidence: readonly Evidence[], whole: readonly [number, number]): { startMs: number; endMs: number } {
  const [startMs, endMs] = spanOf(evidence, whole);
  return { startMs, endMs };
}
