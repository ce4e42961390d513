import { createActor, waitFor } from "xstate";
import { describe, expect, it } from "vitest";
import { createSimulatedTime } from "../host/index.ts";
import { createSessionMachine, sessionTimeMs, type SessionEffects } from "./machine.ts";
import { SessionConfigSchema, SessionStartParamsSchema } from "./schemas.ts";

const params = SessionStartParamsSchema.parse({ sources: [{ kind: "display", id: "display-1" }] });
const config = SessionConfigSchema.parse({ ...params, name: "t" });

function fakeEffects(overrides: Partial<Record<keyof SessionEffects, () => Promise<unknown>>> = {}) {
  const calls: string[] = [];
  const signals: AbortSignal[] = [];
  const step =
    (name: keyof SessionEffects, value?: unknown) =>
    async (_input: unknown, signal: AbortSignal): Promise<never> => {
      calls.push(name);
      signals.push(signal);
      const override = overrides[name];
      return (override !== undefined ? await override() : value) as never;
    };
  const effects: SessionEffects = {
    validate: step("validate", config),
    checkPermissions: step("checkPermissions"),
    start: step("start"),
    pause: step("pause"),
    resume: step("resume"),
    stop: step("stop"),
    discard: step("discard"),
  };
  return { effects, calls, signals };
}

const settledStates = (value: unknown) => !["validating", "checking_permissions", "starting", "pausing", "resuming", "ending", "discarding"].includes(value as string);

async function started(effects: SessionEffects) {
  const time = createSimulatedTime();
  const actor = createActor(createSessionMachine(effects, time.clock), { input: {} });
  actor.start();
  actor.send({ type: "START", sessionId: "00000000-0000-4000-8000-000000000001", params });
  await waitFor(actor, (s) => settledStates(s.value));
  return { actor, time };
}

function failing(times: number, message = "boom") {
  let left = times;
  return async () => {
    if (left-- > 0) throw Object.assign(new Error(message), { code: "session.recorder_failed" });
  };
}

describe("session machine", () => {
  it("walks idle → validating → checking_permissions → starting → active → pausing → paused → resuming → active → ending → completed", async () => {
    const { effects, calls } = fakeEffects();
    const time = createSimulatedTime();
    const actor = createActor(createSessionMachine(effects, time.clock), { input: {} });
    const seen: string[] = [];
    actor.subscribe((s) => {
      if (seen.at(-1) !== s.value) seen.push(s.value as string);
    });
    actor.start();
    actor.send({ type: "START", sessionId: "00000000-0000-4000-8000-000000000001", params });
    await waitFor(actor, (s) => s.value === "active");
    actor.send({ type: "PAUSE" });
    await waitFor(actor, (s) => s.value === "paused");
    actor.send({ type: "RESUME" });
    await waitFor(actor, (s) => s.value === "active");
    actor.send({ type: "END" });
    await waitFor(actor, (s) => s.value === "completed");
    expect(seen).toEqual(["idle", "validating", "checking_permissions", "starting", "active", "pausing", "paused", "resuming", "active", "ending", "completed"]);
    expect(calls).toEqual(["validate", "checkPermissions", "start", "pause", "resume", "stop"]);
    // completed accepts a new START (the next session).
    expect(actor.getSnapshot().can({ type: "START", sessionId: "00000000-0000-4000-8000-000000000002", params })).toBe(true);
  });

  it("refuses events that do not apply in the current state", async () => {
    const { effects } = fakeEffects();
    const time = createSimulatedTime();
    const actor = createActor(createSessionMachine(effects, time.clock), { input: {} });
    actor.start();
    for (const type of ["PAUSE", "RESUME", "END", "RETRY", "DISMISS"] as const) expect(actor.getSnapshot().can({ type })).toBe(false);
    actor.send({ type: "START", sessionId: "00000000-0000-4000-8000-000000000001", params });
    await waitFor(actor, (s) => s.value === "active");
    expect(actor.getSnapshot().can({ type: "START", sessionId: "00000000-0000-4000-8000-000000000003", params })).toBe(false);
    expect(actor.getSnapshot().can({ type: "RESUME" })).toBe(false);
  });

  it("goes back to idle when validation fails, keeping the error", async () => {
    const { effects, calls } = fakeEffects({ validate: async () => Promise.reject(Object.assign(new Error("sources: no source selected"), { code: "session.invalid_config" })) });
    const { actor } = await started(effects);
    expect(actor.getSnapshot().value).toBe("idle");
    expect(actor.getSnapshot().context.error).toMatchObject({ code: "session.invalid_config" });
    expect(calls).toEqual(["validate"]);
  });

  it("permission failure → error; RETRY re-checks and starts", async () => {
    const { effects, calls } = fakeEffects({ checkPermissions: failing(1) });
    const { actor } = await started(effects);
    expect(actor.getSnapshot().value).toBe("error");
    expect(actor.getSnapshot().context.failedOperation).toBe("start");
    actor.send({ type: "RETRY" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("active");
    expect(calls.filter((c) => c === "checkPermissions")).toHaveLength(2);
  });

  it("recorder start failure → error; DISMISS discards and returns to idle", async () => {
    const { effects, calls } = fakeEffects({ start: failing(1) });
    const { actor } = await started(effects);
    expect(actor.getSnapshot().value).toBe("error");
    actor.send({ type: "DISMISS" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("idle");
    expect(actor.getSnapshot().context.sessionId).toBeNull();
    expect(calls).toContain("discard");
  });

  it("pause failure: DISMISS returns to active, RETRY pauses", async () => {
    const { effects } = fakeEffects({ pause: failing(1) });
    const { actor } = await started(effects);
    actor.send({ type: "PAUSE" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("error");
    actor.send({ type: "DISMISS" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("active");
    actor.send({ type: "PAUSE" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("paused");
  });

  it("resume failure: RETRY resumes; DISMISS stays paused", async () => {
    const { effects } = fakeEffects({ resume: failing(2) });
    const { actor } = await started(effects);
    actor.send({ type: "PAUSE" });
    await waitFor(actor, (s) => s.value === "paused");
    actor.send({ type: "RESUME" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("error");
    actor.send({ type: "DISMISS" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("paused");
    actor.send({ type: "RESUME" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().context.failedOperation).toBe("resume");
    actor.send({ type: "RETRY" });
    await waitFor(actor, (s) => settledStates(s.value));
    expect(actor.getSnapshot().value).toBe("active");
  });

  it("stop failure: RETRY ends; DISMISS accepts the end", async () => {
    for (const recovery of ["RETRY", "DISMISS"] as const) {
      const { effects, calls } = fakeEffects({ stop: failing(1) });
      const { actor } = await started(effects);
      actor.send({ type: "END" });
      await waitFor(actor, (s) => settledStates(s.value));
      expect(actor.getSnapshot().value).toBe("error");
      actor.send({ type: recovery });
      await waitFor(actor, (s) => settledStates(s.value));
      expect(actor.getSnapshot().value).toBe("completed");
      expect(actor.getSnapshot().context.endedAt).not.toBeNull();
      expect(calls.filter((c) => c === "stop")).toHaveLength(recovery === "RETRY" ? 2 : 1);
    }
  });

  it("aborts a running effect's signal when the machine stops", async () => {
    let release: () => void = () => undefined;
    const { effects, signals } = fakeEffects({ start: () => new Promise<void>((resolve) => (release = resolve)) });
    const time = createSimulatedTime();
    const actor = createActor(createSessionMachine(effects, time.clock), { input: {} });
    actor.start();
    actor.send({ type: "START", sessionId: "00000000-0000-4000-8000-000000000001", params });
    await waitFor(actor, (s) => s.value === "starting");
    const startSignal = signals.at(-1)!;
    expect(startSignal.aborted).toBe(false);
    actor.stop();
    expect(startSignal.aborted).toBe(true);
    release();
  });

  it("keeps session time exact over 100 pause/resume cycles", async () => {
    const { effects } = fakeEffects();
    const { actor, time } = await started(effects);
    let expectedActive = 0;
    let expectedPaused = 0;
    for (let i = 0; i < 100; i++) {
      const active = 1_000 + ((i * 7_919) % 60_000);
      const paused = 500 + ((i * 104_729) % 30_000);
      await time.advance(active);
      expectedActive += active;
      expect(sessionTimeMs(actor.getSnapshot().context, time.clock.elapsed())).toBe(expectedActive);
      actor.send({ type: "PAUSE" });
      await waitFor(actor, (s) => s.value === "paused");
      await time.advance(paused);
      expectedPaused += paused;
      expect(sessionTimeMs(actor.getSnapshot().context, time.clock.elapsed())).toBe(expectedActive);
      actor.send({ type: "RESUME" });
      await waitFor(actor, (s) => s.value === "active");
    }
    await time.advance(1234);
    expectedActive += 1234;
    actor.send({ type: "END" });
    await waitFor(actor, (s) => s.value === "completed");
    const context = actor.getSnapshot().context;
    expect(context.activeMs).toBe(expectedActive);
    expect(context.pausedMs).toBe(expectedPaused);
    expect(context.pauses).toHaveLength(100);
    expect(context.pauses.reduce((sum, span) => sum + span.durationMs, 0)).toBe(expectedPaused);
    expect(context.endedAt! - context.startedAt!).toBe(expectedActive + expectedPaused);
  });
});
