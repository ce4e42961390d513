import { describe, expect, it } from "vitest";
import { createMemoryHost } from "../host/index.ts";
import { createMemoryAdapter, createStorage, LibraryChangeSchema, readOnlyAdapter, type LibraryChange } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

async function open(data = new Map<string, Uint8Array>()) {
  const host = createMemoryHost();
  const changes: LibraryChange[] = [];
  const storage = await createStorage({ host, adapter: createMemoryAdapter({ data }), onLibraryChange: (change) => changes.push(change) });
  return { host, storage, changes, data };
}

describe("library.changed", () => {
  it("announces added, changed and deleted with the list entry, after the write is durable", async () => {
    const { storage, changes } = await open();
    const id = sessionIdFor(1);
    await storage.sessions.saveMetadata(newSessionMetadata(id));
    expect(changes.map((c) => c.kind)).toEqual(["added"]);
    expect(LibraryChangeSchema.parse(changes[0]).entry?.id).toBe(id);
    expect((await storage.sessions.listMetadata({})).sessions[0]?.id).toBe(id);
    await storage.sessions.updateMetadata(id, (current) => ({ ...current, name: "Renamed" }));
    expect(changes[1]).toMatchObject({ kind: "changed", sessionId: id, entry: { name: "Renamed" } });
    await storage.sessions.saveMetadata({ ...newSessionMetadata(id), status: "completed" });
    expect(changes[2]).toMatchObject({ kind: "changed", entry: { status: "completed" } });
    await storage.sessions.deleteSession(id);
    expect(changes[3]).toEqual({ kind: "deleted", sessionId: id });
    await storage.sessions.deleteSession(id);
    expect(changes).toHaveLength(4);
    await storage.close();
  });

  it("announces appends at most once a second per session, with the new counts", async () => {
    const { host, storage, changes } = await open();
    const id = sessionIdFor(2);
    await storage.sessions.saveMetadata(newSessionMetadata(id));
    const attachment = await storage.attachments.saveAttachment(new Uint8Array([1, 2, 3]), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
    for (let n = 0; n < 5; n++) await storage.sessions.appendScreenshot(id, screenshotOf(n, attachment.id));
    const appended = changes.filter((c) => c.kind === "changed");
    expect(appended).toHaveLength(1);
    expect(appended[0]?.entry?.screenshots.itemCount).toBe(1);
    await host.time!.advance(1000);
    await storage.sessions.appendScreenshot(id, screenshotOf(5, attachment.id));
    expect(changes.filter((c) => c.kind === "changed").at(-1)?.entry?.screenshots.itemCount).toBe(6);
    await storage.close();
  });

  it("a read-only adapter lists committed sessions without recovering and refuses writes", async () => {
    const data = new Map<string, Uint8Array>();
    const first = await open(data);
    await first.storage.sessions.saveMetadata(newSessionMetadata(sessionIdFor(3)));
    await first.storage.close();
    const host = createMemoryHost();
    const reader = await createStorage({ host, adapter: readOnlyAdapter(createMemoryAdapter({ data })) });
    expect((await reader.sessions.listMetadata({})).sessions.map((s) => s.id)).toEqual([sessionIdFor(3)]);
    await expect(reader.sessions.saveMetadata(newSessionMetadata(sessionIdFor(4)))).rejects.toMatchObject({ code: "storage.read_only" });
    await reader.close();
  });
});
