import * as z from "zod";
import type { ChapterView, EvidenceItem, SessionDetail } from "./review-schemas.ts";

/**
 * The user's corrections to a session's AI output, stored apart from it.
 * Each text edit keeps `base`, the AI text it replaced: when re-enrichment
 * writes a different AI text, the edit stays and the new AI text is offered
 * beside it (`aiChanged`) rather than over it.
 */

export const EditListSchema = z.enum(["tasks", "notes"]);
export type EditList = z.infer<typeof EditListSchema>;

const TextEditSchema = z.object({ text: z.string().max(20_000), base: z.string().max(20_000) });
const ItemEditSchema = z.object({
  text: z.string().max(2_000).optional(),
  base: z.string().max(2_000).optional(),
  done: z.boolean().optional(),
  deleted: z.boolean().optional(),
});
const AddedItemSchema = z.object({ list: EditListSchema, id: z.string().max(200), text: z.string().max(2_000), done: z.boolean().optional() });

export const SessionEditsSchema = z.object({
  v: z.literal(1).default(1),
  summary: TextEditSchema.optional(),
  chapters: z.record(z.string().max(200), TextEditSchema).default({}),
  /** Keyed `tasks:<id>` or `notes:<id>`. */
  items: z.record(z.string().max(220), ItemEditSchema).default({}),
  added: z.array(AddedItemSchema).max(1_000).default([]),
  /** Marker labels given after the fact (e.g. right after pressing M). */
  markers: z.record(z.string().max(200), z.string().max(500)).default({}),
});
export type SessionEdits = z.infer<typeof SessionEditsSchema>;

export const EMPTY_EDITS: SessionEdits = { v: 1, chapters: {}, items: {}, added: [], markers: {} };

/** One correction, as the panel sends it. A `null` text drops the edit and shows the AI's text again. */
export const EditSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("summary"), text: z.string().max(20_000).nullable() }).strict(),
  z.object({ kind: z.literal("chapter"), chapterId: z.string().min(1).max(200), title: z.string().max(500).nullable() }).strict(),
  z
    .object({
      kind: z.literal("item"),
      list: EditListSchema,
      itemId: z.string().min(1).max(200),
      text: z.string().trim().min(1).max(2_000).nullable().optional(),
      done: z.boolean().optional(),
      deleted: z.boolean().optional(),
    })
    .strict(),
  z.object({ kind: z.literal("add"), list: EditListSchema, text: z.string().trim().min(1).max(2_000) }).strict(),
  z.object({ kind: z.literal("marker"), markerId: z.string().min(1).max(200), label: z.string().trim().max(500) }).strict(),
]);
export type Edit = z.infer<typeof EditSchema>;

function chaptersOf(detail: SessionDetail): ChapterView[] {
  if (detail.chapters !== undefined) return detail.chapters;
  return detail.timeline.flatMap((item) => (item.kind === "chapter" ? [{ id: item.id, t: item.t, tEnd: item.tEnd, title: item.title, ...(item.summary === undefined ? {} : { summary: item.summary }) }] : []));
}

function without<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const next = { ...record };
  delete next[key];
  return next;
}

/** Folds one edit into the stored edits; `ai` is the session as the AI left it. Throws a message for an edit with no target. */
export function reduceEdit(edits: SessionEdits, edit: Edit, ai: SessionDetail, newId: () => string): SessionEdits {
  switch (edit.kind) {
    case "summary":
      if (edit.text === null) {
        const { summary: _dropped, ...rest } = edits;
        return rest;
      }
      return { ...edits, summary: { text: edit.text, base: ai.summary?.text ?? "" } };
    case "chapter": {
      const chapter = chaptersOf(ai).find((c) => c.id === edit.chapterId);
      if (chapter === undefined) throw new Error(`no chapter ${edit.chapterId}`);
      if (edit.title === null) return { ...edits, chapters: without(edits.chapters, edit.chapterId) };
      return { ...edits, chapters: { ...edits.chapters, [edit.chapterId]: { text: edit.title, base: chapter.title } } };
    }
    case "item": {
      const added = edits.added.findIndex((item) => item.list === edit.list && item.id === edit.itemId);
      if (added >= 0) {
        const current = edits.added[added]!;
        if (edit.deleted === true) return { ...edits, added: edits.added.filter((_, i) => i !== added) };
        const next = { ...current, ...(typeof edit.text === "string" ? { text: edit.text } : {}), ...(edit.done === undefined ? {} : { done: edit.done }) };
        return { ...edits, added: edits.added.map((item, i) => (i === added ? next : item)) };
      }
      const source = ai[edit.list].find((item) => item.id === edit.itemId);
      if (source === undefined) throw new Error(`no item ${edit.itemId} in ${edit.list}`);
      const key = `${edit.list}:${edit.itemId}`;
      const current = edits.items[key] ?? {};
      const next: z.infer<typeof ItemEditSchema> = { ...current };
      if (edit.text === null) {
        delete next.text;
        delete next.base;
      } else if (edit.text !== undefined) Object.assign(next, { text: edit.text, base: source.text });
      if (edit.done !== undefined) next.done = edit.done;
      if (edit.deleted !== undefined) next.deleted = edit.deleted;
      // A stored `base` also lets a done/deleted mark follow the item when re-enrichment renames its id.
      if (next.base === undefined) next.base = source.text;
      return { ...edits, items: { ...edits.items, [key]: next } };
    }
    case "add":
      return { ...edits, added: [...edits.added, { list: edit.list, id: `user-${newId()}`, text: edit.text }] };
    case "marker":
      return edit.label === "" ? { ...edits, markers: without(edits.markers, edit.markerId) } : { ...edits, markers: { ...edits.markers, [edit.markerId]: edit.label } };
  }
}

function applyToList(list: EditList, items: readonly EvidenceItem[], edits: SessionEdits): EvidenceItem[] {
  const prefix = `${list}:`;
  const ids = new Set(items.map((item) => item.id));
  // Edits whose item id is gone (re-enrichment made new ids) follow the item by the AI text they were made on.
  const byBase = new Map<string, z.infer<typeof ItemEditSchema>>();
  for (const [key, edit] of Object.entries(edits.items)) {
    if (key.startsWith(prefix) && !ids.has(key.slice(prefix.length)) && edit.base !== undefined) byBase.set(edit.base, edit);
  }
  const out: EvidenceItem[] = [];
  for (const item of items) {
    const edit = edits.items[`${prefix}${item.id}`] ?? byBase.get(item.text);
    if (edit === undefined) {
      out.push(item);
      continue;
    }
    if (edit.deleted === true) continue;
    const textEdited = edit.text !== undefined;
    out.push({
      ...item,
      ...(textEdited ? { text: edit.text, edited: true, ai: item.text, ...(edit.base !== undefined && edit.base !== item.text ? { aiChanged: true } : {}) } : {}),
      ...(edit.done === undefined ? {} : { done: edit.done }),
      ...(edit.done !== undefined && !textEdited ? { edited: true } : {}),
    });
  }
  for (const added of edits.added) if (added.list === list) out.push({ id: added.id, text: added.text, evidence: [], added: true, ...(added.done === true ? { done: true } : {}) });
  return out;
}

/** The session as the user sees it: the AI's output with the user's corrections over it, the AI's text kept beside each. */
export function applyEdits(ai: SessionDetail, edits: SessionEdits | undefined): SessionDetail {
  const chapters = chaptersOf(ai);
  if (edits === undefined) return { ...ai, chapters };
  const title = (id: string, current: string): Partial<ChapterView> & { title: string } => {
    const edit = edits.chapters[id];
    return edit === undefined ? { title: current } : { title: edit.text, edited: true, ai: current, ...(edit.base !== current ? { aiChanged: true } : {}) };
  };
  const summary =
    edits.summary === undefined
      ? ai.summary
      : {
          points: [],
          ...ai.summary,
          text: edits.summary.text,
          edited: true,
          ai: ai.summary?.text ?? "",
          ...(edits.summary.base !== (ai.summary?.text ?? "") ? { aiChanged: true } : {}),
        };
  return {
    ...ai,
    ...(summary === undefined ? {} : { summary }),
    chapters: chapters.map((chapter) => ({ ...chapter, ...title(chapter.id, chapter.title) })),
    timeline: ai.timeline.map((item) => {
      if (item.kind === "chapter" && edits.chapters[item.id] !== undefined) return { ...item, title: edits.chapters[item.id]!.text };
      if (item.kind === "marker" && edits.markers[item.id] !== undefined) return { ...item, label: edits.markers[item.id]! };
      return item;
    }),
    tasks: applyToList("tasks", ai.tasks, edits),
    notes: applyToList("notes", ai.notes, edits),
  };
}
