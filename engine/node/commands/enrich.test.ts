import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { createEngine, type Engine } from "../../src/engine/index.ts";
import { createEnrichmentFeature, PersistentEnrichmentQueue } from "../../src/enrichment/index.ts";
import { buildWavHeader } from "../../src/media/index.ts";
import { createFakeAi } from "../../src/testing/fake-ai/index.ts";
import { createFileAdapter, createStorage, createStorageFeature, type StorageFeature } from "../../src/storage/index.ts";
import { parseArgs } from "../args.ts";
import { runCli } from "../cli.ts";
import { createNodeHost } from "../node-host.ts";
import { createOutput } from "../output.ts";
import type { Command, CommandContext } from "./command.ts";
import { cancelCommand } from "./cancel.ts";
import { enrichCommand, retryCommand } from "./enrich.ts";
import { queueCommand } from "./queue.ts";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "stint-enrich-cli-"));
  dirs.push(dir);
  return dir;
}

function capture() {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  return { stdout, stderr, out: () => out, err: () => err };
}

function png(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  new DataView(bytes.buffer).setUint32(16, width);
  new DataView(bytes.buffer).setUint32(20, height);
  return bytes;
}

async function contextFor(command: Command, argv: string[], dataDir: string, engine: () => Promise<Engine>, json = false) {
  const io = capture();
  const context: CommandContext = {
    args: parseArgs(argv, command.flags),
    json,
    verbose: false,
    dataDir,
    out: createOutput({ json, stdout: io.stdout, stderr: io.stderr }),
    openEngine: engine,
    env: {},
  };
  return { context, io };
}

describe("stint enrich", () => {
  it("estimates, then enriches a stored session against the fake servers", async () => {
    const dataDir = tempDir();
    const fake = createFakeAi();
    const server = await fake.listen();
    const host = createNodeHost({ dataDir, env: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.url } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ batchPollMs: 50 })]);
    try {
      const storage = engine.context.features.get("storage") as StorageFeature;
      const id = "00000000-0000-4000-8000-0000000000c1";
      await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: "CLI", status: "completed", startedAt: Date.now() - 60_000, activeDurationMs: 30_000 });
      for (let i = 0; i < 6; i++) {
        const att = await storage.attachments.saveAttachment(png(1440, 900 + i), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
        await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: Date.now(), sessionTimeMs: i * 5000, attachmentId: att.id, width: 1440, height: 900 });
      }
      const wav = new Uint8Array(44 + 16000);
      wav.set(buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 }, 16000));
      const att = await storage.attachments.saveAttachment(wav, { type: "audio", mimeType: "audio/wav" }, { sessionId: id });
      await storage.sessions.appendAudioSegment(id, { sequenceNumber: 0, attachmentId: att.id, startSessionMs: 0, durationMs: 1000, sampleRate: 8000, channels: 1 });

      const estimate = await contextFor(enrichCommand, [id, "--estimate", "--send-unread-screenshots"], dataDir, async () => engine);
      expect(await enrichCommand.run(estimate.context)).toBe(0);
      expect(estimate.io.out()).toMatch(/screenshots\s+\$[\d.]+\s+6 analysed/);
      expect(fake.requests).toHaveLength(0);

      const capped = await contextFor(enrichCommand, [id, "--max-cost", "0.000001"], dataDir, async () => engine);
      await expect(enrichCommand.run(capped.context)).rejects.toMatchObject({ code: "enrichment.cost_exceeded" });
      expect(fake.requests).toHaveLength(0);

      const run = await contextFor(enrichCommand, [id, "--provider", "anthropic", "--send-unread-screenshots", "--json"], dataDir, async () => engine, true);
      expect(await enrichCommand.run(run.context)).toBe(0);
      const last = JSON.parse(run.io.out().trim().split("\n").at(-1)!) as { job: { status: string; cost: { actualUsd: number } } };
      expect(last.job.status).toBe("completed");
      expect(last.job.cost.actualUsd).toBeGreaterThan(0);
      expect(fake.requests.length).toBeGreaterThan(0);
      expect((await storage.sessions.getSummary(id))?.tasks.length).toBeGreaterThan(0);
    } finally {
      await engine.stop();
      await server.close();
    }
  });
});

describe("stint retry", () => {
  it("resumes a job that failed on a 400 from its checkpoints: only the failed call is made again", async () => {
    const dataDir = tempDir();
    const fake = createFakeAi();
    const server = await fake.listen();
    const host = createNodeHost({ dataDir, env: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.url } });
    const engine = await createEngine(host, [createStorageFeature(), createEnrichmentFeature({ batchPollMs: 50 })]);
    try {
      const storage = engine.context.features.get("storage") as StorageFeature;
      const id = "00000000-0000-4000-8000-0000000000c2";
      await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: "Retry", status: "completed", startedAt: Date.now() - 60_000, activeDurationMs: 30_000 });
      for (let i = 0; i < 4; i++) {
        const att = await storage.attachments.saveAttachment(png(1440, 900 + i), { type: "screenshot", mimeType: "image/png" }, { sessionId: id });
        await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: Date.now(), sessionTimeMs: i * 5000, attachmentId: att.id, width: 1440, height: 900 });
      }
      // The third call (the summary, after the screenshots and the chapters) is refused.
      fake.inject({ kind: "bad-request", times: 0 });
      const rule = fake.rules[0]!;
      let calls = 0;
      const off = engine.subscribe((event) => {
        if (event.method === "enrichment.job.progress" && (event.params as { stage: string }).stage === "summary" && calls++ === 0) rule.times = 1;
      });
      const first = await contextFor(enrichCommand, [id, "--provider", "anthropic", "--no-batch", "--send-unread-screenshots"], dataDir, async () => engine);
      const failure = await enrichCommand.run(first.context).catch((error: unknown) => error as { message: string; hint?: string });
      off();
      expect(fake.faultsHit["bad-request"]).toBe(1);
      expect(failure).toMatchObject({ message: expect.stringContaining("enrichment failed") });
      const jobId = /stint retry ([0-9a-f-]+)/.exec((failure as { hint?: string }).hint ?? "")?.[1];
      expect(jobId).toBeDefined();
      const before = fake.requests.length;

      const retry = await contextFor(retryCommand, [jobId!, "--json"], dataDir, async () => engine, true);
      expect(await retryCommand.run(retry.context)).toBe(0);
      const last = JSON.parse(retry.io.out().trim().split("\n").at(-1)!) as { job: { id: string; status: string } };
      expect(last.job).toMatchObject({ id: jobId, status: "completed" });
      expect(fake.requests.slice(before).map((request) => request.path)).toEqual(["/v1/messages"]);
    } finally {
      await engine.stop();
      await server.close();
    }
  });
});

describe("stint queue and stint cancel", () => {
  it("lists persisted jobs and cancels a waiting one without running anything", async () => {
    const dataDir = tempDir();
    const host = createNodeHost({ dataDir, env: {} });
    const storage = await createStorage({ host, adapter: createFileAdapter({ files: host.files, crypto: host.crypto, root: "" }) });
    let ran = 0;
    const queue = new PersistentEnrichmentQueue({ store: storage.store, host, emit: () => {}, maxActive: 0, worker: async () => void ran++ });
    await queue.initialize();
    const a = await queue.enqueue({ sessionId: "00000000-0000-4000-8000-0000000000d1" });
    await queue.enqueue({ sessionId: "00000000-0000-4000-8000-0000000000d2", priority: "high" });
    queue.abandon();
    await storage.close();

    const listed = capture();
    expect(await runCli(["queue", "--json", "--data-dir", dataDir], { ...listed, env: {} }, [queueCommand, cancelCommand])).toBe(0);
    const report = JSON.parse(listed.out().trim()) as { counts: { waiting: number }; jobs: { id: string }[] };
    expect(report.counts.waiting).toBe(2);

    const cancelled = capture();
    expect(await runCli(["cancel", a.id.slice(0, 8), "--data-dir", dataDir], { ...cancelled, env: {} }, [queueCommand, cancelCommand])).toBe(0);
    expect(cancelled.out()).toContain("Cancelled");
    const after = capture();
    await runCli(["queue", "--json", "--data-dir", dataDir], { ...after, env: {} }, [queueCommand, cancelCommand]);
    expect((JSON.parse(after.out().trim()) as { counts: { waiting: number; cancelled: number } }).counts).toMatchObject({ waiting: 1, cancelled: 1 });
    const missing = capture();
    expect(await runCli(["cancel", "nope", "--data-dir", dataDir], { ...missing, env: {} }, [queueCommand, cancelCommand])).toBe(1);
    expect(ran).toBe(0);
  });
});
