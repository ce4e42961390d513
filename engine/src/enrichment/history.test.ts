import { describe, expect, it } from "vitest";
import { createFakeAi } from "../testing/fake-ai/index.ts";
import { addSession, createFixture, runUntil } from "./fixtures.test-helpers.ts";
import { MAX_ACTIVE_JOBS } from "./queue.ts";

/**
 * The queue history checker: 1,000 jobs against the fake Anthropic API with
 * 5% transient faults, on the simulated clock. Checks the recorded history:
 * nothing lost, no completed step performed twice, never more than five
 * jobs at once, HTTP attempts within the bound, and completion within 24 h.
 */
describe("queue history checker", () => {
  it("runs 1,000 jobs with 5% transient faults", async () => {
    const JOBS = 1000;
    const fake = createFakeAi({ randomFaultRate: 0.05, randomFaultKinds: ["rate-limit", "overloaded", "server-error", "malformed-json"], seed: 99 });
    const commits = new Map<string, number>();
    let active = 0;
    let maxActive = 0;
    const fx = await createFixture({
      keys: ["anthropic"],
      fake,
      manager: { onStepCommitted: (jobId, stepId) => commits.set(`${jobId}/${stepId}`, (commits.get(`${jobId}/${stepId}`) ?? 0) + 1) },
    });
    const off = (method: string, params: { retryInMs?: number }) => {
      if (method === "enrichment.job.started") active++;
      if (method === "enrichment.job.completed" || method === "enrichment.job.failed" || method === "enrichment.job.cancelled" || (method === "enrichment.job.progress" && params.retryInMs !== undefined)) active--;
      maxActive = Math.max(maxActive, active);
    };
    const emit = fx.host.emit;
    (fx.host as { emit: typeof emit }).emit = (event) => {
      off(event.method, event.params as { retryInMs?: number });
      emit(event);
    };
    // One spend-limit 429 somewhere in the run: that job must fail at once, never retried.
    fake.inject({ kind: "spend-limit", times: 1, path: "/v1/messages" });
    const ids: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const session = addSession(fx.sessions, { screenshots: 3, audio: 0, markers: 1, uniqueEvery: 1 });
      const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false, screenshotsPerRequest: 8 }, );
      ids.push(job.id);
    }
    const terminal = () => ids.every((id) => ["completed", "failed", "cancelled"].includes(fx.manager.getJobStatus(id)!.status));
    const used = await runUntil(fx.host, terminal, 24 * 3600_000, 1000);
    const jobs = ids.map((id) => fx.manager.getJobStatus(id)!);
    const completed = jobs.filter((job) => job.status === "completed").length;
    const faults = Object.values(fake.faultsHit).reduce((a, b) => a + b, 0);
    console.log(`history: jobs=${JOBS} completed=${completed} faults=${JSON.stringify(fake.faultsHit)} http=${fake.requests.length} maxActive=${maxActive} simulatedMs=${used}`);
    // The faults were really injected.
    expect(faults).toBeGreaterThan(JOBS * 3 * 0.03);
    // Lost jobs: none (every job reached an end state and is persisted).
    expect(jobs.every((job) => job !== undefined)).toBe(true);
    const persisted = new Set<string>();
    for (const key of await fx.store.list("jobs/")) for (const job of (await fx.store.getJson(key, { parse: (v) => v as { jobs: { id: string; status: string }[] } }))!.jobs) if (job.status === "completed") persisted.add(job.id);
    expect(persisted.size).toBe(completed);
    // Duplicated completed steps: none.
    expect([...commits.values()].every((n) => n === 1)).toBe(true);
    const providerSteps = [...commits.keys()].filter((key) => /\/(screenshots\.|chapters$|summary$)/.test(key)).length;
    // Completed jobs made three provider steps each; the spend-limited one none.
    expect(providerSteps).toBe(completed * 3);
    // Concurrency never above five.
    expect(maxActive).toBeLessThanOrEqual(MAX_ACTIVE_JOBS);
    expect(maxActive).toBeGreaterThan(1);
    // HTTP attempts: one per committed step plus one per injected fault, no more.
    expect(fake.requests.length).toBe(providerSteps + faults);
    // The spend-limit 429 was hit once and its job failed without a retry.
    expect(fake.faultsHit["spend-limit"]).toBe(1);
    const spent = jobs.filter((job) => job.status === "failed");
    expect(spent).toHaveLength(1);
    expect(spent[0]!.lastError).toMatchObject({ kind: "non-retryable" });
    expect(spent[0]!.attempts).toBe(0);
    // At least 99.9% completed within simulated 24 h.
    expect(completed / JOBS).toBeGreaterThanOrEqual(0.999);
    expect(used).toBeLessThan(24 * 3600_000);
    // Per job, attempts never exceed the faults it could have met.
    expect(jobs.reduce((sum, job) => sum + job.attempts, 0)).toBe(faults - 1);
  }, 300_000);
});
