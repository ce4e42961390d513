import { describe, expect, it } from "vitest";
import { createMemoryHost, utf8Encode } from "../host/index.ts";
import { createMemoryAdapter, createStorage } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

describe("packs of finished sessions", () => {
  it("are built when a session ends, serve hydration, and never go stale", async () => {
    const host = createMemoryHost();
    const data = new Map<string, Uint8Array>();
    const storage = await createStorage({ host, adapter: createMemoryAdapter({ data }) });
    const id = sessionIdFor(1);
    await storage.sessions.saveMetadata(newSessionMetadata(id));
    for (let n = 0; n < 45; n++) {
      const attachment = await storage.attachments.saveAttachment(utf8Encode(`p${n}`), { type: "screenshot", mimeType: "image/png" });
      await storage.sessions.appendScreenshot(id, screenshotOf(n, attachment.id));
    }
    expect(data.has(`screenshots/${id}/pack.json`)).toBe(false);
    await storage.sessions.updateMetadata(id, (m) => ({ ...m, status: "completed" }));
    await storage.close();
    expect(data.has(`screenshots/${id}/pack.json`)).toBe(true);

    // Hydration answers from the pack: with every chunk gone, the items are still there.
    const chunks = [...data.keys()].filter((key) => /\/\d+\.json$/.test(key) && key.startsWith(`screenshots/${id}/`));
    const saved = new Map(chunks.map((key) => [key, data.get(key)!]));
    for (const key of chunks) data.delete(key);
    const packed = await createStorage({ host, adapter: createMemoryAdapter({ data }) });
    expect((await packed.sessions.getScreenshots(id)).map((s) => s.sequenceNumber)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    for (const [key, bytes] of saved) data.set(key, bytes);

    // An update rewrites chunks and drops the pack in the same commit; reads see the update.
    const reopened = await createStorage({ host, adapter: createMemoryAdapter({ data }) });
    const [first] = await reopened.sessions.getScreenshots(id, { limit: 1 });
    await reopened.sessions.updateScreenshots(id, [{ ...first!, analysis: { summary: "reading mail", apps: ["Mail"], provider: "local" } }]);
    expect(data.has(`screenshots/${id}/pack.json`)).toBe(false);
    expect((await reopened.sessions.getFullSession(id))?.screenshots[0]?.analysis?.summary).toBe("reading mail");
    await host.time!.advance(2000); // the debounced rebuild
    await reopened.close();
    expect(data.has(`screenshots/${id}/pack.json`)).toBe(true);
    const again = await createStorage({ host, adapter: createMemoryAdapter({ data }) });
    expect((await again.sessions.getFullSession(id))?.screenshots[0]?.analysis?.summary).toBe("reading mail");

    // A corrupt pack is ignored, not trusted.
    const pack = data.get(`screenshots/${id}/pack.json`)!;
    const bad = pack.slice();
    bad[bad.length - 20] = bad[bad.length - 20]! ^ 1;
    data.set(`screenshots/${id}/pack.json`, bad);
    const corrupted = await createStorage({ host, adapter: createMemoryAdapter({ data }) });
    const full = await corrupted.sessions.getFullSession(id);
    expect(full?.screenshots).toHaveLength(45);
    expect(full?.screenshots[0]?.analysis?.summary).toBe("reading mail");
    expect((await corrupted.verify()).problems).toEqual([]);
  });
});
