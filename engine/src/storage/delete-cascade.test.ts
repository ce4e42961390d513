import { describe, expect, it } from "vitest";
import { createMemoryHost, type HostPort } from "../host/index.ts";
import { createFileAdapter, createStorage } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

async function allFiles(host: HostPort, dir = ""): Promise<string[]> {
  const out: string[] = [];
  for (const name of await host.files.list(dir).catch(() => [] as string[])) {
    const path = dir === "" ? name : `${dir}/${name}`;
    const stat = await host.files.stat(path);
    if (stat?.kind === "directory") out.push(path, ...(await allFiles(host, path)));
    else out.push(path);
  }
  return out;
}

describe("deleteSession", () => {
  it("removes every file of the session in one go and leaves other sessions whole", async () => {
    const host = createMemoryHost();
    const storage = await createStorage({ host, adapter: createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
    const [gone, kept] = [sessionIdFor(1), sessionIdFor(2)];
    for (const id of [gone, kept]) {
      await storage.sessions.saveMetadata(newSessionMetadata(id));
      const shot = await storage.attachments.saveAttachment(new TextEncoder().encode(`png-${id}`), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
      await storage.sessions.appendScreenshot(id, screenshotOf(0, shot.id));
      await storage.sessions.saveMetadata({ ...newSessionMetadata(id), status: "completed" });
      for (const key of [`markers/${id}.json`, `capture-health/${id}.json`, `integrity/${id}.json`, `media/${id}/merged.json`]) await storage.store.putJson(key, { id });
      await host.files.writeAtomic(`media/${id}/merged.mp4.part-1`, new Uint8Array([1]));
      await host.files.writeAtomic(`capture/${id}/shot-9.png`, new Uint8Array([2]));
    }
    await storage.store.flush();
    expect((await allFiles(host)).filter((path) => path.includes(gone)).length).toBeGreaterThan(6);
    expect(await storage.sessions.deleteSession(gone)).toBe(true);
    expect((await allFiles(host)).filter((path) => path.includes(gone))).toEqual([]);
    const remaining = (await allFiles(host)).filter((path) => path.includes(kept));
    for (const key of [`markers/${kept}.json`, `capture-health/${kept}.json`, `integrity/${kept}.json`, `media/${kept}/merged.mp4.part-1`, `capture/${kept}/shot-9.png`]) expect(remaining).toContain(key);
    expect((await storage.sessions.listMetadata({})).sessions.map((s) => s.id)).toEqual([kept]);
    const report = await storage.verify();
    expect(report.problems).toEqual([]);
    await storage.close();
  });
});
