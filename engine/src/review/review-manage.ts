import * as z from "zod";
import { defineMethod, EngineError, type MethodTable } from "../bridge/index.ts";
import type { EngineContext } from "../engine/index.ts";
import { applyEdits, EditSchema, EMPTY_EDITS, reduceEdit } from "./edits.ts";
import type { ReviewLibrary } from "./library.ts";
import type { LibraryManager } from "./library-manager.ts";
import type { SessionDetail, SessionRow } from "./review-schemas.ts";

const IdSchema = z.string().min(1).max(100).regex(/^[A-Za-z0-9_-]+$/, "session ids are letters, digits, - and _");
/** A tag as typed, with or without its `#`: letters, digits, `-`, `_`, `.`, `/`. */
const TagSchema = z
  .string()
  .trim()
  .transform((tag) => tag.replace(/^#+/, ""))
  .pipe(z.string().min(1).max(40).regex(/^[\p{L}\p{N}_./-]+$/u, "tags are letters, digits, -, _, . and /"));

/** How long a delete waits for Undo before it is carried out, unless the caller asks otherwise. */
export const DEFAULT_UNDO_MS = 8_000;

/** The event other views follow; the same shape the data-folder watcher sends for other processes' changes. */
export const LIBRARY_CHANGED = "library.changed";

interface Pending {
  readonly timer: number;
  readonly row: SessionRow;
}

/**
 * Rename, tags, delete (held back for a short undo) and corrections of the AI's output.
 * `current()` is the library and its manager in use (the demo or the stored one).
 */
export function createManagement(context: EngineContext, current: () => { readonly library: ReviewLibrary; readonly manager: LibraryManager }) {
  const pending = new Map<string, Pending>();

  async function mustGetRow(id: string): Promise<SessionRow> {
    const detail = await current().library.detail(id);
    if (detail === undefined || pending.has(id)) throw new EngineError("review.not_found", `no session ${id}`, { data: { id } });
    return detail.session;
  }

  function changed(kind: "added" | "changed" | "deleted", sessionId: string, entry?: SessionRow): void {
    context.emit(LIBRARY_CHANGED, { kind, sessionId, ...(entry === undefined ? {} : { entry }) });
  }

  async function carryOut(id: string): Promise<void> {
    const entry = pending.get(id);
    if (entry === undefined) return;
    pending.delete(id);
    try {
      await current().manager.remove(id);
    } catch (error) {
      // The session stays; it reappears in the list with the reason logged.
      context.logger.error("deleting a session failed", { id, error: error instanceof Error ? error.message : String(error) });
      changed("added", id, entry.row);
    }
  }

  /** The session as the AI left it and as the user corrected it. */
  async function detailWithEdits(id: string): Promise<{ ai: SessionDetail; shown: SessionDetail }> {
    const ai = await current().library.detail(id);
    if (ai === undefined || pending.has(id)) throw new EngineError("review.not_found", `no session ${id}`, { data: { id } });
    return { ai, shown: applyEdits(ai, await current().manager.readEdits(id)) };
  }

  const methods: MethodTable = {
    "review.rename": defineMethod(z.object({ id: IdSchema, name: z.string().trim().min(1).max(200) }).strict(), async ({ id, name }) => {
      await mustGetRow(id);
      const row = await current().manager.rename(id, name);
      if (row === undefined) throw new EngineError("review.not_found", `no session ${id}`, { data: { id } });
      changed("changed", id, row);
      return { session: row };
    }),
    "review.tags": defineMethod(z.object({ id: IdSchema, add: z.array(TagSchema).max(30).default([]), remove: z.array(TagSchema).max(30).default([]) }).strict(), async ({ id, add, remove }) => {
      const before = await mustGetRow(id);
      const dropped = new Set(remove.map((tag) => tag.toLowerCase()));
      const tags = [...before.tags.filter((tag) => !dropped.has(tag.toLowerCase()))];
      for (const tag of add) if (!tags.some((t) => t.toLowerCase() === tag.toLowerCase())) tags.push(tag);
      const row = await current().manager.setTags(id, tags.slice(0, 30));
      if (row === undefined) throw new EngineError("review.not_found", `no session ${id}`, { data: { id } });
      changed("changed", id, row);
      return { session: row };
    }),
    "review.delete": defineMethod(z.object({ ids: z.array(IdSchema).min(1).max(500), undoMs: z.number().int().min(0).max(60_000).default(DEFAULT_UNDO_MS) }).strict(), async ({ ids, undoMs }) => {
      const rows: SessionRow[] = [];
      for (const id of new Set(ids)) {
        if (pending.has(id)) continue;
        const row = await mustGetRow(id);
        if (row.status === "active" || row.status === "paused" || row.enrichment.state === "running" || row.enrichment.state === "queued") {
          throw new EngineError("review.session_busy", `"${row.name}" is ${row.status === "active" || row.status === "paused" ? "recording" : "being enriched"}; delete it once that ends`, { data: { id } });
        }
        rows.push(row);
      }
      for (const row of rows) {
        pending.set(row.id, { row, timer: context.host.timers.setTimeout(() => void carryOut(row.id), undoMs) });
        changed("deleted", row.id);
      }
      return { pending: rows.map((row) => row.id), undoMs };
    }),
    "review.undoDelete": defineMethod(z.object({ ids: z.array(IdSchema).min(1).max(500) }).strict(), ({ ids }) => {
      const restored: string[] = [];
      for (const id of ids) {
        const entry = pending.get(id);
        if (entry === undefined) continue;
        context.host.timers.clearTimeout(entry.timer);
        pending.delete(id);
        restored.push(id);
        changed("added", id, entry.row);
      }
      return { restored };
    }),
    "review.edit": defineMethod(z.object({ id: IdSchema, edit: EditSchema }).strict(), async ({ id, edit }) => {
      const { ai } = await detailWithEdits(id);
      const stored = (await current().manager.readEdits(id)) ?? EMPTY_EDITS;
      let next;
      try {
        next = reduceEdit(stored, edit, ai, () => context.host.crypto.randomUUID());
      } catch (error) {
        throw new EngineError("review.invalid_edit", error instanceof Error ? error.message : String(error), { data: { id } });
      }
      await current().manager.writeEdits(id, next);
      const shown = applyEdits(ai, next);
      changed("changed", id, shown.session);
      return { summary: shown.summary ?? null, chapters: shown.chapters ?? [], tasks: shown.tasks, notes: shown.notes, markers: Object.entries(next.markers).map(([markerId, label]) => ({ id: markerId, label })) };
    }),
  };

  return {
    methods,
    /** Sessions deleted but still undoable: hidden from the list. */
    isPending: (id: string): boolean => pending.has(id),
    /** Applies the user's edits to a session read from the library. */
    async withEdits(detail: SessionDetail): Promise<SessionDetail> {
      return applyEdits(detail, await current().manager.readEdits(detail.session.id).catch(() => undefined));
    },
    /** On shutdown the user's deletes are carried out rather than forgotten. */
    async flush(): Promise<void> {
      for (const [id, entry] of [...pending]) {
        context.host.timers.clearTimeout(entry.timer);
        await carryOut(id);
      }
    },
  };
}
