import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryHost, utf8Encode } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

describe("storage feature", () => {
  it("opens over the host's files, answers storage.* and flushes on stop", async () => {
    const host = createMemoryHost();
    const engine = await createEngine(host, [createStorageFeature()]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const id = sessionIdFor(1);
    await storage.sessions.saveMetadata(newSessionMetadata(id));
    const att = await storage.attachments.saveAttachment(utf8Encode("a"), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
    await storage.sessions.appendScreenshot(id, screenshotOf(0, att.id));
    expect(await host.files.stat(`sessions/metadata/${id}.json`)).toMatchObject({ kind: "file" });
    const verify = await engine.handle({ v: 1, id: "1", method: "storage.verify", params: {} });
    expect(verify).toMatchObject({ id: "1", result: { ok: true, sessions: 1, chunks: 1, attachments: 1 } });
    const gc = await engine.handle({ v: 1, id: "2", method: "storage.gc", params: { olderThanMs: 0 } });
    expect(gc).toMatchObject({ result: { removed: 0, kept: 1 } });
    const repair = await engine.handle({ v: 1, id: "3", method: "storage.repair", params: {} });
    expect(repair).toMatchObject({ result: { problemsAfter: 0 } });
    const bad = await engine.handle({ v: 1, id: "4", method: "storage.gc", params: { olderThanMs: -1 } });
    expect(bad).toMatchObject({ error: { code: "bridge.invalid_params" } });
    const pending = storage.store.putJson("jobs/x.json", { a: 1 }, { priority: "low" });
    await engine.stop();
    await pending;
    expect(await host.files.stat("jobs/x.json")).toMatchObject({ kind: "file" });
  });
});
