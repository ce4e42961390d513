import { describe, expect, it } from "vitest";
import { addSession, createFixture, runUntil } from "./fixtures.test-helpers.ts";

describe("enrichment lifecycle against the fake servers", () => {
  for (const provider of ["anthropic", "openai", "local"] as const) {
    it(`enriches a session end to end with the ${provider} provider`, async () => {
      const fx = await createFixture({ keys: provider === "local" ? [] : provider === "openai" ? ["openai"] : ["anthropic", "openai"] });
      if (provider === "local") {
        // On-device speech, as the Mac host offers it.
        Object.assign(fx.host, { speech: { transcribe: async () => [{ startMs: 0, endMs: 4000, text: "We need to fix the login timeout. I decided to keep the queue." }] } });
      }
      const session = addSession(fx.sessions, { screenshots: 40, audio: 2, markers: 2 });
      // Audio goes to OpenAI under Anthropic only because this job asks for it.
      const job = await fx.manager.enqueueSession(session.id, provider === "anthropic" ? { provider, transcriptionProvider: "openai" } : { provider });
      await runUntil(fx.host, () => ["completed", "failed"].includes(fx.manager.getJobStatus(job.id)!.status));
      const done = fx.manager.getJobStatus(job.id)!;
      expect(done.lastError).toBeUndefined();
      expect(done.status).toBe("completed");
      const results = fx.sessions.results.get(session.id)!;
      expect(results.provider).toBe(provider);
      expect(results.local).toBe(provider === "local");
      expect(results.chapters.length).toBeGreaterThan(0);
      expect(results.summary.tasks.length).toBeGreaterThan(0);
      for (const item of [...results.chapters, ...results.summary.tasks, ...results.summary.notes]) {
        expect(item.flagged).toBe(false);
        expect(item.evidence.length).toBeGreaterThan(0);
      }
      const events = fx.host.events.map((e) => e.method);
      expect(events).toContain("enrichment.job.enqueued");
      expect(events).toContain("enrichment.job.started");
      expect(events).toContain("enrichment.job.progress");
      expect(events).toContain("enrichment.job.completed");
      if (provider === "local") {
        expect(fx.fake.requests).toHaveLength(0);
        expect(done.cost.actualUsd).toBe(0);
      } else {
        expect(fx.fake.requests.length).toBeGreaterThan(0);
        expect(done.cost.actualUsd).toBeGreaterThan(0);
        const month = new Date(fx.host.clock.now()).toISOString().slice(0, 7);
        const entries = await fx.manager.ledger.entries(month);
        const served = fx.fake.requests.filter((r) => r.completed);
        expect(entries.reduce((s, e) => s + e.usage.inputTokens, 0)).toBe(served.reduce((s, r) => s + r.inputTokens, 0));
        expect(entries.reduce((s, e) => s + e.usage.outputTokens, 0)).toBe(served.reduce((s, r) => s + r.outputTokens, 0));
        expect(Math.abs(entries.reduce((s, e) => s + e.costUsd, 0) - done.cost.actualUsd)).toBeLessThan(1e-9);
        // Only non-duplicate screenshots were sent.
        const images = fx.fake.requests.reduce((sum, r) => sum + r.images, 0);
        expect(images).toBe(session.screenshots.filter((s) => !s.isDuplicate).length);
      }
      expect(fx.sessions.statuses.get(session.id)?.status).toBe("completed");
    });
  }

  it("uses Message Batches for bulk screenshots with anthropic", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 60, audio: 0 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic" });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)!.status === "completed");
    expect(fx.fake.requests.some((r) => r.path === "/v1/messages/batches")).toBe(true);
  });

  it("flags items whose evidence does not resolve", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 6, audio: 1 });
    fx.fake.inject({ kind: "bad-evidence", path: "/v1/messages", times: 10 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", allowBatch: false });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)!.status === "completed");
    const results = fx.sessions.results.get(session.id)!;
    expect(fx.fake.faultsHit["bad-evidence"]).toBeGreaterThan(0);
    expect(results.flagged).toBeGreaterThan(0);
    expect(results.chapters[0]!.flagged).toBe(true);
  });

  it("refuses a session over its cost cap before any request reaches the server", async () => {
    const fx = await createFixture({ keys: ["anthropic", "openai"] });
    const session = addSession(fx.sessions, { screenshots: 200, audio: 4, audioSeconds: 60 });
    await expect(fx.manager.enqueueSession(session.id, { provider: "anthropic", maxCost: 0.0001 })).rejects.toMatchObject({ code: "enrichment.cost_exceeded" });
    expect(fx.fake.requests).toHaveLength(0);
    // Also when the cap sits on a job that was queued before the cap was checked.
    const job = await fx.manager.queue.enqueue({ sessionId: session.id, options: { provider: "anthropic", maxCost: 0.0001 } });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)!.status === "failed");
    expect(fx.manager.getJobStatus(job.id)!.lastError?.code).toBe("enrichment.cost_exceeded");
    expect(fx.fake.requests).toHaveLength(0);
  });

  it("redacts secrets before the cloud call and counts them", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0, markers: 1 });
    fx.sessions.sessions.set(session.id, { ...session, markers: [{ ref: "m", t: 1000, label: "key sk-ant-abcdefgh12345678 and https://bob:hunter22@example.com and 4111 1111 1111 1111" }] });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic" });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)!.status === "completed");
    const sent = fx.fake.requests.map((r) => r.bodyText).join("\n");
    expect(sent).not.toContain("sk-ant-abcdefgh12345678");
    expect(sent).not.toContain("hunter22");
    expect(sent).not.toContain("4111 1111 1111 1111");
    expect(sent).toContain("[redacted-key]");
    expect(fx.manager.getJobStatus(job.id)!.redactions).toBeGreaterThanOrEqual(3);
  });

  it("takes the options of a repeated request for a session still waiting, and survives a failing media stage", async () => {
    const fx = await createFixture({ keys: ["anthropic"], manager: { maxActive: 0, processMedia: async () => { throw new Error("disk on fire"); } } });
    const session = addSession(fx.sessions, { screenshots: 2, audio: 0 });
    const first = await fx.manager.enqueueSession(session.id);
    const second = await fx.manager.enqueueSession(session.id, { provider: "local", priority: "high" });
    expect(second.id).toBe(first.id);
    expect(second.options.provider).toBe("local");
    expect(second.priority).toBe("high");
    let mediaFailures = 0;
    const manager = await fx.restart({ maxActive: 5, processMedia: async () => { mediaFailures++; throw new Error("disk on fire"); } });
    await runUntil(fx.host, () => manager.getJobStatus(first.id)?.status === "completed");
    expect(fx.fake.requests).toHaveLength(0);
    expect(fx.sessions.results.get(session.id)?.local).toBe(true);
    expect(mediaFailures).toBe(1);
  });

  it("keeps screenshots local when asked", async () => {
    const fx = await createFixture({ keys: ["anthropic"] });
    const session = addSession(fx.sessions, { screenshots: 10, audio: 0 });
    const job = await fx.manager.enqueueSession(session.id, { provider: "anthropic", keepScreenshotsLocal: true });
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)!.status === "completed");
    expect(fx.fake.requests.reduce((sum, r) => sum + r.images, 0)).toBe(0);
    expect(fx.fake.requests.length).toBeGreaterThan(0);
  });
});
