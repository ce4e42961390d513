import { describe, expect, it } from "vitest";
import { EngineError, NonRetriableError, RetryAfterError } from "../bridge/index.ts";
import { estimateCost } from "./cost/estimate.ts";
import { costOf, priceOf } from "./cost/prices.ts";
import { checkEvidence } from "./evidence.ts";
import { resolvePlan } from "./plan.ts";
import { redact } from "./redaction.ts";
import { backoffDelay, BACKOFF_CAP_MS, classifyFailure, decideRetry, decideStepRetry, parseRetryAfter, RETRY_HORIZON_MS } from "./retry-policy.ts";
import { addSession, createFixture, runUntil } from "./fixtures.test-helpers.ts";

describe("error classification", () => {
  const now = 1_000_000;
  it("fails 400/401/403 and a spend-limit 429 at once, waits a 429's retry-after, backs off 529/5xx/network", () => {
    for (const status of [400, 401, 403, 404, 422]) expect(classifyFailure({ provider: "p", status, message: "bad" }, now)).toBeInstanceOf(NonRetriableError);
    expect(classifyFailure({ provider: "p", status: 429, errorType: "insufficient_quota", message: "quota" }, now)).toBeInstanceOf(NonRetriableError);
    const wait = classifyFailure({ provider: "p", status: 429, retryAfterHeader: "12", message: "slow down" }, now);
    expect(wait).toBeInstanceOf(RetryAfterError);
    expect((wait as RetryAfterError).retryAfterMs).toBe(12_000);
    for (const status of [500, 502, 503, 529]) expect(classifyFailure({ provider: "p", status, message: "x" }, now).retryable).toBe(true);
    expect(classifyFailure({ provider: "p", message: "x", network: "timeout" }, now).retryable).toBe(true);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBeGreaterThan(3000);
  });

  it("backs off 0, 1, 2, 4 s, then longer with jitter up to the cap, giving up after 24 h", () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 0.5))).toEqual([0, 1000, 2000, 4000]);
    const fifth = [0, 0.5, 1].map((r) => backoffDelay(5, r));
    expect(fifth[0]).toBeLessThan(fifth[2]!);
    expect(fifth.every((d) => d >= 4000 && d <= 8000)).toBe(true);
    expect(backoffDelay(40, 1)).toBeLessThanOrEqual(BACKOFF_CAP_MS);
    const retryable = new EngineError("enrichment.provider_unavailable", "down", { retryable: true });
    expect(decideRetry(retryable, 30, 0.5, now, RETRY_HORIZON_MS - 1000).retry).toBe(false);
    expect(decideRetry(retryable, 30, 0.5, now, 3600_000).retry).toBe(true);
    expect(decideRetry(new NonRetriableError("enrichment.provider_error", "no"), 1, 0.5, now, 0)).toMatchObject({ retry: false, error: { kind: "non-retryable" } });
  });
});

describe("retries bounded per step", () => {
  const now = 1_000_000;
  const same = (text: string) => text;
  it("fails the job naming the step after 4 possibly billed failures of it, or 40 unbilled ones", () => {
    const invalid = new EngineError("enrichment.invalid_response", "bad answer", { retryable: true });
    let job = { attempts: 0, failingStep: undefined as ReturnType<typeof decideStepRetry>["failingStep"], ageMs: 0 };
    const outcomes: boolean[] = [];
    for (let i = 0; i < 4; i++) {
      const decision = decideStepRetry(invalid, job, "summary", 0.5, now, same);
      outcomes.push(decision.retry);
      job = { attempts: job.attempts + 1, failingStep: decision.failingStep, ageMs: 0 };
      if (!decision.retry) expect(decision.error).toMatchObject({ kind: "non-retryable", message: "step summary failed 4 times; last error: bad answer" });
    }
    expect(outcomes).toEqual([true, true, true, false]);
    // Another step starts its own count.
    expect(decideStepRetry(invalid, job, "chapters", 0.5, now, same)).toMatchObject({ retry: true, failingStep: { id: "chapters", attempts: 1 } });
    const overloaded = new EngineError("enrichment.provider_unavailable", "529", { retryable: true, data: { status: 529 } });
    const unbilled = decideStepRetry(overloaded, { attempts: 38, failingStep: { id: "summary", attempts: 39, billable: 0 }, ageMs: 3600_000 }, "summary", 0.5, now, same);
    expect(unbilled).toMatchObject({ retry: false, failingStep: { attempts: 40, billable: 0 } });
    expect(decideStepRetry(overloaded, { attempts: 5, failingStep: { id: "summary", attempts: 5, billable: 0 }, ageMs: 0 }, "summary", 0.5, now, same).retry).toBe(true);
    expect(decideStepRetry(new EngineError("enrichment.provider_unavailable", "key sk-ant-abcdefgh12345", { retryable: true }), job, "x", 0.5, now, () => "scrubbed").error.message).toBe("scrubbed");
  });
});

describe("redaction", () => {
  it("replaces keys, tokens, URL passwords and card numbers, and counts them", () => {
    const text = "key sk-ant-api03-abcdefghijklmnop, ghp_abcdefghijklmnopqrstuv, Bearer abcdefghijklmnopqrstuvwxyz, postgres://admin:s3cret@db.local/x, card 4111-1111-1111-1111, password=hunter2hunter";
    const result = redact(text, { emails: false });
    for (const secret of ["sk-ant-api03", "ghp_abc", "abcdefghijklmnopqrstuvwxyz", "s3cret", "4111-1111-1111-1111", "hunter2hunter"]) expect(result.text).not.toContain(secret);
    expect(result.count).toBe(6);
    expect(result.text).toContain("postgres://admin:[redacted]@db.local/x");
  });

  it("keeps numbers that are not card numbers and redacts emails only when asked", () => {
    expect(redact("order 1234 5678 9012 3456 shipped", { emails: false }).count).toBe(0);
    expect(redact("mail maria@example.com", { emails: false }).count).toBe(0);
    expect(redact("mail maria@example.com", { emails: true })).toEqual({ text: "mail [redacted-email]", count: 1 });
  });
});

describe("evidence checks", () => {
  const timeline = { durationMs: 60_000, screenshots: new Map([["3", 15_000]]), audio: new Map([["0", { tStart: 0, tEnd: 30_000 }]]), markers: new Map([["m", 40_000]]) };
  it("snaps resolvable evidence to the timeline and flags the rest", () => {
    const ok = checkEvidence({ text: "a", evidence: [{ tStart: 14_000, tEnd: 16_000, kind: "screenshot" as const, ref: "3" }] }, timeline);
    expect(ok).toMatchObject({ flagged: false, evidence: [{ tStart: 15_000, tEnd: 15_000 }] });
    const ghost = checkEvidence({ text: "b", evidence: [{ tStart: 0, tEnd: 1, kind: "audio" as const, ref: "9" }] }, timeline);
    expect(ghost.flagged).toBe(true);
    const wrongTime = checkEvidence({ text: "c", evidence: [{ tStart: 50_000, tEnd: 55_000, kind: "marker" as const, ref: "m" }] }, timeline);
    expect(wrongTime.flagged).toBe(true);
    expect(checkEvidence({ text: "d", evidence: [] }, timeline).flagged).toBe(true);
  });
});

describe("cost", () => {
  it("prices usage from the one table, batches at half price, local free", () => {
    expect(costOf({ provider: "anthropic", model: "claude-haiku-4-5", inputTokens: 1_000_000, outputTokens: 0, audioSeconds: 0, images: 0, batch: false })).toBeCloseTo(1, 6);
    expect(costOf({ provider: "anthropic", model: "claude-haiku-4-5", inputTokens: 1_000_000, outputTokens: 0, audioSeconds: 0, images: 0, batch: true })).toBeCloseTo(0.5, 6);
    expect(costOf({ provider: "openai", model: "whisper-1", inputTokens: 0, outputTokens: 0, audioSeconds: 600, images: 0, batch: false })).toBeCloseTo(0.06, 6);
    expect(costOf({ provider: "local", model: "local", inputTokens: 9e9, outputTokens: 9e9, audioSeconds: 9e9, images: 0, batch: false })).toBe(0);
    expect(priceOf("claude-unknown-9").inputPerMTok).toBeGreaterThanOrEqual(priceOf("claude-sonnet-4-6").inputPerMTok);
  });

  it("estimates per stage, before anything runs", () => {
    const shape = { durationMs: 3_600_000, screenshots: Array.from({ length: 100 }, () => ({ width: 2560, height: 1600 })), audioSeconds: 3600, markers: 2 };
    const cloud = estimateCost(shape, resolvePlan({}, { anthropic: true, openai: true }));
    expect(cloud.provider).toBe("anthropic");
    expect(cloud.stages.screenshots).toBeGreaterThan(0);
    // Audio stays on the device under Anthropic unless the user sends it to OpenAI for that stage.
    expect(cloud.models.transcription).toBeUndefined();
    expect(cloud.stages.audio).toBeLessThan(0.05);
    const cloudAudio = estimateCost(shape, resolvePlan({ transcriptionProvider: "openai" }, { anthropic: true, openai: true }));
    expect(cloudAudio.stages.audio).toBeGreaterThan(0.18 - 1e-9);
    expect(cloud.imageTokensEach).toBeLessThanOrEqual(450);
    expect(cloud.totalUsd).toBeCloseTo(cloud.stages.audio + cloud.stages.screenshots + cloud.stages.chapters + cloud.stages.summary, 5);
    const local = estimateCost(shape, resolvePlan({}, { anthropic: false, openai: false }));
    expect(local.totalUsd).toBe(0);
    const kept = estimateCost(shape, resolvePlan({ keepScreenshotsLocal: true }, { anthropic: true, openai: false }));
    expect(kept.stages.screenshots).toBe(0);
  });

  it("refuses a job that would exceed the monthly budget before any request", async () => {
    const fx = await createFixture({ keys: ["anthropic"], manager: { monthlyBudgetUsd: 0.000001 } });
    const session = addSession(fx.sessions, { screenshots: 20, audio: 0 });
    const job = await fx.manager.enqueueSession(session.id);
    await runUntil(fx.host, () => fx.manager.getJobStatus(job.id)?.status === "failed");
    expect(fx.manager.getJobStatus(job.id)?.lastError?.code).toBe("enrichment.budget_exceeded");
    expect(fx.fake.requests).toHaveLength(0);
  });
});
