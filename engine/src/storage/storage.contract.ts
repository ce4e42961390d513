import { describe, expect, it } from "vitest";
import { createMemoryHost, utf8Decode, utf8Encode, type MemoryHost } from "../host/index.ts";
import { createStorage, type KvAdapter, type OpenedStorage } from "./index.ts";
import { newSessionMetadata, screenshotOf, sessionIdFor } from "./test-fixtures.ts";

/** What each adapter's test file provides: a way to open (and reopen) the same backing store. */
export interface AdapterHarness {
  readonly host: MemoryHost;
  open(): KvAdapter;
  /** Writes raw bytes under a key, bypassing storage (to plant corruption). */
  plant(key: string, bytes: Uint8Array): Promise<void>;
}

const HOSTILE_SESSION_IDS = ["../etc/passwd", "..", "", "a/b", "00000000-0000-4000-8000-00000000000g", "00000000-0000-4000-8000-000000000000/../x", "%2e%2e", "C0000000-0000-4000-8000-000000000000", "/abs"];
const HOSTILE_KEYS = ["../x", "/etc/passwd", "a/../b", "", "a//b", ".hidden", "journal/x", "quarantine/x", "a/b\u0000", "x.tmp-1", "a\\b"];

/** The storage contract: every adapter passes the same suite. */
export function storageContract(name: string, makeHarness: () => AdapterHarness): void {
  describe(`storage contract: ${name}`, () => {
    const open = async (harness: AdapterHarness): Promise<OpenedStorage> => createStorage({ host: harness.host, adapter: harness.open() });

    it("puts, gets, deletes and lists keys, reading queued writes", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const pending = storage.store.put("jobs/a.json", utf8Encode("1"));
      expect(utf8Decode((await storage.store.get("jobs/a.json"))!)).toBe("1");
      await pending;
      await storage.store.putJson("jobs/b.json", { n: 2 });
      await storage.store.put("checkpoints/j/s1.json", utf8Encode("x"));
      expect(await storage.store.list("jobs/")).toEqual(["jobs/a.json", "jobs/b.json"]);
      await storage.store.delete("jobs/a.json");
      expect(await storage.store.get("jobs/a.json")).toBeUndefined();
      expect(await storage.store.list("jobs/")).toEqual(["jobs/b.json"]);
      await storage.close();
      const reopened = await open(harness);
      expect(await reopened.store.getJson("jobs/b.json", { parse: (v) => v as { n: number } })).toEqual({ n: 2 });
      expect(await reopened.store.list("checkpoints/")).toEqual(["checkpoints/j/s1.json"]);
    });

    it("refuses hostile keys and ids before they reach the adapter", async () => {
      const storage = await open(makeHarness());
      for (const key of HOSTILE_KEYS) await expect(storage.store.put(key, new Uint8Array(1))).rejects.toMatchObject({ code: "storage.invalid_id" });
      for (const id of HOSTILE_SESSION_IDS) {
        await expect(storage.sessions.getMetadata(id)).rejects.toMatchObject({ code: "storage.invalid_id" });
        await expect(storage.sessions.deleteSession(id)).rejects.toMatchObject({ code: "storage.invalid_id" });
      }
      for (const id of ["../../x", "abc", "A".repeat(64)]) await expect(storage.attachments.loadAttachment(id)).rejects.toMatchObject({ code: "storage.invalid_id" });
    });

    it("commits a transaction all or nothing", async () => {
      const storage = await open(makeHarness());
      await storage.store.putJson("markers/keep.json", 1);
      await expect(
        storage.store.transaction(async (tx) => {
          tx.putJson("markers/a.json", 1);
          tx.delete("markers/keep.json");
          throw new Error("abort");
        }),
      ).rejects.toThrow("abort");
      expect(await storage.store.list("markers/")).toEqual(["markers/keep.json"]);
      await storage.store.transaction(async (tx) => {
        tx.putJson("markers/a.json", 1);
        tx.putJson("markers/b.json", 2);
        tx.delete("markers/keep.json");
        expect(await tx.get("markers/keep.json")).toBeUndefined();
      });
      expect(await storage.store.list("markers/")).toEqual(["markers/a.json", "markers/b.json"]);
      const tx = storage.store.beginTransaction();
      tx.putJson("markers/c.json", 3);
      tx.rollback();
      expect(() => tx.putJson("markers/d.json", 4)).toThrow(expect.objectContaining({ code: "storage.transaction_closed" }));
      expect(await storage.store.get("markers/c.json")).toBeUndefined();
    });

    it("group-commits concurrent writes and coalesces writes to one key", async () => {
      const storage = await open(makeHarness());
      const before = storage.queue.stats().commits;
      await Promise.all(Array.from({ length: 40 }, (_, i) => storage.store.putJson(`jobs/${i % 10}.json`, i)));
      const stats = storage.queue.stats();
      expect(stats.commits - before).toBeLessThanOrEqual(3);
      expect(stats.coalesced).toBeGreaterThan(0);
      expect(await storage.store.getJson("jobs/3.json", { parse: (v) => v })).toBe(33);
    });

    it("stores sessions in chunks and hydrates them in order", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const id = sessionIdFor(1);
      await storage.sessions.saveMetadata(newSessionMetadata(id, { startedAt: 1000 }));
      const appends = [];
      for (let n = 0; n < 45; n++) {
        const attachment = await storage.attachments.saveAttachment(utf8Encode(`png-${n % 40}`), { type: "screenshot", mimeType: "image/png" });
        appends.push(storage.sessions.appendScreenshot(id, screenshotOf(n, attachment.id)));
      }
      await Promise.all(appends);
      const audio = await storage.attachments.saveAttachment(utf8Encode("wav"), { type: "audio", mimeType: "audio/wav" }, { sessionId: id });
      await storage.sessions.appendAudioSegment(id, { sequenceNumber: 0, attachmentId: audio.id, startSessionMs: 0, durationMs: 30_000, sampleRate: 48_000, channels: 1 });
      const metadata = await storage.sessions.mustGetMetadata(id);
      expect(metadata.screenshots).toMatchObject({ itemCount: 45, chunkCount: 3 });
      expect(metadata.sizeBytes).toBeGreaterThan(0);
      const reopened = await open(harness);
      const shots = await reopened.sessions.getScreenshots(id);
      expect(shots.map((s) => s.sequenceNumber)).toEqual(Array.from({ length: 45 }, (_, i) => i));
      expect((await reopened.sessions.getScreenshots(id, { offset: 18, limit: 4 })).map((s) => s.sequenceNumber)).toEqual([18, 19, 20, 21]);
      const full = await reopened.sessions.getFullSession(id);
      expect(full?.audioSegments).toHaveLength(1);
      expect(full?.problems).toEqual([]);
      // 40 distinct contents: the 5 repeats deduplicated, one reference per session.
      const repeated = await reopened.attachments.getAttachment(shots[41]!.attachmentId);
      expect(repeated).toMatchObject({ refCount: 1, referencedBy: [id] });
      expect((await reopened.verify()).problems).toEqual([]);
    });

    it("lists from the index, newest first, with filters", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      for (let i = 0; i < 12; i++) {
        await storage.sessions.saveMetadata(newSessionMetadata(sessionIdFor(i), { startedAt: 1000 * i, status: i % 3 === 0 ? "completed" : "active", tags: i % 2 === 0 ? ["deep"] : [], topicIds: i % 4 === 0 ? ["t1"] : [] }));
      }
      const all = await storage.sessions.listMetadata();
      expect(all.total).toBe(12);
      expect(all.sessions.map((s) => s.startedAt)).toEqual([...all.sessions.map((s) => s.startedAt)].sort((a, b) => b - a));
      const filtered = await storage.sessions.listMetadata({ status: "completed", tags: ["deep"], startAfter: 0, startBefore: 10_000 });
      expect(filtered.sessions.map((s) => s.startedAt)).toEqual([6000]);
      expect((await storage.sessions.listMetadata({ statuses: ["active"], limit: 2, offset: 1 })).sessions.map((s) => s.startedAt)).toEqual([10_000, 8000]);
      expect((await storage.sessions.listMetadata({ topicIds: ["t1"] })).total).toBe(3);
      await harness.plant("sessions/metadata/index.json", utf8Encode("{ truncated"));
      const reopened = await open(harness);
      expect((await reopened.sessions.listMetadata()).total).toBe(12);
    });

    it("deletes a session with its chunks, records and references", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const [a, b] = [sessionIdFor(1), sessionIdFor(2)];
      await storage.sessions.saveMetadata(newSessionMetadata(a));
      await storage.sessions.saveMetadata(newSessionMetadata(b));
      const shared = await storage.attachments.saveAttachment(utf8Encode("shared"), { type: "screenshot", mimeType: "image/png" });
      const own = await storage.attachments.saveAttachment(utf8Encode("own"), { type: "screenshot", mimeType: "image/png" });
      await storage.sessions.appendScreenshot(a, screenshotOf(0, shared.id));
      await storage.sessions.appendScreenshot(a, screenshotOf(1, own.id));
      await storage.sessions.appendScreenshot(b, screenshotOf(0, shared.id));
      await storage.sessions.saveSummary({ sessionId: a, summary: "s", provider: "local", createdAt: 1 });
      await storage.sessions.saveVideo({ sessionId: a, segments: [{ sequenceNumber: 0, attachmentId: own.id, startSessionMs: 0, durationMs: 10 }], durationMs: 10, updatedAt: 1 });
      expect(await storage.sessions.deleteSession(a)).toBe(true);
      expect(await storage.sessions.getMetadata(a)).toBeUndefined();
      expect(await storage.store.list(`screenshots/${a}/`)).toEqual([]);
      expect(await storage.sessions.getSummary(a)).toBeUndefined();
      expect((await storage.sessions.listMetadata()).sessions.map((s) => s.id)).toEqual([b]);
      expect(await storage.attachments.getAttachment(shared.id)).toMatchObject({ refCount: 1, referencedBy: [b] });
      expect(await storage.attachments.getAttachment(own.id)).toMatchObject({ refCount: 0 });
      const gc = await storage.attachments.deleteOrphanedAttachments(harness.host.clock.now() + 1);
      expect(gc.removed).toBe(1);
      await expect(storage.attachments.loadAttachment(own.id)).rejects.toMatchObject({ code: "storage.blob_missing" });
      expect(await storage.attachments.loadAttachment(shared.id)).toEqual(utf8Encode("shared"));
      expect((await storage.verify()).ok).toBe(true);
      expect(await storage.sessions.deleteSession(a)).toBe(false);
    });

    it("keeps references idempotent per session and GC spares young and referenced blobs", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const id = sessionIdFor(7);
      await storage.sessions.saveMetadata(newSessionMetadata(id));
      const att = await storage.attachments.saveAttachment(utf8Encode("x"), { type: "other", mimeType: "application/octet-stream" });
      const again = await storage.attachments.saveAttachment(utf8Encode("x"), { type: "other", mimeType: "application/octet-stream" });
      expect(again.id).toBe(att.id);
      await storage.attachments.incrementRefCount(att.id, id);
      await storage.attachments.incrementRefCount(att.id, id);
      expect((await storage.attachments.getAttachment(att.id))?.refCount).toBe(1);
      await storage.attachments.decrementRefCount(att.id, id);
      await storage.attachments.decrementRefCount(att.id, id);
      expect((await storage.attachments.getAttachment(att.id))?.refCount).toBe(0);
      expect((await storage.attachments.deleteOrphanedAttachments(0)).removed).toBe(0); // too young
      await storage.sessions.appendScreenshot(id, screenshotOf(0, att.id));
      await harness.host.time!.advance(10_000);
      expect((await storage.attachments.deleteOrphanedAttachments(harness.host.clock.now())).removed).toBe(0); // referenced
    });

    it("registers a blob the recorder wrote, checking its digest", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const bytes = utf8Encode("captured png bytes");
      const sha256 = await harness.host.crypto.sha256(bytes);
      await harness.host.files.writeAtomic("/capture/s1/0001.png", bytes);
      await expect(storage.attachments.registerExternalBlob({ path: "/capture/s1/0001.png", sha256: "0".repeat(64), size: bytes.length, nativeHashed: false }, { type: "screenshot", mimeType: "image/png" })).rejects.toMatchObject({ code: "storage.checksum_mismatch" });
      const att = await storage.attachments.registerExternalBlob({ path: "/capture/s1/0001.png", sha256, size: bytes.length, nativeHashed: false }, { type: "screenshot", mimeType: "image/png", width: 10, height: 10 });
      expect(att).toMatchObject({ id: sha256, size: bytes.length, storageKey: `attachments/blobs/${sha256}.dat` });
      expect(await storage.attachments.loadAttachment(sha256)).toEqual(bytes);
      expect(await harness.host.files.stat("/capture/s1/0001.png")).toBeUndefined();
      await expect(storage.attachments.registerExternalBlob({ path: "../escape", sha256: "../../etc", size: 1, nativeHashed: true }, { type: "other", mimeType: "x" })).rejects.toMatchObject({ code: "storage.invalid_id" });
    });

    it("quarantines a corrupt chunk, reports it, and keeps the rest of the session readable", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      const id = sessionIdFor(3);
      await storage.sessions.saveMetadata(newSessionMetadata(id));
      for (let n = 0; n < 50; n++) {
        const att = await storage.attachments.saveAttachment(utf8Encode(`s${n}`), { type: "screenshot", mimeType: "image/png" });
        await storage.sessions.appendScreenshot(id, screenshotOf(n, att.id));
      }
      await storage.close();
      const raw = (await harness.open().get(`screenshots/${id}/1.json`))!;
      const flipped = raw.slice();
      flipped[raw.length - 40] = flipped[raw.length - 40]! ^ 1;
      await harness.plant(`screenshots/${id}/1.json`, flipped);
      const reopened = await open(harness);
      const report = await reopened.verify();
      expect(report.ok).toBe(false);
      const corrupt = report.problems.find((p) => p.kind === "chunk_corrupt");
      expect(corrupt).toMatchObject({ sessionId: id, chunkIndex: 1 });
      expect(corrupt?.quarantinedTo).toMatch(/^quarantine\//);
      expect(await reopened.store.get(corrupt!.quarantinedTo!)).toEqual(flipped);
      const shots = await reopened.sessions.getScreenshots(id);
      expect(shots).toHaveLength(30);
      const repair = await reopened.repair();
      expect(repair.problemsAfter).toBe(0);
      expect((await reopened.verify()).ok).toBe(true);
      const full = await reopened.sessions.getFullSession(id);
      expect(full?.problems).toEqual([]);
      expect(full?.screenshots).toHaveLength(30);
    });

    it("rejects invalid records with typed errors", async () => {
      const harness = makeHarness();
      const storage = await open(harness);
      await expect(storage.sessions.saveMetadata({ ...newSessionMetadata(sessionIdFor(1)), status: "exploded" as never })).rejects.toMatchObject({ code: "storage.schema_invalid" });
      await harness.plant(`sessions/metadata/${sessionIdFor(2)}.json`, utf8Encode('{"schemaVersion":2,"id":'));
      const reopened = await open(harness);
      await expect(reopened.sessions.getMetadata(sessionIdFor(2))).rejects.toMatchObject({ code: "storage.schema_invalid" });
      await expect(reopened.sessions.appendScreenshot(sessionIdFor(9), screenshotOf(0, "a".repeat(64)))).rejects.toMatchObject({ code: "storage.not_found" });
    });
  });
}
