import { describe, expect, it } from "vitest";
import { createFakeAi, type FaultKind, type FaultRule } from "../testing/fake-ai/index.ts";
import { addSession, createFixture, runUntil, settle, type Fixture } from "./fixtures.test-helpers.ts";
import type { EnrichmentOptions, JobRecord } from "./types.ts";

/**
 * The fault matrix: the real SDKs against the fake servers with one fault each.
 * Every case checks how many requests reached the server, how the job ended, and
 * that the ledger, the job's cost and the session's cost agree.
 */
const terminal = (fx: Fixture, jobId: string) => () => ["completed", "failed", "cancelled"].includes(fx.manager.getJobStatus(jobId)?.status ?? "");

async function ledgerOf(fx: Fixture, sessionId: string) {
  const month = new Date(fx.host.clock.now()).toISOString().slice(0, 7);
  return (await fx.manager.ledger.entries(month)).filter((entry) => entry.sessionId === sessionId);
}

async function expectLedgerAgrees(fx: Fixture, sessionId: string, jobs: readonly JobRecord[]): Promise<number> {
  const ledger = (await ledgerOf(fx, sessionId)).reduce((sum, entry) => sum + entry.costUsd, 0);
  const byJobs = jobs.reduce((sum, job) => sum + fx.manager.getJobStatus(job.id)!.cost.actualUsd, 0);
  expect(Math.abs(ledger - byJobs)).toBeLessThan(1e-9);
  expect(Math.abs(ledger - (fx.sessions.statuses.get(sessionId)?.totalCost ?? 0))).toBeLessThan(1e-9);
  return ledger;
}

const OPTIONS: EnrichmentOptions = { provider: "anthropic", allowBatch: false };
const SHAPE = { screenshots: 4, audio: 0, uniqueEvery: 1 };

/** Requests a clean run of the same session makes (the fault then adds its own). */
async function baseline(options: EnrichmentOptions = OPTIONS, shape = SHAPE): Promise<number> {
  const fx = await createFixture({ keys: ["anthropic", "openai"] });
  const session = addSession(fx.sessions, shape);
  const job = await fx.manager.enqueueSession(session.id, options);
  await runUntil(fx.host, terminal(fx, job.id));
  expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
  return fx.fake.requests.length;
}

async function runWith(rule: FaultRule, options: EnrichmentOptions = OPTIONS, shape = SHAPE, manager = {}) {
  const fx = await createFixture({ keys: ["anthropic", "openai"], manager });
  const session = addSession(fx.sessions, shape);
  fx.fake.inject(rule);
  const job = await fx.manager.enqueueSession(session.id, options);
  await runUntil(fx.host, terminal(fx, job.id), 24 * 3600_000, 1000);
  await settle(fx.host);
  expect(fx.fake.faultsHit[rule.kind]).toBe(rule.times ?? 1);
  return { fx, session, job: fx.manager.getJobStatus(job.id)! };
}

describe("fault matrix", () => {
  const recovered: [string, FaultRule][] = [
    ["429 with retry-after", { kind: "rate-limit", retryAfterSeconds: 30 }],
    ["500", { kind: "server-error" }],
    ["529 overloaded", { kind: "overloaded" }],
    ["malformed JSON", { kind: "malformed-json" }],
    ["a truncated body", { kind: "truncated" }],
    ["a connection reset", { kind: "connection-reset" }],
    ["a hung request", { kind: "timeout", delayMs: 3600_000 }],
    ["a schema-invalid answer, once", { kind: "invalid-output" }],
  ];
  for (const [name, rule] of recovered) {
    it(`recovers from ${name} with one more request and counts what was billed`, async () => {
      const clean = await baseline();
      const { fx, session, job } = await runWith(rule, OPTIONS, SHAPE, { callTimeoutMs: 300 });
      expect(job.status).toBe("completed");
      expect(fx.fake.requests).toHaveLength(clean + 1);
      const spent = await expectLedgerAgrees(fx, session.id, [job]);
      expect(spent).toBeGreaterThan(0);
      // A billed answer that failed validation is in the ledger all the same.
      const entries = await ledgerOf(fx, session.id);
      expect(entries).toHaveLength(rule.kind === "invalid-output" ? clean + 1 : clean);
    });
  }

  const refused: [string, FaultKind][] = [
    ["400", "bad-request"],
    ["401", "unauthorized"],
    ["a spent quota", "spend-limit"],
  ];
  for (const [name, kind] of refused) {
    it(`fails at once on ${name}, with one request and nothing billed`, async () => {
      const { fx, session, job } = await runWith({ kind });
      expect(job).toMatchObject({ status: "failed", lastError: { kind: "non-retryable" } });
      expect(fx.fake.requests).toHaveLength(1);
      expect(await expectLedgerAgrees(fx, session.id, [job])).toBe(0);
      expect(fx.sessions.statuses.get(session.id)?.status).toBe("failed");
    });
  }

  it("never stores or shows the key a 401 echoes back", async () => {
    const { fx, session, job } = await runWith({ kind: "unauthorized" });
    const key = "sk-ant-test-key-123456";
    expect(job.lastError?.message).toContain("invalid x-api-key");
    expect(JSON.stringify(job)).not.toContain(key);
    expect(JSON.stringify(fx.sessions.statuses.get(session.id))).not.toContain(key);
    expect(JSON.stringify(fx.host.events)).not.toContain(key);
    const stored = [...fx.store.data.values()].map((bytes) => new TextDecoder().decode(bytes)).join("\n");
    expect(stored).not.toContain(key);

    // A message stored unscrubbed (by an older version) is scrubbed when the queue opens.
    await fx.manager.queue.update(job.id, { lastError: { ...job.lastError!, message: `anthropic: 401 invalid x-api-key: ${key}` } });
    await fx.restart();
    expect(fx.manager.getJobStatus(job.id)?.lastError?.message).toBe("anthropic: 401 invalid x-api-key: [redacted-key]");
    await fx.manager.shutdown();
    expect([...fx.store.data.values()].map((bytes) => new TextDecoder().decode(bytes)).join("\n")).not.toContain(key);
  });

  it("asks a model that keeps answering invalidly at most three times, counts all three, and names the step", async () => {
    const { fx, session, job } = await runWith({ kind: "invalid-output", times: 3 });
    expect(job.status).toBe("failed");
    expect(job.lastError?.message).toContain("screenshots.analyse.0");
    expect(fx.fake.requests).toHaveLength(3);
    expect(await ledgerOf(fx, session.id)).toHaveLength(3);
    expect(await expectLedgerAgrees(fx, session.id, [job])).toBeGreaterThan(0);
  });

  it("gives up on a step whose answers keep arriving truncated after 4 attempts, naming it", async () => {
    const { fx, session, job } = await runWith({ kind: "truncated", times: 4 });
    expect(job.status).toBe("failed");
    expect(job.lastError?.message).toMatch(/step screenshots\.analyse\.0 failed 4 times/);
    expect(fx.fake.requests).toHaveLength(4);
    await expectLedgerAgrees(fx, session.id, [job]);
  });

  for (const kind of ["batch-errored", "batch-expired"] as const) {
    it(`keeps a batch's good entries and sends the ${kind === "batch-errored" ? "errored" : "expired"} one again on its own`, async () => {
      const options = { provider: "anthropic" as const, screenshotsPerRequest: 2 };
      const shape = { screenshots: 6, audio: 0, uniqueEvery: 1 };
      const clean = await baseline(options, shape);
      const { fx, session, job } = await runWith({ kind, path: "/v1/messages/batches" }, options, shape);
      expect(job.status).toBe("completed");
      const direct = fx.fake.requests.filter((request) => request.path === "/v1/messages" && request.images > 0);
      expect(direct).toHaveLength(1);
      expect(direct[0]!.images).toBe(2);
      expect(fx.fake.requests).toHaveLength(clean + 1);
      expect(fx.sessions.results.get(session.id)?.screenshots).toHaveLength(6);
      await expectLedgerAgrees(fx, session.id, [job]);
    });
  }

  for (const stepId of ["audio.transcribe.0", "audio.review", "screenshots.analyse.0", "chapters", "summary"]) {
    it(`a kill right after ${stepId} resumes without repeating a paid call`, async () => {
      const fx = await createFixture({ keys: ["anthropic", "openai"] });
      const session = addSession(fx.sessions, { screenshots: 6, audio: 2, uniqueEvery: 1 });
      const committed: string[] = [];
      let killed = false;
      const hook = (_jobId: string, id: string) => {
        committed.push(id);
        if (id === stepId && !killed) {
          killed = true;
          void fx.restart({ onStepCommitted: hook });
        }
      };
      await fx.restart({ onStepCommitted: hook });
      const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", transcriptionProvider: "openai", allowBatch: false });
      await runUntil(fx.host, () => killed && terminal(fx, job.id)(), 3600_000);
      expect(killed).toBe(true);
      expect(fx.manager.getJobStatus(job.id)?.status).toBe("completed");
      expect(new Set(committed).size).toBe(committed.length);
      const completed = fx.fake.requests.filter((request) => request.completed);
      const month = new Date(fx.host.clock.now()).toISOString().slice(0, 7);
      expect(await fx.manager.ledger.entries(month)).toHaveLength(completed.length);
      await expectLedgerAgrees(fx, session.id, [job]);
    });
  }

  it("five concurrent jobs against a budget that fits three: three complete, two stop at the cap, the budget holds", async () => {
    const fake = createFakeAi();
    const fx = await createFixture({ keys: ["anthropic", "openai"], fake });
    // Screenshots small enough to go as they are, so the estimate prices exactly what is sent.
    const sessions = Array.from({ length: 5 }, () => addSession(fx.sessions, { screenshots: 8, audio: 0, uniqueEvery: 1, size: [640, 400] }));
    const estimate = await fx.manager.estimate(sessions[0]!.id, OPTIONS);
    const budget = estimate.totalUsd * 3.5;
    fx.manager.configure({ defaults: { allowUnreadScreenshots: true }, monthlyBudgetUsd: budget });
    const jobs: JobRecord[] = [];
    for (const session of sessions) jobs.push(await fx.manager.enqueueSession(session.id, OPTIONS));
    await runUntil(fx.host, () => jobs.every((job) => terminal(fx, job.id)()));
    const final = jobs.map((job) => fx.manager.getJobStatus(job.id)!);
    expect(final.filter((job) => job.status === "completed")).toHaveLength(3);
    const stopped = final.filter((job) => job.status === "failed");
    expect(stopped).toHaveLength(2);
    for (const job of stopped) {
      expect(job).toMatchObject({ stage: "stopped-at-cap", lastError: { code: "enrichment.budget_exceeded" } });
      expect(job.cost.actualUsd).toBe(0);
    }
    const month = new Date(fx.host.clock.now()).toISOString().slice(0, 7);
    expect(await fx.manager.ledger.monthTotal(month)).toBeLessThanOrEqual(budget);
    for (const [index, session] of sessions.entries()) await expectLedgerAgrees(fx, session.id, [jobs[index]!]);
    expect(fx.manager.budget.reservedUsd()).toBe(0);
  });

  it("a session cap stops a job during the run when actual spend outgrows the estimate", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 16, audio: 0, uniqueEvery: 1, size: [640, 400] });
    const estimate = await fx.manager.estimate(session.id, OPTIONS);
    // The cap admits the estimate; then the first answers fail validation and are paid for twice over.
    fx.fake.inject({ kind: "invalid-output", times: 2 });
    await fx.restart({ onStepCommitted: (_jobId, stepId) => stepId === "screenshots.analyse.0" && fx.fake.inject({ kind: "invalid-output", times: 2 }) });
    const job = await fx.manager.enqueueSession(session.id, { ...OPTIONS, maxCost: estimate.totalUsd });
    await runUntil(fx.host, terminal(fx, job.id));
    const final = fx.manager.getJobStatus(job.id)!;
    expect(fx.fake.faultsHit["invalid-output"]).toBeGreaterThanOrEqual(3);
    expect(final).toMatchObject({ status: "failed", stage: "stopped-at-cap", lastError: { code: "enrichment.cost_exceeded" } });
    expect(fx.sessions.statuses.get(session.id)).toMatchObject({ status: "failed" });
    expect(fx.sessions.statuses.get(session.id)?.lastError).toContain("stopped at cap");
    expect(final.cost.actualUsd).toBeLessThanOrEqual(estimate.totalUsd + 1e-9);
    // The summary, the last call, was never sent.
    expect(fx.fake.requests.some((request) => request.bodyText.includes("report_summary"))).toBe(false);
    await expectLedgerAgrees(fx, session.id, [job]);
  });
});
