import { describe, expect, it } from "vitest";
import { createFaultFiles } from "../testing/fault-files.ts";
import { openOver } from "./crash-workload.ts";

const ID = "00000000-0000-4000-8000-00000000f411";
const OTHER = "00000000-0000-4000-8000-00000000f412";
const meta = (id: string) => ({ schemaVersion: 2 as const, id, name: "Disk full", status: "completed" as const, startedAt: 1_767_225_600_000, endedAt: 1_767_225_660_000, activeDurationMs: 60_000 });

describe("after a failed commit", () => {
  it("the list index is reloaded from disk, so a retried delete leaves index and files in agreement", async () => {
    const files = createFaultFiles();
    const storage = await openOver(files);
    await storage.sessions.saveMetadata(meta(ID));
    await storage.sessions.saveMetadata(meta(OTHER));
    files.plan.io = { at: files.opCount, code: "ENOSPC", persistent: true };
    await expect(storage.sessions.deleteSession(ID)).rejects.toMatchObject({ code: "storage.disk_full" });
    expect(files.hits.io.length).toBeGreaterThan(0);
    // What the disk says is what listing says: the delete did not happen.
    expect((await storage.sessions.listMetadata()).sessions.map((s) => s.id).sort()).toEqual([ID, OTHER].sort());
    files.plan.io = undefined;
    expect(await storage.sessions.deleteSession(ID)).toBe(true);
    expect((await storage.sessions.listMetadata()).sessions.map((s) => s.id)).toEqual([OTHER]);
    const report = await storage.verify();
    expect(report.problems).toEqual([]);
    await storage.close();
    const reopened = await openOver(files);
    expect((await reopened.sessions.listMetadata()).sessions.map((s) => s.id)).toEqual([OTHER]);
    expect((await reopened.verify()).ok).toBe(true);
    await reopened.close();
  });
});
