/**
 * A full disk, on the fault-injecting file layer with a capacity: a commit
 * that frees space (delete, gc) gives up reserved room to journal itself; a
 * commit that only adds never touches that room; nothing kept is lost.
 * (engine/node/hostile/disk-full.test.ts runs the same on a real tmpfs.)
 */
import { describe, expect, it } from "vitest";
import { createFaultFiles, type FaultFiles } from "../testing/fault-files.ts";
import { hostOver } from "./crash-workload.ts";
import { createFileAdapter, createStorage, type OpenedStorage } from "./index.ts";
import type { ReserveOptions } from "./file-adapter.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

const KEEP = sessionIdFor(0x11);
const DROP = sessionIdFor(0x22);
const SHOTS = 6;

async function open(files: FaultFiles, reserve?: ReserveOptions): Promise<OpenedStorage> {
  const host = hostOver(files);
  return createStorage({ host, adapter: createFileAdapter({ files, crypto: host.crypto, root: "data", reserve }), lowPriorityDelayMs: 0 });
}

const shotBytes = (id: string, n: number) => {
  const bytes = new Uint8Array(32 * 1024).fill(n + 1);
  bytes.set(new TextEncoder().encode(`${id} shot ${n}`));
  return bytes;
};

/** Two finished sessions, then the disk's capacity set to exactly what it holds. */
async function fullDisk(reserve?: ReserveOptions) {
  const files = createFaultFiles();
  const storage = await open(files, reserve);
  const blobs = new Map<string, string[]>();
  for (const id of [KEEP, DROP]) {
    await storage.sessions.saveMetadata(newSessionMetadata(id, { name: id === KEEP ? "Keep" : "Drop" }));
    const ids: string[] = [];
    for (let n = 0; n < SHOTS; n++) {
      const attachment = await storage.attachments.saveAttachment(shotBytes(id, n), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
      await storage.sessions.appendScreenshot(id, screenshotOf(n, attachment.id));
      ids.push(attachment.id);
    }
    await storage.sessions.updateMetadata(id, (current) => ({ ...current, status: "completed", endedAt: 1_700_000_300_000 }));
    blobs.set(id, ids);
  }
  await storage.store.flush();
  let held = 0;
  for (const bytes of files.snapshot().files.values()) held += bytes.length;
  files.plan.capacity = held;
  return { files, storage, blobs };
}

const slots = (files: FaultFiles) => [...files.snapshot().files.keys()].filter((path) => path.startsWith("data/journal/reserve-")).sort();

async function expectKeepWhole(storage: OpenedStorage, blobs: Map<string, string[]>): Promise<void> {
  const shots = await storage.sessions.getScreenshots(KEEP);
  expect(shots.map((shot) => shot.attachmentId)).toEqual(blobs.get(KEEP));
  for (const [n, id] of blobs.get(KEEP)!.entries()) expect(await storage.attachments.loadAttachment(id)).toEqual(shotBytes(KEEP, n));
}

describe("a full disk", () => {
  it("refuses new data but keeps the reserve for deleting", async () => {
    const { files, storage } = await fullDisk();
    const before = slots(files);
    expect(before).toHaveLength(4);
    await expect(storage.attachments.saveAttachment(new Uint8Array(4096).fill(7), { type: "screenshot", mimeType: "image/png" }, { sessionId: KEEP })).rejects.toMatchObject({ code: "storage.disk_full" });
    await expect(storage.store.putJson("notes/extra.json", { text: "x".repeat(1000) })).rejects.toMatchObject({ code: "storage.disk_full" });
    expect(files.hits.full).toBeGreaterThan(0); // the disk really was full
    expect(slots(files)).toEqual(before); // writing new data never spends the reserve
    await storage.close();
  });

  it("deletes a session and collects its blobs, then refills the reserve; the other session keeps every byte", async () => {
    const { files, storage, blobs } = await fullDisk();
    await expect(storage.store.putJson("notes/extra.json", { text: "x".repeat(1000) })).rejects.toMatchObject({ code: "storage.disk_full" });
    const fullHits = files.hits.full;
    expect(fullHits).toBeGreaterThan(0);

    expect(await storage.sessions.deleteSession(DROP)).toBe(true);
    expect(files.hits.full).toBeGreaterThan(fullHits); // the delete met the full disk too, and got through
    expect(await storage.sessions.getMetadata(DROP)).toBeUndefined();
    const report = await storage.attachments.deleteOrphanedAttachments(Number.MAX_SAFE_INTEGER);
    expect(report.removed).toBe(SHOTS);
    expect(report.freedBytes).toBeGreaterThanOrEqual(SHOTS * 32 * 1024);
    // With room again, the reserve is whole and new data fits.
    expect(slots(files)).toHaveLength(4);
    await storage.store.putJson("notes/extra.json", { text: "fits now" });

    await expectKeepWhole(storage, blobs);
    for (const id of blobs.get(DROP)!) expect(files.snapshot().files.has(`data/attachments/blobs/${id}.dat`)).toBe(false);
    expect((await storage.verify()).problems).toEqual([]);
    await storage.close();
    const reopened = await open(files);
    expect((await reopened.sessions.listMetadata({})).sessions.map((session) => session.id)).toEqual([KEEP]);
    await expectKeepWhole(reopened, blobs);
    await reopened.close();
  });

  it("without a reserve the same delete fails (the reserve is what makes room)", async () => {
    const { files, storage, blobs } = await fullDisk({ slots: 0, slotBytes: 0 });
    expect(slots(files)).toEqual([]);
    await expect(storage.sessions.deleteSession(DROP)).rejects.toMatchObject({ code: "storage.disk_full" });
    // Failing, it lost nothing: both sessions are still whole.
    expect((await storage.sessions.getScreenshots(DROP)).length).toBe(SHOTS);
    await expectKeepWhole(storage, blobs);
    await storage.close();
  });
});
