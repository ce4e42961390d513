import { describe, expect, it } from "vitest";
import { base64Encode, createMemoryHost, utf8Encode } from "../host/index.ts";
import { createFaultFiles } from "../testing/fault-files.ts";
import { diskAfterCrash } from "../testing/fault-files-model.ts";
import { hostOver, openOver } from "./crash-workload.ts";
import { createMemoryAdapter, createStorage, migrateV1 } from "./index.ts";

const png = (n: number) => base64Encode(utf8Encode(`png-${n}`));

function v1Store() {
  return {
    sessions: [
      {
        id: "session-1699999999-abc",
        name: "Old work",
        status: "completed",
        startTime: "2024-03-01T09:00:00.000Z",
        endTime: "2024-03-01T10:00:00.000Z",
        totalDuration: 60,
        tags: ["legacy"],
        screenshots: [
          { id: "s2", timestamp: "2024-03-01T09:10:00.000Z", data: `data:image/png;base64,${png(2)}`, aiAnalysis: { summary: "editing", detectedActivity: "coding" } },
          { id: "s1", timestamp: "2024-03-01T09:05:00.000Z", attachmentId: "att-1" },
          { id: "s3", timestamp: "2024-03-01T09:15:00.000Z" },
        ],
        audioSegments: [{ id: "a1", timestamp: "2024-03-01T09:00:30.000Z", duration: 30, transcription: "hello there", base64: png(9) }],
        summary: { summary: "Did old work" },
      },
      { id: "7B0E2F5A-1C3D-4E5F-8A9B-0C1D2E3F4A5B", name: "Second", status: "active", startTime: 1_709_300_000_000, screenshots: [{ id: "x", timestamp: 1_709_300_005_000, base64: png(3) }] },
    ],
    attachments: { "att-1": { data: png(1), mimeType: "image/png" } },
  };
}

describe("schema v1 → v2 migration", () => {
  it("migrates monolithic sessions into chunked ones and drops v1 once verified", async () => {
    const host = createMemoryHost();
    const storage = await createStorage({ host, adapter: createMemoryAdapter() });
    const report = await migrateV1({ storage, host, source: JSON.stringify(v1Store()) });
    expect(report.migrated).toHaveLength(2);
    expect(report.missingMedia).toBe(1);
    expect(report.v1Removed).toBe(true);
    expect(await storage.store.get(report.v1Key)).toBeUndefined();
    const first = report.migrated.find((m) => m.v1Id === "session-1699999999-abc")!;
    const full = (await storage.sessions.getFullSession(first.sessionId))!;
    expect(full.metadata).toMatchObject({ name: "Old work", status: "completed", tags: ["legacy"], activeDurationMs: 3_600_000, migratedFrom: { schemaVersion: 1, id: "session-1699999999-abc" } });
    expect(full.screenshots.map((s) => s.sessionTimeMs)).toEqual([300_000, 600_000]);
    expect(full.screenshots[1]?.analysis).toMatchObject({ summary: "editing", activity: "coding", provider: "v1" });
    expect(await storage.attachments.loadAttachment(full.screenshots[0]!.attachmentId)).toEqual(utf8Encode("png-1"));
    expect(full.audioSegments[0]).toMatchObject({ durationMs: 30_000, transcript: { text: "hello there" } });
    expect(full.summary?.summary).toBe("Did old work");
    const second = report.migrated.find((m) => m.v1Id.startsWith("7B0E"))!;
    expect(second.sessionId).toBe("7b0e2f5a-1c3d-4e5f-8a9b-0c1d2e3f4a5b");
    expect((await storage.sessions.getMetadata(second.sessionId))?.status).toBe("interrupted");
    expect((await storage.verify()).problems).toEqual([]);
    const again = await migrateV1({ storage, host, source: JSON.stringify(v1Store()) });
    expect(again.migrated).toHaveLength(0);
    expect(again.alreadyDone).toBe(2);
    expect((await storage.sessions.listMetadata()).total).toBe(2);
  });

  it("refuses data it does not understand with a typed error", async () => {
    const host = createMemoryHost();
    const storage = await createStorage({ host, adapter: createMemoryAdapter() });
    await expect(migrateV1({ storage, host, source: "{ not json" })).rejects.toMatchObject({ code: "storage.migration_failed" });
    await expect(migrateV1({ storage, host, source: { sessions: [{ name: 3 }] } })).rejects.toMatchObject({ code: "storage.migration_failed" });
  });

  it("resumes after a crash at any point, keeping v1 until the v2 copy verifies", async () => {
    const clean = createFaultFiles();
    const cleanStorage = await openOver(clean);
    const start = clean.opCount;
    await migrateV1({ storage: cleanStorage, host: hostOver(clean), source: JSON.stringify(v1Store()) });
    const total = clean.opCount;
    let crashes = 0;
    for (let k = start; k < total; k += 3) {
      const files = createFaultFiles({}, { crashAt: k });
      const storage = await openOver(files).catch(() => undefined);
      if (storage !== undefined) await migrateV1({ storage, host: hostOver(files), source: JSON.stringify(v1Store()) }).catch(() => undefined);
      expect(files.hits.crash).toBe(k);
      crashes++;
      const disk = diskAfterCrash(files.log, { kind: k % 2 === 0 ? "drop" : "keep" });
      const after = createFaultFiles(disk);
      const reopened = await openOver(after);
      // Until every session verified, the v1 copy is still there (or nothing of v2 was written yet).
      const legacy = (await reopened.store.list("legacy/v1/")).filter((key) => !key.endsWith(".state.json"));
      const sessions = (await reopened.sessions.listMetadata()).total;
      if (legacy.length === 0 && sessions > 0) expect(sessions).toBe(2);
      const report = await migrateV1({ storage: reopened, host: hostOver(after), source: JSON.stringify(v1Store()) });
      expect(report.v1Removed).toBe(true);
      const list = await reopened.sessions.listMetadata();
      expect(list.total).toBe(2);
      for (const session of list.sessions) expect((await reopened.sessions.getFullSession(session.id))?.problems).toEqual([]);
      expect((await reopened.verify({ quarantine: false })).problems).toEqual([]);
    }
    console.log(`migration: ${crashes} crashes injected across ${total - start} operations, each resumed to a verified v2 copy`);
    expect(crashes).toBeGreaterThan(20);
  }, 120_000);
});
