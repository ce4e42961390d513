import { SessionEditsSchema, type SessionEdits } from "./edits.ts";
import type { ReviewLibrary } from "./library.ts";
import type { SessionRow } from "./review-schemas.ts";
import { toSessionRow, type ReviewStorage } from "./stored-library.ts";

/** Changes to a library: what the panel's management and corrections write. */
export interface LibraryManager {
  /** The row after the change, or undefined when there is no such session. */
  rename(id: string, name: string): Promise<SessionRow | undefined>;
  setTags(id: string, tags: readonly string[]): Promise<SessionRow | undefined>;
  /** Deletes the session, its blobs' references and its edits; false when there was nothing to delete. */
  remove(id: string): Promise<boolean>;
  readEdits(id: string): Promise<SessionEdits | undefined>;
  writeEdits(id: string, edits: SessionEdits): Promise<void>;
}

/** The user's corrections live beside the session, never inside the AI's summary record. */
export const editsKey = (id: string): string => `review/edits/${id}.json`;

/** Writes through the storage feature (looked up per call, as storage opens in `start()`). */
export function createStoredManager(getStorage: () => ReviewStorage | undefined, now: () => number): LibraryManager {
  async function update(id: string, change: (row: { name: string; tags: string[] }) => { name: string; tags: string[] }): Promise<SessionRow | undefined> {
    const storage = getStorage();
    if (storage === undefined || (await storage.sessions.getMetadata(id).catch(() => undefined)) === undefined) return undefined;
    const updated = await storage.sessions.updateMetadata(id, (current) => ({ ...current, ...change({ name: current.name, tags: current.tags }), updatedAt: now() }), { priority: "critical" });
    return toSessionRow(updated);
  }
  return {
    rename: (id, name) => update(id, (row) => ({ ...row, name })),
    setTags: (id, tags) => update(id, (row) => ({ ...row, tags: [...tags] })),
    async remove(id) {
      const storage = getStorage();
      if (storage === undefined) return false;
      // The edits go in the delete's own transaction, with every other file of the session.
      return storage.sessions.deleteSession(id);
    },
    async readEdits(id) {
      return getStorage()?.store.getJson(editsKey(id), SessionEditsSchema);
    },
    async writeEdits(id, edits) {
      const storage = getStorage();
      if (storage === undefined) throw new Error("storage is not open");
      await storage.store.putJson(editsKey(id), edits, { priority: "critical" });
    },
  };
}

/** The demo library with names, tags, deletions and edits kept in memory over it; nothing is written. */
export function createDemoOverlay(base: ReviewLibrary): { readonly library: ReviewLibrary; readonly manager: LibraryManager } {
  const overrides = new Map<string, { name: string; tags: string[] }>();
  const deleted = new Set<string>();
  const edits = new Map<string, SessionEdits>();
  const apply = (row: SessionRow): SessionRow => ({ ...row, ...overrides.get(row.id) });
  async function rowOf(id: string): Promise<SessionRow | undefined> {
    if (deleted.has(id)) return undefined;
    const detail = await base.detail(id);
    return detail === undefined ? undefined : apply(detail.session);
  }
  const library: ReviewLibrary = {
    kind: base.kind,
    list: async (query) => (await base.list(query)).filter((row) => !deleted.has(row.id)).map(apply),
    async detail(id) {
      if (deleted.has(id)) return undefined;
      const detail = await base.detail(id);
      return detail === undefined ? undefined : { ...detail, session: apply(detail.session) };
    },
    readBlob: (digest) => base.readBlob(digest),
  };
  async function update(id: string, change: (row: { name: string; tags: string[] }) => { name: string; tags: string[] }): Promise<SessionRow | undefined> {
    const row = await rowOf(id);
    if (row === undefined) return undefined;
    overrides.set(id, change({ name: row.name, tags: row.tags }));
    return apply(row);
  }
  return {
    library,
    manager: {
      rename: (id, name) => update(id, (row) => ({ ...row, name })),
      setTags: (id, tags) => update(id, (row) => ({ ...row, tags: [...tags] })),
      async remove(id) {
        const existed = (await rowOf(id)) !== undefined;
        deleted.add(id);
        edits.delete(id);
        return existed;
      },
      readEdits: async (id) => edits.get(id),
      async writeEdits(id, value) {
        edits.set(id, value);
      },
    },
  };
}
