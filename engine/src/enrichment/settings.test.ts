import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { createMemoryFiles, createMemoryHost } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { createEnrichmentFeature, type EnrichmentFeature } from "./feature.ts";
import { fakePng, runUntil } from "./fixtures.test-helpers.ts";
import { SETTINGS_KEY } from "./settings.ts";

const ID = "00000000-0000-4000-8000-00000005e771";

async function open(files: ReturnType<typeof createMemoryFiles>, fetchImpl?: typeof fetch) {
  const host = createMemoryHost({ files, secrets: { ANTHROPIC_API_KEY: "sk-ant-test" }, providerBaseUrls: { anthropic: "http://fake.local" } });
  const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ autoEnqueue: false, ...(fetchImpl ? { fetch: fetchImpl } : {}) })]);
  const call = (method: string, params: unknown) => engine.handle({ v: 1, id: method, method, params }) as Promise<{ result?: any; error?: { code: string; message: string } }>;
  return { host, engine, call, storage: engine.context.features.get("storage") as StorageFeature, enrichment: engine.context.features.get("enrichment") as EnrichmentFeature };
}

describe("enrichment settings over the bridge", () => {
  it("persist across restarts, refuse bad input, and shape the next job's plan", async () => {
    const files = createMemoryFiles();
    const first = await open(files);
    expect((await first.call("settings.get", {})).result).toEqual({ enrichment: {}, monthlyBudgetUsd: null, retentionDays: null });
    expect((await first.call("settings.update", { enrichment: { provider: "gemini" } })).error?.code).toBe("bridge.invalid_params");
    expect((await first.call("settings.update", { monthlyBudgetUsd: -1 })).error?.code).toBe("bridge.invalid_params");
    expect((await first.call("settings.update", { enrichment: { maxCost: 0.5 }, unknown: 1 })).error?.code).toBe("bridge.invalid_params");
    const saved = await first.call("settings.update", { enrichment: { provider: "local", maxCost: 0.25 }, monthlyBudgetUsd: 5 });
    expect(saved.result).toEqual({ enrichment: { provider: "local", maxCost: 0.25 }, monthlyBudgetUsd: 5, retentionDays: null });
    expect(await files.stat(SETTINGS_KEY)).toBeDefined();
    // The anthropic key is set, yet the stored default makes local the plan.
    expect((await first.enrichment.manager.planFor({})).provider).toBe("local");
    await first.engine.stop();

    const second = await open(files);
    expect((await second.call("settings.get", {})).result).toEqual({ enrichment: { provider: "local", maxCost: 0.25 }, monthlyBudgetUsd: 5, retentionDays: null });
    expect((await second.call("settings.update", { monthlyBudgetUsd: null })).result.monthlyBudgetUsd).toBeNull();
    await second.engine.stop();
  });

  it("a monthly budget set over the bridge stops a cloud job before any request", async () => {
    const fake = createFakeAi();
    const files = createMemoryFiles();
    const app = await open(files, fake.fetch);
    await app.storage.sessions.saveMetadata({ schemaVersion: 2, id: ID, name: "Budget", status: "completed", startedAt: 1_767_225_600_000, endedAt: 1_767_225_660_000, activeDurationMs: 60_000 });
    for (let i = 0; i < 4; i++) {
      const att = await app.storage.attachments.saveAttachment(fakePng(1600 + i, 1000), { type: "screenshot", mimeType: "image/png" });
      await app.storage.sessions.appendScreenshot(ID, { sequenceNumber: i, capturedAt: 1_767_225_600_000 + i * 5000, sessionTimeMs: i * 5000, attachmentId: att.id, width: 1600 + i, height: 1000 });
    }
    await app.call("settings.update", { enrichment: { provider: "anthropic" }, monthlyBudgetUsd: 0 });
    const { result } = await app.call("enrichment.enqueue", { sessionId: ID });
    await runUntil(app.host, () => ["failed", "completed"].includes(app.enrichment.manager.getJobStatus(result.job.id)?.status ?? ""), 3600_000, 500);
    const job = app.enrichment.manager.getJobStatus(result.job.id);
    expect(job?.status).toBe("failed");
    expect(job?.lastError?.code).toBe("enrichment.budget_exceeded");
    expect(fake.requests).toHaveLength(0);
    await app.engine.stop();
  });
});
