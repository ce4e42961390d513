import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryFiles, createMemoryHost } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { createEnrichmentFeature, type EnrichmentFeature } from "./feature.ts";
import { fakePng, runUntil } from "./fixtures.test-helpers.ts";

const ID = "00000000-0000-4000-8000-0000000b6c01";

async function seed(storage: StorageFeature) {
  await storage.sessions.saveMetadata({ schemaVersion: 2, id: ID, name: "Ended while quitting", status: "completed", startedAt: 1_767_225_600_000, endedAt: 1_767_225_630_000, activeDurationMs: 30_000 });
  for (let i = 0; i < 3; i++) {
    const att = await storage.attachments.saveAttachment(fakePng(800 + i, 600), { type: "screenshot", mimeType: "image/png" });
    await storage.sessions.appendScreenshot(ID, { sequenceNumber: i, capturedAt: 1_767_225_600_000 + i * 5000, sessionTimeMs: i * 5000, attachmentId: att.id, width: 800 + i, height: 600 });
  }
}

async function open(files: ReturnType<typeof createMemoryFiles>, background: boolean) {
  const host = createMemoryHost({ files });
  const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature()], { background });
  return {
    host,
    engine,
    storage: engine.context.features.get("storage") as StorageFeature,
    enrichment: engine.context.features.get("enrichment") as EnrichmentFeature,
  };
}

describe("enrichment and background work", () => {
  it("a short-lived engine neither starts jobs nor queues missed sessions; a background engine does both", async () => {
    const files = createMemoryFiles();
    const first = await open(files, false);
    await seed(first.storage);
    await first.storage.store.flush();
    await first.engine.stop();

    // A command such as `stint list`: the completed, never-queued session stays as it is.
    const quiet = await open(files, false);
    await quiet.host.time!.advance(60_000);
    expect(quiet.enrichment.manager.getQueueStatus().jobs).toEqual([]);
    const reply = (await quiet.engine.handle({ v: 1, id: 1, method: "enrichment.enqueue", params: { sessionId: ID, provider: "local" } })) as { result: { job: { id: string } } };
    await quiet.host.time!.advance(60_000);
    expect(quiet.enrichment.manager.getJobStatus(reply.result.job.id)?.status).toBe("waiting");
    await quiet.engine.stop();

    // The dev host or the Mac app: the waiting job runs to completion.
    const busy = await open(files, true);
    await runUntil(busy.host, () => busy.enrichment.manager.getJobStatus(reply.result.job.id)?.status === "completed", 3600_000, 500);
    expect((await busy.storage.sessions.getMetadata(ID))?.enrichmentStatus?.status).toBe("completed");
    await busy.engine.stop();
  });

  it("a background engine queues a completed session that ended while nothing listened", async () => {
    const files = createMemoryFiles();
    const first = await open(files, false);
    await seed(first.storage);
    await first.storage.store.flush();
    await first.engine.stop();

    const busy = await open(files, true);
    const jobs = busy.enrichment.manager.getQueueStatus().jobs;
    expect(jobs.map((job) => job.sessionId)).toEqual([ID]);
    await runUntil(busy.host, () => busy.enrichment.manager.getQueueStatus().jobs[0]?.status === "completed", 3600_000, 500);
    await busy.engine.stop();

    // Once enriched, a later start does not queue it again.
    const again = await open(files, true);
    expect(again.enrichment.manager.getQueueStatus().jobs.filter((job) => job.status !== "completed")).toEqual([]);
    await again.engine.stop();
  });
});
