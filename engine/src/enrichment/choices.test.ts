import { describe, expect, it } from "vitest";
import { addSession, createFixture, runUntil, type Fixture } from "./fixtures.test-helpers.ts";
import { BackgroundEnrichmentManager } from "./manager.ts";
import type { JobRecord } from "./types.ts";

const done = (fx: Fixture, jobId: string) => () => ["completed", "failed", "cancelled"].includes(fx.manager.getJobStatus(jobId)?.status ?? "");

/** The ledger, the job records and the session all say the same amount. */
async function expectLedgerAgrees(fx: Fixture, sessionId: string, jobs: readonly JobRecord[]): Promise<number> {
  const month = new Date(fx.host.clock.now()).toISOString().slice(0, 7);
  const entries = (await fx.manager.ledger.entries(month)).filter((entry) => entry.sessionId === sessionId);
  const ledger = entries.reduce((sum, entry) => sum + entry.costUsd, 0);
  const byJobs = jobs.reduce((sum, job) => sum + fx.manager.getJobStatus(job.id)!.cost.actualUsd, 0);
  expect(Math.abs(ledger - byJobs)).toBeLessThan(1e-9);
  expect(Math.abs(ledger - (fx.sessions.statuses.get(sessionId)?.totalCost ?? 0))).toBeLessThan(1e-9);
  expect(Math.abs(ledger - (await fx.manager.ledger.sessionTotal(sessionId)))).toBeLessThan(1e-9);
  return ledger;
}

describe("the user's explicit choice wins", () => {
  it("--provider local replaces a running background job and makes zero requests, though both keys are set", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    fx.manager.configure({ defaults: { provider: "anthropic" }, monthlyBudgetUsd: undefined });
    const session = addSession(fx.sessions, { screenshots: 12, audio: 2 });
    const queued = await fx.manager.enqueueSession(session.id, { origin: "background" });
    expect(queued.options.provider).toBe("anthropic");
    expect(fx.manager.getJobStatus(queued.id)?.status).toBe("active");
    const job = await fx.manager.enqueueSession(session.id, { provider: "local" });
    expect(job.id).toBe(queued.id);
    expect(job.options.provider).toBe("local");
    await runUntil(fx.host, done(fx, job.id));
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    expect(fx.fake.requests).toHaveLength(0);
    expect(fx.sessions.results.get(session.id)?.local).toBe(true);
  });

  it("--provider local from another process (stint enrich while the app runs the job) makes zero requests", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    // The app's engine: its job waits in the media stage until the command has spoken.
    const fx = await createFixture({ keys: ["anthropic", "openai"], manager: { processMedia: async () => (await gate, { status: "skipped" as const }) } });
    const session = addSession(fx.sessions, { screenshots: 8, audio: 2 });
    const running = await fx.manager.enqueueSession(session.id, { provider: "anthropic" });
    await runUntil(fx.host, () => fx.manager.getJobStatus(running.id)?.stage === "media", 60_000, 100);
    // The command's engine, over the same data, runs nothing itself.
    const command = new BackgroundEnrichmentManager({ host: fx.host, store: fx.store.reopen(), sessions: fx.sessions, emit: () => {}, fetch: fx.fake.fetch, maxActive: 0, defaults: { allowUnreadScreenshots: true } });
    await command.initialize();
    expect(command.getJobStatus(running.id)?.status).toBe("active");
    const asked = await command.enqueueSession(session.id, { provider: "local" });
    expect(asked).toMatchObject({ id: running.id, options: { provider: "local" } });
    release();
    await runUntil(fx.host, done(fx, running.id));
    expect(fx.manager.getJobStatus(running.id)).toMatchObject({ status: "completed", options: { provider: "local" } });
    expect(fx.fake.requests).toHaveLength(0);
    expect(fx.sessions.results.get(session.id)?.local).toBe(true);
    expect([...fx.store.data.keys()].filter((key) => key.startsWith("requests/"))).toEqual([]);
  });

  it("--provider local replaces a job still waiting in line before it sends anything", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"], manager: { maxActive: 1 } });
    const first = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    const second = addSession(fx.sessions, { screenshots: 6, audio: 1 });
    const busy = await fx.manager.enqueueSession(first.id, { provider: "local" });
    const waiting = await fx.manager.enqueueSession(second.id, { provider: "anthropic" });
    expect(fx.manager.getJobStatus(waiting.id)?.status).toBe("waiting");
    const replaced = await fx.manager.enqueueSession(second.id, { provider: "local" });
    expect(replaced.id).toBe(waiting.id);
    await runUntil(fx.host, () => done(fx, busy.id)() && done(fx, waiting.id)());
    expect(fx.manager.getJobStatus(waiting.id)?.status).toBe("completed");
    expect(fx.fake.requests).toHaveLength(0);
  });

  it("--keep-screenshots-local sends zero images from a job that was already running", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 12, audio: 0 });
    const queued = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false, keepScreenshotsLocal: true });
    expect(job.id).toBe(queued.id);
    await runUntil(fx.host, done(fx, job.id));
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    expect(fx.fake.requests.length).toBeGreaterThan(0);
    expect(fx.fake.requests.reduce((sum, request) => sum + request.images, 0)).toBe(0);
    expect(fx.fake.requests.some((request) => request.bodyText.includes("base64"))).toBe(false);
  });

  it("background enrichment uses the saved settings only: a key in the environment picks nothing", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 4, audio: 1 });
    const job = await fx.manager.enqueueSession(session.id, { origin: "background" });
    expect(job.options.provider).toBe("local");
    await runUntil(fx.host, done(fx, job.id));
    expect(fx.fake.requests).toHaveLength(0);

    fx.manager.configure({ defaults: { provider: "openai" }, monthlyBudgetUsd: undefined });
    const other = addSession(fx.sessions, { screenshots: 4, audio: 1 });
    const saved = await fx.manager.enqueueSession(other.id, { origin: "background" });
    expect(saved.options.provider).toBe("openai");
    // A background request never overrides what the user asked for.
    const again = await fx.manager.enqueueSession(other.id, { origin: "background", provider: "anthropic" });
    expect(again.options.provider).toBe("openai");
  });

  it("a request that names no provider keeps the running job's: a key in the environment reroutes nothing", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 4, audio: 1 });
    const background = await fx.manager.enqueueSession(session.id, { origin: "background" });
    const again = await fx.manager.enqueueSession(session.id, { priority: "high" });
    expect(again).toMatchObject({ id: background.id, options: { provider: "local" } });
    await runUntil(fx.host, done(fx, background.id));
    expect(fx.fake.requests).toHaveLength(0);
  });

  it("with both keys set, --provider anthropic sends no audio to OpenAI unless that stage is given to it", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 4, audio: 2 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, done(fx, job.id));
    expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
    expect(fx.fake.requests.filter((request) => request.api === "openai")).toHaveLength(0);
    expect(fx.fake.requests.length).toBeGreaterThan(0);
  });
});

describe("resume, never repay", () => {
  async function failAtSummary(fx: Fixture, sessionId: string) {
    let armed = true;
    await fx.restart({
      onStepCommitted: (_jobId, stepId) => {
        if (stepId === "chapters" && armed) {
          armed = false;
          fx.fake.inject({ kind: "bad-request" });
        }
      },
    });
    const job = await fx.manager.enqueueSession(sessionId, { provider: "anthropic", transcriptionProvider: "openai", allowBatch: false });
    await runUntil(fx.host, done(fx, job.id));
    expect(fx.fake.faultsHit["bad-request"]).toBe(1);
    expect(fx.manager.getJobStatus(job.id)).toMatchObject({ status: "failed", lastError: { kind: "non-retryable" } });
    return job;
  }

  it("stint enrich after a 400 resumes the failed job and repeats no completed step", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 10, audio: 3 });
    const failed = await failAtSummary(fx, session.id);
    const before = fx.fake.requests.length;
    const spentBefore = await expectLedgerAgrees(fx, session.id, [failed]);
    expect(spentBefore).toBeGreaterThan(0);

    const rerun = await fx.manager.enqueueSession(session.id, { provider: "anthropic", transcriptionProvider: "openai", allowBatch: false });
    expect(rerun.id).toBe(failed.id);
    await runUntil(fx.host, done(fx, rerun.id));
    expect(fx.manager.getJobStatus(rerun.id)?.status).toBe("completed");
    // Only the summary was asked again.
    expect(fx.fake.requests.slice(before).map((request) => request.path)).toEqual(["/v1/messages"]);
    expect(await expectLedgerAgrees(fx, session.id, [rerun])).toBeGreaterThan(spentBefore);
  });

  it("a new job with other options adopts the completed steps still valid for them; retry resumes its own", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 10, audio: 3 });
    const failed = await failAtSummary(fx, session.id);
    const before = fx.fake.requests.length;
    // A cap changes no step's input: every completed step carries over.
    const capped = await fx.manager.enqueueSession(session.id, { provider: "anthropic", transcriptionProvider: "openai", allowBatch: false, maxCost: 5 });
    expect(capped.id).not.toBe(failed.id);
    await runUntil(fx.host, done(fx, capped.id));
    expect(fx.manager.getJobStatus(capped.id)?.status).toBe("completed");
    expect(fx.fake.requests.slice(before).map((request) => request.path)).toEqual(["/v1/messages"]);
    await expectLedgerAgrees(fx, session.id, [failed, capped]);
  });

  it("enrichment.retry resumes a failed job from its checkpoints", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 6, audio: 2 });
    const failed = await failAtSummary(fx, session.id);
    const before = fx.fake.requests.length;
    const retried = await fx.manager.retryJob(failed.id);
    expect(retried).toMatchObject({ id: failed.id, status: "waiting" });
    await runUntil(fx.host, done(fx, failed.id));
    expect(fx.manager.getJobStatus(failed.id)?.status).toBe("completed");
    expect(fx.fake.requests.length - before).toBe(1);
    await expectLedgerAgrees(fx, session.id, [failed]);
  });
});
