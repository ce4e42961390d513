import { describe, expect, it } from "vitest";
import { createEnrichmentFeature, type EnrichmentFeature } from "../enrichment/index.ts";
import { fakePng, runUntil, silentWav } from "../enrichment/fixtures.test-helpers.ts";
import { createEngine } from "../engine/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { createReviewFeatureFactory } from "./review-feature.ts";
import type { SessionDetail, SessionRow } from "./review-schemas.ts";
import { resolveEvidence } from "./timeline.ts";

const ID = "00000000-0000-4000-8000-00000000beef";

describe("review over a really enriched session", () => {
  it("shows the enrichment's summary, tasks and notes with evidence that resolves, and the ledger's cost", async () => {
    const fake = createFakeAi();
    const host = createMemoryHost({ secrets: { ANTHROPIC_API_KEY: "sk-ant-x", OPENAI_API_KEY: "sk-x" }, providerBaseUrls: { anthropic: "http://fake.local", openai: "http://fake.local" } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ fetch: fake.fetch, batchPollMs: 1000 }), createReviewFeatureFactory()]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const enrichment = engine.context.features.get("enrichment") as EnrichmentFeature;
    const start = host.clock.now();
    await storage.sessions.saveMetadata({ schemaVersion: 2, id: ID, name: "Login work", status: "completed", startedAt: start, endedAt: start + 60_000, activeDurationMs: 60_000, tags: ["auth"] });
    for (let i = 0; i < 12; i++) {
      const att = await storage.attachments.saveAttachment(fakePng(1440 + i, 900), { type: "screenshot", mimeType: "image/png" }, { sessionId: ID });
      await storage.sessions.appendScreenshot(ID, { sequenceNumber: i, capturedAt: start + i * 5000, sessionTimeMs: i * 5000, attachmentId: att.id, width: 1440, height: 900 });
    }
    for (let i = 0; i < 2; i++) {
      const att = await storage.attachments.saveAttachment(silentWav(30 + i), { type: "audio", mimeType: "audio/wav" }, { sessionId: ID });
      await storage.sessions.appendAudioSegment(ID, { sequenceNumber: i, attachmentId: att.id, startSessionMs: i * 30_000, durationMs: 30_000, sampleRate: 8000, channels: 1 });
    }
    const enqueued = (await engine.handle({ v: 1, id: 1, method: "enrichment.enqueue", params: { sessionId: ID, transcriptionProvider: "openai" } })) as { result: { job: { id: string } } };
    await runUntil(host, () => enrichment.manager.getJobStatus(enqueued.result.job.id)?.status === "completed", 3600_000, 200);

    const list = (await engine.handle({ v: 1, id: 2, method: "review.list", params: { query: { text: "#auth" } } })) as { result: { library: string; sessions: SessionRow[] } };
    expect(list.result.library).toBe("storage");
    expect(list.result.sessions[0]).toMatchObject({ id: ID, screenshotCount: 12, audioSegmentCount: 2, enrichment: { state: "completed" } });
    expect(list.result.sessions[0]!.enrichment.totalCostUsd).toBeGreaterThan(0);

    const reply = (await engine.handle({ v: 1, id: 3, method: "review.session", params: { id: ID } })) as { result: SessionDetail };
    const detail = reply.result;
    expect(detail.summary?.text.length).toBeGreaterThan(0);
    expect(detail.timeline.some((item) => item.kind === "chapter")).toBe(true);
    expect(detail.timeline.some((item) => item.kind === "screenshot" && item.analysis !== undefined)).toBe(true);
    expect(detail.timeline.some((item) => item.kind === "transcript")).toBe(true);
    const linked = [...(detail.summary?.points ?? []), ...detail.tasks, ...detail.notes].filter((item) => item.evidence.length > 0);
    expect(linked.length).toBeGreaterThan(0);
    for (const item of linked) {
      const evidence = item.evidence[0]!;
      const target = resolveEvidence(detail.timeline, evidence);
      const found = detail.timeline[target.index]!;
      if (evidence.kind === "screenshot") expect(found).toMatchObject({ kind: "screenshot", ref: evidence.ref });
      else expect(Math.abs(found.t - evidence.tStart)).toBeLessThanOrEqual(30_000);
    }
    const ledgerTotal = detail.cost.lines.reduce((sum, line) => sum + line.usd, 0);
    expect(detail.cost.lines.length).toBeGreaterThan(0);
    expect(Math.abs(ledgerTotal - detail.session.enrichment.totalCostUsd)).toBeLessThan(1e-9);
    expect(detail.media.audio.map((a) => a.t)).toEqual([0, 30_000]);

    const exported = (await engine.handle({ v: 1, id: 4, method: "review.export", params: { id: ID, format: "md" } })) as { result: { text: string } };
    expect(exported.result.text).toContain(detail.summary!.text.split("\n")[0]!);
    await engine.stop();
  });
});
