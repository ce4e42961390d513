import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { editsKey } from "./library-manager.ts";
import { createReviewFeatureFactory } from "./review-feature.ts";
import type { SessionDetail, SessionRow } from "./review-schemas.ts";

const ID = "00000000-0000-4000-8000-0000000000aa";
const BUSY = "00000000-0000-4000-8000-0000000000bb";

async function call<T>(engine: Awaited<ReturnType<typeof createEngine>>, method: string, params: unknown): Promise<T> {
  const reply = (await engine.handle({ v: 1, id: 1, method, params })) as { result?: T; error?: { code: string; message: string } };
  if (reply.error !== undefined) throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
  return reply.result as T;
}

function aiSummary(start: number, text: string, taskIds: readonly [string, string]) {
  return {
    sessionId: ID,
    summary: text,
    points: [],
    chapters: [
      { title: "Setup", startMs: 0, endMs: 30_000 },
      { title: "Fixing the parser", startMs: 30_000, endMs: 60_000 },
    ],
    tasks: [
      { id: taskIds[0], title: "Write the changelog", evidence: [] },
      { id: taskIds[1], title: "Ask Dana about the release", evidence: [] },
    ],
    notes: [{ id: "n1", text: "The cache is cold on first run", evidence: [] }],
    provider: "local",
    local: true,
    createdAt: start,
  };
}

async function storedEngine() {
  const host = createMemoryHost();
  const events: { method: string; params: unknown }[] = [];
  const engine = await createEngine(host, [createStorageFeature(), createReviewFeatureFactory()], { onEvent: (event) => events.push(event) });
  const storage = engine.context.features.get("storage") as StorageFeature;
  const start = host.clock.now();
  await storage.sessions.saveMetadata({ schemaVersion: 2, id: ID, name: "Parser work", status: "completed", startedAt: start, endedAt: start + 60_000, activeDurationMs: 60_000, tags: ["code"] });
  await storage.sessions.saveMetadata({ schemaVersion: 2, id: BUSY, name: "Still recording", status: "active", startedAt: start + 1, activeDurationMs: 0, tags: [] });
  await storage.store.putJson(`markers/${ID}.json`, [{ id: "m1", sessionId: ID, sessionTimeMs: 7000, at: start }]);
  await storage.sessions.saveSummary(aiSummary(start, "Fixed the parser.", ["t1", "t2"]));
  return { host, engine, storage, events, start };
}

describe("managing the stored library", () => {
  it("renames and tags a session, writes it to storage and tells the panel", async () => {
    const { engine, storage, events } = await storedEngine();
    const renamed = await call<{ session: SessionRow }>(engine, "review.rename", { id: ID, name: "  Deep work " });
    expect(renamed.session.name).toBe("Deep work");
    expect((await storage.sessions.getMetadata(ID))?.name).toBe("Deep work");
    const tagged = await call<{ session: SessionRow }>(engine, "review.tags", { id: ID, add: ["#release", "Code", "infra"], remove: [] });
    expect(tagged.session.tags).toEqual(["code", "release", "infra"]);
    const untagged = await call<{ session: SessionRow }>(engine, "review.tags", { id: ID, remove: ["CODE"] });
    expect(untagged.session.tags).toEqual(["release", "infra"]);
    expect((await storage.sessions.getMetadata(ID))?.tags).toEqual(["release", "infra"]);
    // Storage announces its own writes as well; the last announcement carries the final tags.
    const changes = events.filter((e) => e.method === "library.changed").map((e) => e.params as { kind: string; sessionId: string; entry?: SessionRow });
    expect(changes.filter((c) => c.sessionId === ID && c.kind === "changed").length).toBeGreaterThanOrEqual(3);
    expect(changes.at(-1)?.entry?.tags).toEqual(["release", "infra"]);
    await expect(call(engine, "review.tags", { id: ID, add: ["two words"] })).rejects.toMatchObject({ code: "bridge.invalid_params" });
    await expect(call(engine, "review.rename", { id: ID, name: "   " })).rejects.toMatchObject({ code: "bridge.invalid_params" });
    await expect(call(engine, "review.rename", { id: "00000000-0000-4000-8000-000000000000", name: "x" })).rejects.toMatchObject({ code: "review.not_found" });
  });

  it("holds a delete back for the undo window: hidden at once, undone on request, carried out when the window ends", async () => {
    const { host, engine, storage, events } = await storedEngine();
    const kindsSince = (from: number) => events.slice(from).filter((e) => e.method === "library.changed" && (e.params as { sessionId: string }).sessionId === ID).map((e) => (e.params as { kind: string }).kind);
    let mark = events.length;
    const deleted = await call<{ pending: string[]; undoMs: number }>(engine, "review.delete", { ids: [ID], undoMs: 5_000 });
    expect(deleted).toEqual({ pending: [ID], undoMs: 5_000 });
    expect(kindsSince(mark)).toEqual(["deleted"]);
    const hidden = await call<{ sessions: SessionRow[] }>(engine, "review.list", {});
    expect(hidden.sessions.map((s) => s.id)).toEqual([BUSY]);
    await expect(call(engine, "review.session", { id: ID })).rejects.toMatchObject({ code: "review.not_found" });
    mark = events.length;
    expect(await call(engine, "review.undoDelete", { ids: [ID] })).toEqual({ restored: [ID] });
    expect(kindsSince(mark)).toEqual(["added"]);
    await host.time!.advance(10_000);
    expect(await storage.sessions.getMetadata(ID)).toBeDefined();
    expect((await call<{ sessions: SessionRow[] }>(engine, "review.list", {})).sessions.map((s) => s.id).sort()).toEqual([ID, BUSY].sort());

    await call(engine, "review.edit", { id: ID, edit: { kind: "summary", text: "Mine." } });
    expect(await storage.store.getJson(editsKey(ID), { parse: (v: unknown) => v })).toBeDefined();
    await call(engine, "review.delete", { ids: [ID], undoMs: 5_000 });
    await host.time!.advance(4_000);
    expect(await storage.sessions.getMetadata(ID)).toBeDefined();
    await host.time!.advance(2_000);
    // The delete runs on the timer; let its writes settle in simulated time.
    for (let i = 0; i < 100 && (await storage.store.getJson(editsKey(ID), { parse: (v: unknown) => v })) !== undefined; i++) await host.time!.advance(1);
    expect(await storage.sessions.getMetadata(ID)).toBeUndefined();
    expect(await storage.store.getJson(editsKey(ID), { parse: (v: unknown) => v })).toBeUndefined();
    expect(await call(engine, "review.undoDelete", { ids: [ID] })).toEqual({ restored: [] });
  });

  it("refuses to delete a session that is still recording, and deletes nothing of the batch", async () => {
    const { engine, storage } = await storedEngine();
    await expect(call(engine, "review.delete", { ids: [ID, BUSY], undoMs: 0 })).rejects.toMatchObject({ code: "review.session_busy" });
    expect((await call<{ sessions: SessionRow[] }>(engine, "review.list", {})).sessions).toHaveLength(2);
    expect(await storage.sessions.getMetadata(ID)).toBeDefined();
  });

  it("carries out pending deletes when the engine stops", async () => {
    const { engine, storage } = await storedEngine();
    await call(engine, "review.delete", { ids: [ID], undoMs: 60_000 });
    const feature = engine.context.features.get("review") as { stop(): Promise<void> };
    await feature.stop();
    expect(await storage.sessions.getMetadata(ID)).toBeUndefined();
  });
});

describe("correcting the AI's output", () => {
  it("keeps edits apart from the AI's version, across re-enrichment, and in exports", async () => {
    const { engine, storage, start } = await storedEngine();
    const first = await call<SessionDetail>(engine, "review.session", { id: ID });
    expect(first.chapters?.map((c) => c.title)).toEqual(["Setup", "Fixing the parser"]);
    await call(engine, "review.edit", { id: ID, edit: { kind: "summary", text: "Fixed the tokenizer, not the parser." } });
    await call(engine, "review.edit", { id: ID, edit: { kind: "chapter", chapterId: first.chapters![1]!.id, title: "Fixing the tokenizer" } });
    await call(engine, "review.edit", { id: ID, edit: { kind: "item", list: "tasks", itemId: "t1", done: true } });
    await call(engine, "review.edit", { id: ID, edit: { kind: "item", list: "tasks", itemId: "t2", deleted: true } });
    await call(engine, "review.edit", { id: ID, edit: { kind: "item", list: "notes", itemId: "n1", text: "The cache is cold after every deploy" } });
    const added = await call<{ tasks: SessionDetail["tasks"] }>(engine, "review.edit", { id: ID, edit: { kind: "add", list: "tasks", text: "Book the retro" } });
    const mine = added.tasks.find((t) => t.added === true)!;
    await call(engine, "review.edit", { id: ID, edit: { kind: "item", list: "tasks", itemId: mine.id, done: true } });
    await call(engine, "review.edit", { id: ID, edit: { kind: "marker", markerId: "m1", label: "Found the bug" } });

    // The AI's record is untouched.
    expect((await storage.sessions.getSummary(ID))?.summary).toBe("Fixed the parser.");
    // Re-enrichment: new AI text and new task ids.
    await storage.sessions.saveSummary(aiSummary(start, "Worked on the parser and the tokenizer.", ["t9", "t8"]));
    const after = await call<SessionDetail>(engine, "review.session", { id: ID });
    expect(after.summary).toMatchObject({ text: "Fixed the tokenizer, not the parser.", edited: true, ai: "Worked on the parser and the tokenizer.", aiChanged: true });
    expect(after.chapters?.[1]).toMatchObject({ title: "Fixing the tokenizer", edited: true, ai: "Fixing the parser" });
    expect(after.chapters?.[1]?.aiChanged).toBeUndefined();
    expect(after.tasks.map((t) => [t.text, t.done === true])).toEqual([
      ["Write the changelog", true],
      ["Book the retro", true],
    ]);
    expect(after.notes[0]).toMatchObject({ text: "The cache is cold after every deploy", edited: true, ai: "The cache is cold on first run" });
    expect(after.timeline.find((i) => i.kind === "marker")).toMatchObject({ label: "Found the bug" });

    // Taking the AI's new summary drops the edit.
    const taken = await call<{ summary: SessionDetail["summary"] }>(engine, "review.edit", { id: ID, edit: { kind: "summary", text: null } });
    expect(taken.summary).toMatchObject({ text: "Worked on the parser and the tokenizer." });
    expect(taken.summary?.edited).toBeUndefined();

    const md = await call<{ text: string }>(engine, "review.export", { id: ID, format: "md" });
    expect(md.text).toContain("Fixing the tokenizer");
    expect(md.text).toContain("- [x] Book the retro");
    expect(md.text).not.toContain("Ask Dana");
    expect(md.text).toContain("The cache is cold after every deploy");
    await expect(call(engine, "review.edit", { id: ID, edit: { kind: "item", list: "tasks", itemId: "nope", done: true } })).rejects.toMatchObject({ code: "review.invalid_edit" });
  });
});

describe("managing the demo library", () => {
  it("renames, tags, deletes and undoes in memory", async () => {
    const engine = await createEngine(createMemoryHost(), [createReviewFeatureFactory({ demo: true })]);
    await call(engine, "review.rename", { id: "demo-parser", name: "Parser, renamed" });
    await call(engine, "review.tags", { id: "demo-parser", add: ["later"] });
    const found = await call<{ sessions: SessionRow[] }>(engine, "review.list", { query: { text: "#later" } });
    expect(found.sessions.map((s) => s.name)).toEqual(["Parser, renamed"]);
    await call(engine, "review.delete", { ids: ["demo-parser", "demo-budget"] });
    expect((await call<{ sessions: SessionRow[] }>(engine, "review.list", {})).sessions.some((s) => s.id === "demo-parser")).toBe(false);
    await call(engine, "review.undoDelete", { ids: ["demo-parser"] });
    const ids = (await call<{ sessions: SessionRow[] }>(engine, "review.list", {})).sessions.map((s) => s.id);
    expect(ids).toContain("demo-parser");
    expect(ids).not.toContain("demo-budget");
  });
});
