import { describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../engine/index.ts";
import { createMemoryHost, type HostPort } from "../host/index.ts";
import { createStorageFeature, type StorageFeature } from "../storage/index.ts";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { createEnrichmentFeature, type EnrichmentFeature } from "./feature.ts";
import { fakePng, runUntil, silentWav } from "./fixtures.test-helpers.ts";
import type { LedgerEntry } from "./types.ts";

const GONE = "00000000-0000-4000-8000-00000000dead";
const KEPT = "00000000-0000-4000-8000-00000000beef";

async function seed(storage: StorageFeature, id: string) {
  await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: `Session ${id.slice(-4)}`, status: "completed", startedAt: 1_767_225_600_000, endedAt: 1_767_225_660_000, activeDurationMs: 60_000 });
  for (let i = 0; i < 6; i++) {
    const att = await storage.attachments.saveAttachment(fakePng(1440 + i + (id === GONE ? 0 : 100), 900), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
    await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: 1_767_225_600_000 + i * 5000, sessionTimeMs: i * 5000, attachmentId: att.id, width: 1440, height: 900, isDuplicate: false });
  }
  const att = await storage.attachments.saveAttachment(silentWav(id === GONE ? 30 : 31), { type: "audio", mimeType: "audio/wav" }, { sessionId: id });
  await storage.sessions.appendAudioSegment(id, { sequenceNumber: 0, attachmentId: att.id, startSessionMs: 0, durationMs: 30_000, sampleRate: 8000, channels: 1 });
}

/** Every file under the data folder with its bytes as text. */
async function allFiles(host: HostPort, dir = ""): Promise<{ path: string; text: string }[]> {
  const out: { path: string; text: string }[] = [];
  for (const name of await host.files.list(dir).catch(() => [] as string[])) {
    const path = dir === "" ? name : `${dir}/${name}`;
    const stat = await host.files.stat(path);
    if (stat?.kind === "directory") out.push({ path, text: "" }, ...(await allFiles(host, path)));
    else out.push({ path, text: new TextDecoder().decode(await host.files.read(path)) });
  }
  return out;
}

async function call<T>(engine: Engine, method: string, params: unknown): Promise<T> {
  const reply = (await engine.handle({ v: 1, id: method, method, params })) as { result?: T; error?: unknown };
  if (reply.result === undefined) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
  return reply.result;
}

describe("deleting an enriched session", () => {
  it("takes its jobs, checkpoints and lock with it, keeps every billed cent in the ledger marked as a deleted session's, and leaves no file naming it", async () => {
    const fake = createFakeAi();
    const host = createMemoryHost({ secrets: { ANTHROPIC_API_KEY: "sk-ant-x" }, providerBaseUrls: { anthropic: "http://fake.local" } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ fetch: fake.fetch, batchPollMs: 1000, autoEnqueue: false })]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const enrichment = engine.context.features.get("enrichment") as EnrichmentFeature;
    for (const id of [GONE, KEPT]) await seed(storage, id);
    const jobs: Record<string, string> = {};
    for (const id of [GONE, KEPT]) {
      jobs[id] = (await call<{ job: { id: string } }>(engine, "enrichment.enqueue", { sessionId: id, allowUnreadScreenshots: true })).job.id;
    }
    await runUntil(host, () => Object.values(jobs).every((jobId) => enrichment.manager.getJobStatus(jobId)?.status === "completed"), 3600_000, 200);
    await storage.store.flush();

    const month = (await call<{ month: string }>(engine, "enrichment.ledger", {})).month;
    const before = await call<{ totalUsd: number; entries: LedgerEntry[] }>(engine, "enrichment.ledger", { month });
    const billedForGone = before.entries.filter((entry) => entry.sessionId === GONE).reduce((sum, entry) => sum + entry.costUsd, 0);
    expect(billedForGone).toBeGreaterThan(0);
    const filesBefore = await allFiles(host);
    expect(filesBefore.filter((file) => file.path.includes(GONE) || file.text.includes(GONE)).length).toBeGreaterThan(8);

    expect(await storage.sessions.deleteSession(GONE)).toBe(true);
    await storage.store.flush();

    // No file of the data folder names the deleted session, by path or by content.
    const filesAfter = await allFiles(host);
    expect(filesAfter.filter((file) => file.path.includes(GONE) || file.text.includes(GONE)).map((file) => file.path)).toEqual([]);
    expect(filesAfter.some((file) => file.path.startsWith(`checkpoints/${jobs[GONE]}`))).toBe(false);
    expect(enrichment.manager.getJobStatus(jobs[GONE]!)).toBeUndefined();
    expect(enrichment.manager.getJobStatus(jobs[KEPT]!)?.status).toBe("completed");

    // Every cent stays: the same entries, the same month total, the deleted session's marked.
    const after = await call<{ totalUsd: number; entries: LedgerEntry[] }>(engine, "enrichment.ledger", { month });
    expect(after.entries.length).toBe(before.entries.length);
    expect(after.totalUsd).toBe(before.totalUsd);
    const marked = after.entries.filter((entry) => entry.sessionDeletedAt !== undefined);
    expect(marked.every((entry) => entry.sessionId === "deleted" && entry.jobId === jobs[GONE])).toBe(true);
    expect(marked.reduce((sum, entry) => sum + entry.costUsd, 0)).toBe(billedForGone);
    expect(after.entries.filter((entry) => entry.sessionId === KEPT)).toEqual(before.entries.filter((entry) => entry.sessionId === KEPT));
    expect(await enrichment.manager.ledger.sessionTotal(KEPT)).toBeGreaterThan(0);

    // The kept session is whole, and a new engine over the same files agrees.
    expect((await storage.verify()).problems).toEqual([]);
    await engine.stop();
    const reopened = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ fetch: fake.fetch, autoEnqueue: false })]);
    const queue = await call<{ jobs: { id: string; sessionId: string }[] }>(reopened, "enrichment.queue", {});
    expect(queue.jobs.map((job) => job.sessionId)).toEqual([KEPT]);
    await reopened.stop();
  });

  it("cancels a job still running on the session before deleting it", async () => {
    const fake = createFakeAi();
    // After its first call, the provider holds every answer until the job is aborted.
    let calls = 0;
    let held = 0;
    const holding: typeof fetch = async (input, init) => {
      if (++calls > 1) {
        held++;
        await new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
      }
      return fake.fetch(input, init);
    };
    const host = createMemoryHost({ secrets: { ANTHROPIC_API_KEY: "sk-ant-x" }, providerBaseUrls: { anthropic: "http://fake.local" } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ fetch: holding, batchPollMs: 1000, autoEnqueue: false })]);
    const storage = engine.context.features.get("storage") as StorageFeature;
    const enrichment = engine.context.features.get("enrichment") as EnrichmentFeature;
    await seed(storage, GONE);
    const jobId = (await call<{ job: { id: string } }>(engine, "enrichment.enqueue", { sessionId: GONE, allowUnreadScreenshots: true })).job.id;
    // Run until the job is active with at least one step checkpointed.
    const checkpointed = async () => (await host.files.list(`checkpoints/${jobId}`).catch(() => [] as string[])).length > 0;
    for (let i = 0; i < 2000 && !(held > 0 && (await checkpointed())); i++) await runUntil(host, () => false, 10, 10);
    expect(held).toBeGreaterThan(0);
    expect(enrichment.manager.getJobStatus(jobId)?.status).toBe("active");
    expect(await checkpointed()).toBe(true);
    const deleting = storage.sessions.deleteSession(GONE);
    await runUntil(host, () => enrichment.manager.getJobStatus(jobId) === undefined, 60_000, 100);
    expect(await deleting).toBe(true);
    await storage.store.flush();
    const left = (await allFiles(host)).filter((file) => file.path.includes(GONE) || file.text.includes(GONE) || file.path.startsWith(`checkpoints/${jobId}`)).map((file) => file.path);
    expect(left).toEqual([]);
    await engine.stop();
  });
});
