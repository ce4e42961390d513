import { describe, expect, it } from "vitest";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { addSession, createFixture, runUntil, settle } from "./fixtures.test-helpers.ts";
import type { JobRecord } from "./types.ts";

describe("restart recovery", () => {
  it("resumes a crashed saga from its checkpoints without repeating a completed provider call", async () => {
    const committed: string[] = [];
    let crashed = false;
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 8, audio: 3 });
    const hook = (_jobId: string, stepId: string) => {
      committed.push(stepId);
      if (stepId === "audio.review" && !crashed) {
        crashed = true;
        // The process dies right after this checkpoint reached the store.
        void fx.restart({ onStepCommitted: hook });
      }
    };
    await fx.restart({ onStepCommitted: hook });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", transcriptionProvider: "openai", allowBatch: false });
    await runUntil(fx.host, () => crashed && fx.manager.getJobStatus(job.id)?.status === "completed", 3600_000);
    expect(crashed).toBe(true);
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    // Each provider step committed exactly once across both processes.
    expect(new Set(committed).size).toBe(committed.length);
    // The server saw one transcription per audio segment and one audio review, not two.
    expect(fx.fake.requests.filter((r) => r.path === "/v1/audio/transcriptions")).toHaveLength(3);
    const reviews = fx.fake.requests.filter((r) => r.bodyText.includes("List the topics of the transcript"));
    expect(reviews).toHaveLength(1);
    expect(fx.sessions.results.get(session.id)?.chapters.length).toBeGreaterThan(0);
    // Checkpoints are cleaned up once the job is done.
    expect([...fx.store.data.keys()].filter((k) => k.startsWith(`checkpoints/${job.id}/`))).toHaveLength(0);
  });

  it("a crash while the queue records a finished job repeats no provider call", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 6, audio: 2 });
    let crashedAtCompletion = false;
    // The process dies in the very write that records the job completed (jobs/ shards).
    const armCrash = () => {
      const store = fx.store;
      const putJson = store.putJson.bind(store);
      store.putJson = async (key, value, options) => {
        if (!crashedAtCompletion && key.startsWith("jobs/") && JSON.stringify(value).includes('"status":"completed"')) {
          crashedAtCompletion = true;
          await fx.restart();
          return new Promise<never>(() => undefined);
        }
        return putJson(key, value, options);
      };
    };
    armCrash();
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => crashedAtCompletion, 3600_000);
    const before = fx.fake.requests.length;
    expect(before).toBeGreaterThan(0);
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "completed", 3600_000);
    // Resumed from its checkpoints: every step replays, none is paid for again.
    expect(fx.fake.requests.length).toBe(before);
    await settle(fx.host);
    expect([...fx.store.data.keys()].filter((k) => k.startsWith(`checkpoints/${job.id}/`))).toHaveLength(0);
  });

  it("takes over a session lock left by a job that has finished", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    const first = await fx.manager.enqueueSession(session.id, { provider: "local" });
    await fx.manager.cancelJob(first.id);
    // As if the cancelled job's process had died holding the lock, with its lease far ahead.
    await fx.store.putJson(`locks/${session.id}.json`, { jobId: first.id, expiresAt: fx.host.clock.now() + 15 * 60_000 });
    const second = await fx.manager.enqueueSession(session.id, { provider: "local" });
    const started = fx.host.clock.now();
    await runUntil(fx.host, () => fx.manager.getJobStatus(second.id)?.status === "completed", 3600_000);
    expect(fx.host.clock.now() - started).toBeLessThan(60_000);
  });

  it("ends a poison-pill job failed after at most 2 restarts", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    let restarts = 0;
    const onStart = (job: JobRecord) => {
      if (job.sessionId !== session.id) return;
      restarts++;
      // Every start of this job takes the process down.
      void fx.restart({ onStart });
    };
    await fx.restart({ onStart });
    restarts = 0;
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic" });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "failed", 3600_000);
    const final = fx.manager.getJobStatus(job.id)!;
    expect(final.status).toBe("failed");
    expect(final.lastError?.kind).toBe("poison");
    expect(restarts).toBeLessThanOrEqual(2);
    expect(restarts).toBeGreaterThan(0);
    expect(fx.host.events.some((e) => e.method === "enrichment.job.failed")).toBe(true);
  });

  it("returns an active job with an expired lease to waiting on launch", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    fx.fake.inject({ kind: "timeout", delayMs: 3_600_000 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => fx.fake.faultsHit.timeout > 0, 60_000, 100);
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("active");
    await fx.host.time!.advance(120_000);
    await fx.restart();
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "completed", 3600_000);
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
  });
});

describe("leases and locks", () => {
  it("renews the lease and the session lock while a long step runs", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    fx.fake.inject({ kind: "timeout", delayMs: 3_600_000, path: "/v1/messages" });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => fx.fake.faultsHit.timeout > 0, 60_000, 100);
    const firstLease = fx.manager.getJobStatus(job.id)!.leaseExpiresAt!;
    await fx.host.time!.advance(5 * 60_000);
    await settle(fx.host);
    const lease = fx.manager.getJobStatus(job.id)!.leaseExpiresAt!;
    expect(lease).toBeGreaterThan(firstLease + 4 * 60_000);
    expect(lease).toBeGreaterThan(fx.host.clock.now());
    const lock = await fx.store.getJson(`locks/${session.id}.json`, { parse: (v) => v as { jobId: string; expiresAt: number } });
    expect(lock?.jobId).toBe(job.id);
    expect(lock!.expiresAt).toBeGreaterThan(fx.host.clock.now());
    await fx.manager.cancelJob(job.id);
    expect(await fx.store.getJson(`locks/${session.id}.json`, { parse: (v) => v })).toBeUndefined();
  });
});

describe("cancellation", () => {
  it("stops the running step through its abort signal", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 4, audio: 0 });
    fx.fake.inject({ kind: "timeout", delayMs: 3_600_000, path: "/v1/messages" });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => fx.fake.faultsHit.timeout > 0, 60_000, 100);
    expect(fx.manager.getJobStatus(job.id)?.stage).toBe("screenshots");
    const cancelled = await fx.manager.cancelJob(job.id);
    expect(cancelled.status).toBe("cancelled");
    expect(fx.host.events.some((e) => e.method === "enrichment.job.cancelled")).toBe(true);
    expect(fx.sessions.results.has(session.id)).toBe(false);
    // The lock is released: the session can be enriched again.
    const again = await fx.manager.retryJob(job.id);
    await runUntil(fx.host, () => fx.manager.getJobStatus(again.id)?.status === "completed", 3600_000);
    expect(fx.manager.getJobStatus(again.id)?.status).toBe("completed");
  });
});

describe("error classification in the queue", () => {
  it("never retries a spend-limit 429 and fails with the provider's reason", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    fx.fake.inject({ kind: "spend-limit", times: 100 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "failed", 24 * 3600_000);
    const final = fx.manager.getJobStatus(job.id)!;
    expect(final.lastError?.kind).toBe("non-retryable");
    expect(final.lastError?.message).toMatch(/usage limits/);
    expect(final.attempts).toBe(0);
    expect(fx.fake.faultsHit["spend-limit"]).toBe(1);
    expect(fx.fake.requests).toHaveLength(1);
  });

  it("waits what a 429 asked and backs off 529/500 before completing", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    fx.fake.inject({ kind: "rate-limit", retryAfterSeconds: 30 });
    fx.fake.inject({ kind: "overloaded" });
    fx.fake.inject({ kind: "server-error" });
    fx.fake.inject({ kind: "malformed-json" });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    const used = await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "completed", 3600_000, 500);
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    expect(fx.fake.faultsHit).toMatchObject({ "rate-limit": 1, overloaded: 1, "server-error": 1, "malformed-json": 1 });
    expect(fx.manager.getJobStatus(job.id)?.attempts).toBe(4);
    expect(used).toBeGreaterThanOrEqual(30_000);
  });

  it("rides out an outage of hours and still completes within 24 h", async () => {
    const fake = createFakeAi();
    const fx = await createFixture({ keys: ["anthropic"], fake });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    fake.inject({ kind: "overloaded", times: 30 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    const used = await runUntil(fx.host, () => ["completed", "failed"].includes(fx.manager.getJobStatus(job.id)!.status), 24 * 3600_000, 60_000);
    await settle(fx.host);
    expect(fake.faultsHit.overloaded).toBe(30);
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    expect(used).toBeGreaterThan(3 * 3600_000);
    expect(used).toBeLessThan(24 * 3600_000);
  });
});
