import { describe, expect, it } from "vitest";
import { createTestApi } from "../testing/engine-api.ts";
import { createRecordingModel, readRecordingState } from "./recording-model.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("recording model", () => {
  it("says recording is unavailable when the engine has no session feature", async () => {
    const { api } = await createTestApi();
    const model = createRecordingModel(api);
    for (let i = 0; i < 100 && model.available.value === "checking"; i++) await tick();
    expect(model.available.value).toBe("no");
    model.dispose();
  });

  it("follows session.state events: phase, elapsed time that ticks, and the end", async () => {
    const { api, engine } = await createTestApi({ intercept: (e) => (e.method === "engine.capabilities" ? { v: 1, id: e.id, result: { methods: ["session.start", "session.get"] } } : e.method === "session.get" ? { v: 1, id: e.id, result: { live: null } } : undefined) });
    let now = 1_000_000;
    const ended: (string | undefined)[] = [];
    const model = createRecordingModel(api, { now: () => now, onEnded: (id) => ended.push(id) });
    for (let i = 0; i < 100 && model.available.value !== "yes"; i++) await tick();
    await tick();
    expect(model.available.value).toBe("yes");
    expect(model.phase.value).toBe("idle");
    engine.context.emit("session.state", { state: "active", status: "active", sessionId: "s1", activeMs: 5_000 });
    expect(model.phase.value).toBe("recording");
    expect(model.elapsedMs.value).toBe(5_000);
    now += 2_000;
    // The counter ticks on a 500 ms interval; wait for it rather than for a fixed time.
    for (let i = 0; i < 300 && model.elapsedMs.value !== 7_000; i++) await tick();
    expect(model.elapsedMs.value).toBe(7_000);
    // The live time of the session being recorded (a stored duration only moves on pause and end), none for another.
    expect(model.liveElapsed("s1")).toBe(7_000);
    expect(model.liveElapsed("other")).toBeUndefined();
    engine.context.emit("session.state", { state: "paused", status: "paused", sessionId: "s1", activeMs: 7_000 });
    now += 10_000;
    expect(model.phase.value).toBe("paused");
    expect(model.elapsedMs.value).toBe(7_000);
    engine.context.emit("session.state", { state: "completed", status: "completed", sessionId: "s1", activeMs: 7_000 });
    expect(model.phase.value).toBe("idle");
    expect(ended).toEqual(["s1"]);
    expect(model.liveElapsed("s1")).toBeUndefined();
    model.dispose();
  });

  it("keeps capture.health warnings per service until they clear", async () => {
    const { api, engine } = await createTestApi();
    const model = createRecordingModel(api);
    engine.context.emit("capture.health", { service: "audio", kind: "silence", severity: "warning", resolved: false, health: "degraded", message: "The microphone has recorded silence for 30 s" });
    engine.context.emit("capture.health", { service: "screenshots", kind: "stalled", severity: "critical", resolved: false, health: "failed", message: "Screenshots stopped" });
    expect(model.warnings.value.map((w) => [w.source, w.level])).toEqual([["audio", "degraded"], ["screenshots", "failed"]]);
    engine.context.emit("capture.health", { service: "audio", kind: "silence", severity: "info", resolved: true, health: "healthy", message: "ok" });
    expect(model.warnings.value.map((w) => w.source)).toEqual(["screenshots"]);
    model.dispose();
  });

  it("reports a failed action as what failed and why", async () => {
    const { api } = await createTestApi({ intercept: (e) => (e.method === "session.start" ? { v: 1, id: e.id, error: { code: "session.permission_denied", message: "Screen recording permission is denied", retryable: false } } : undefined) });
    const model = createRecordingModel(api);
    await model.start();
    expect(model.error.value).toMatchObject({ what: "Starting the recording", code: "session.permission_denied" });
    expect(model.busy.value).toBeUndefined();
    model.dispose();
  });

  it("reads the session feature's state event", () => {
    expect(readRecordingState({ state: "checking_permissions", status: "starting", sessionId: "x", activeMs: 0 })).toEqual({ state: "starting", sessionId: "x", elapsedMs: 0 });
    expect(readRecordingState(null)).toBeNull();
  });
});
