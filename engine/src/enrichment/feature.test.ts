import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { createEnrichmentFeature, type EnrichmentFeature } from "./feature.ts";
import { fakePng, runUntil, silentWav } from "./fixtures.test-helpers.ts";

async function seedSession(storage: StorageFeature, id: string) {
  await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: "Login work", status: "completed", startedAt: 1_767_225_600_000, endedAt: 1_767_225_660_000, activeDurationMs: 60_000 });
  for (let i = 0; i < 12; i++) {
    const att = await storage.attachments.saveAttachment(fakePng(1440 + (i >> 1), 900), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
    await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: 1_767_225_600_000 + i * 5000, sessionTimeMs: i * 5000, attachmentId: att.id, width: 1440, height: 900, isDuplicate: i % 2 === 1, duplicateOf: i % 2 === 1 ? i - 1 : undefined });
  }
  for (let i = 0; i < 2; i++) {
    const att = await storage.attachments.saveAttachment(silentWav(30 + i), { type: "audio", mimeType: "audio/wav" }, { sessionId: id });
    await storage.sessions.appendAudioSegment(id, { sequenceNumber: i, attachmentId: att.id, startSessionMs: i * 30_000, durationMs: 30_000, sampleRate: 8000, channels: 1 });
  }
}

describe("enrichment feature over storage and the bridge", () => {
  it("enqueues through the bridge, runs the saga, saves evidence-linked results and reports status", async () => {
    const fake = createFakeAi();
    const host = createMemoryHost({ secrets: { ANTHROPIC_API_KEY: "sk-ant-x", OPENAI_API_KEY: "sk-x" }, providerBaseUrls: { anthropic: "http://fake.local", openai: "http://fake.local" } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ fetch: fake.fetch, batchPollMs: 1000 })]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const feature = engine.context.features.get("enrichment") as EnrichmentFeature;
    const id = "00000000-0000-4000-8000-00000000abcd";
    await seedSession(storage, id);

    const estimate = await engine.handle({ v: 1, id: 1, method: "enrichment.estimate", params: { sessionId: id, allowUnreadScreenshots: true } });
    expect(estimate).toMatchObject({ result: { estimate: { provider: "anthropic", screenshotsToAnalyse: 6 } } });
    expect(fake.requests).toHaveLength(0);

    const bad = await engine.handle({ v: 1, id: 2, method: "enrichment.enqueue", params: { sessionId: id, provider: "gemini" } });
    expect(bad).toMatchObject({ error: { code: "bridge.invalid_params" } });

    const reply = (await engine.handle({ v: 1, id: 3, method: "enrichment.enqueue", params: { sessionId: id, priority: "high", transcriptionProvider: "openai", allowUnreadScreenshots: true } })) as { result: { job: { id: string } } };
    const jobId = reply.result.job.id;
    await runUntil(host, () => feature.manager.getJobStatus(jobId)?.status === "completed", 3600_000, 200);
    const status = await engine.handle({ v: 1, id: 4, method: "enrichment.status", params: { jobId } });
    expect(status).toMatchObject({ result: { job: { status: "completed", stage: "completed" } } });

    const summary = await storage.sessions.getSummary(id);
    expect(summary?.chapters.length).toBeGreaterThan(0);
    expect(summary?.tasks.every((task) => task.evidence.length > 0 && task.flagged === false)).toBe(true);
    const metadata = await storage.sessions.getMetadata(id);
    expect(metadata?.enrichmentStatus?.status).toBe("completed");
    expect(metadata?.enrichmentStatus?.totalCost).toBeGreaterThan(0);
    expect(metadata?.hasSummary).toBe(true);
    const shots = await storage.sessions.getScreenshots(id);
    expect(shots.filter((s) => !s.isDuplicate && s.analysis !== undefined)).toHaveLength(6);
    // Duplicates are not looked at again, and say so rather than "not analysed".
    const duplicates = shots.filter((s) => s.isDuplicate);
    expect(duplicates.length).toBeGreaterThan(0);
    expect(duplicates.every((s) => s.analysis?.summary === "Same as previous screenshot")).toBe(true);
    const audio = await storage.sessions.getAudioSegments(id);
    expect(audio.every((a) => (a.transcript?.text.length ?? 0) > 0)).toBe(true);
    // Media ran without a host media capability: audio concatenated by the engine, merge skipped.
    expect(host.events.some((e) => e.method === "media.progress")).toBe(true);
    const wav = await host.files.stat(`media/${id}/audio.wav`);
    expect(wav?.size).toBe(44 + (30 + 31) * 8000 * 2);

    const queue = await engine.handle({ v: 1, id: 5, method: "enrichment.queue", params: {} });
    expect(queue).toMatchObject({ result: { counts: { completed: 1 }, maxActive: 5 } });
    const ledger = (await engine.handle({ v: 1, id: 6, method: "enrichment.ledger", params: {} })) as { result: { totalUsd: number; entries: unknown[] } };
    expect(ledger.result.entries.length).toBeGreaterThan(0);
    expect(Math.abs(ledger.result.totalUsd - metadata!.enrichmentStatus!.totalCost)).toBeLessThan(1e-9);
    const missing = await engine.handle({ v: 1, id: 7, method: "enrichment.cancel", params: { jobId: "nope" } });
    expect(missing).toMatchObject({ error: { code: "enrichment.job_not_found" } });
    await engine.stop();
  });

  it("enqueues a session when it ends, with the session feature's markers as evidence", async () => {
    const fake = createFakeAi();
    // A key is in the environment, but no provider was saved in Settings.
    const host = createMemoryHost({ secrets: { ANTHROPIC_API_KEY: "sk-ant-x" }, providerBaseUrls: { anthropic: "http://fake.local" } });
    const listeners: ((event: { sessionId: string }) => Promise<void> | void)[] = [];
    const id = "00000000-0000-4000-8000-00000000abce";
    const sessionStub = () => ({
      name: "session",
      methods: {},
      onSessionEnded: (listener: (event: { sessionId: string }) => Promise<void>) => {
        listeners.push(listener);
        return () => undefined;
      },
      getMarkers: async () => [{ id: "00000000-0000-4000-8000-0000000000ff", sessionId: id, sessionTimeMs: 20_000, at: 0, note: "decided to ship the login fix" }],
    });
    const engine = await createEngine(host, [createStorageFeature(), sessionStub as never, createEnrichmentFeature({ fetch: fake.fetch })]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const feature = engine.context.features.get("enrichment") as EnrichmentFeature;
    await seedSession(storage, id);
    expect(listeners).toHaveLength(1);
    await listeners[0]!({ sessionId: id });
    const job = feature.manager.queue.liveJobForSession(id)!;
    expect(job).toBeDefined();
    await runUntil(host, () => feature.manager.getJobStatus(job.id)?.status === "completed", 3600_000, 200);
    // Background enrichment uses the saved settings only: the local provider, no network.
    expect(job.options.provider).toBe("local");
    expect(fake.requests).toHaveLength(0);
    const summary = await storage.sessions.getSummary(id);
    expect(summary?.local).toBe(true);
    expect(summary?.notes.some((note) => note.text.includes("decided to ship") && note.evidence[0]?.kind === "marker" && note.flagged !== true)).toBe(true);
    await engine.stop();
  });
});
