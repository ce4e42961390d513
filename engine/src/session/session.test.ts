import { describe, expect, it } from "vitest";
import { createMemoryHost } from "../host/index.ts";
import { createSessionHarness, type SessionHarness } from "../testing/session-harness.ts";
import * as z from "zod";
import { SESSION_KEYS, type SessionEndedEvent, type SessionStateEvent } from "./index.ts";

const FAST = { screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 5000 } };
const SMALL = { width: 64, height: 40 };

function errorOf(reply: unknown): { code: string; message: string; data?: Record<string, unknown> } {
  const error = (reply as { error?: { code: string; message: string; data?: Record<string, unknown> } }).error;
  if (error === undefined) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
  return error;
}

async function start(h: SessionHarness, params: Record<string, unknown> = FAST): Promise<string> {
  const state = await h.call<SessionStateEvent>("session.start", params);
  return state.sessionId!;
}

describe("session lifecycle through the bridge", () => {
  it("records, pauses, resumes and ends a simulated session with exact session time", async () => {
    const h = await createSessionHarness();
    const ended: SessionEndedEvent[] = [];
    h.feature.onSessionEnded((event) => void ended.push(event));
    const sessionId = await start(h, { name: "Demo", ...FAST });
    await h.advance(10_000);
    const paused = await h.call<SessionStateEvent>("session.pause");
    expect(paused.state).toBe("paused");
    expect(paused.services?.screenshots.state).toBe("paused");
    const shotsAtPause = h.recorder.stats.screenshots;
    await h.advance(60_000);
    expect(h.recorder.stats.screenshots).toBe(shotsAtPause);
    expect((await h.storage.sessions.getMetadata(sessionId))?.status).toBe("paused");
    await h.call("session.resume");
    await h.advance(10_000);
    const result = await h.call<{ sessionId: string; status: string; integrity: { status: string; sources: { screenshots: { items: number; duplicates: number } } } }>("session.end");
    expect(result).toMatchObject({ sessionId, status: "completed" });
    const got = await h.call<{ session: { status: string; name: string; activeDurationMs: number; integrity: { duplicates: number } } }>("session.get", { sessionId });
    expect(got.session).toMatchObject({ status: "completed", name: "Demo", activeDurationMs: 20_000 });
    const shots = await h.storage.sessions.getScreenshots(sessionId);
    expect(shots.length).toBe(result.integrity.sources.screenshots.items);
    expect(shots.length).toBeGreaterThanOrEqual(20);
    // Screenshots and audio sit on session time: nothing lands in the paused minute.
    expect(Math.max(...shots.map((s) => s.sessionTimeMs))).toBeLessThanOrEqual(20_000);
    const audio = await h.storage.sessions.getAudioSegments(sessionId);
    expect(audio.reduce((sum, a) => sum + a.durationMs, 0)).toBe(20_000);
    expect(result.integrity, JSON.stringify(result.integrity)).toMatchObject({ status: "ok" });
    expect(h.recorder.stats.rejected).toBe(0);
    expect(ended).toHaveLength(1);
    expect(ended[0]!.metadata.status).toBe("completed");
    const states = h.events.filter((e) => e.method === "session.state").map((e) => (e.params as SessionStateEvent).state);
    expect(states).toEqual(["validating", "checking_permissions", "starting", "active", "pausing", "paused", "resuming", "active", "ending", "completed"]);
    await h.stop();
  });

  it("marks identical and near-identical screenshots as duplicates of the last kept one", async () => {
    for (const nativeHash of [true, false]) {
      const h = await createSessionHarness({ recorder: { ...SMALL, perceptualHash: nativeHash } });
      const sessionId = await start(h, { ...FAST, audio: { ...FAST.audio, microphone: false } });
      await h.advance(29_500);
      await h.call("session.end");
      const shots = await h.storage.sessions.getScreenshots(sessionId);
      expect(shots).toHaveLength(30);
      const { frameSpec } = await import("../simulated-recorder/index.ts");
      for (const shot of shots) {
        const spec = frameSpec(shot.sequenceNumber);
        expect(shot.perceptualHash).toMatch(/^[0-9a-f]{16}$/);
        expect(shot.isDuplicate).toBe(spec.variant > 0);
        if (shot.isDuplicate) expect(frameSpec(shot.duplicateOf!)).toEqual({ scene: spec.scene, variant: 0 });
      }
      await h.stop();
    }
  });

  it("answers events in the wrong state with session.invalid_transition and changes nothing", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    expect(errorOf(await h.request("session.pause"))).toMatchObject({ code: "session.invalid_transition", data: { state: "idle", event: "PAUSE" } });
    expect(errorOf(await h.request("session.end"))).toMatchObject({ code: "session.invalid_transition", data: { state: "idle" } });
    expect(errorOf(await h.request("session.mark", {}))).toMatchObject({ code: "session.invalid_transition", data: { state: "idle" } });
    const sessionId = await start(h);
    expect(errorOf(await h.request("session.start", FAST))).toMatchObject({ code: "session.invalid_transition", data: { state: "active", event: "START" } });
    expect(errorOf(await h.request("session.resume"))).toMatchObject({ code: "session.invalid_transition", data: { state: "active" } });
    expect(h.feature.currentState()).toMatchObject({ state: "active", sessionId });
    await h.call("session.end");
    expect(errorOf(await h.request("session.end"))).toMatchObject({ code: "session.invalid_transition", data: { state: "completed" } });
    expect((await h.call<{ total: number }>("session.list")).total).toBe(1);
    await h.stop();
  });

  it("refuses an invalid configuration before anything starts, naming the field", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const noSource = errorOf(await h.request("session.start", { sources: [] }));
    expect(noSource.code).toBe("session.invalid_config");
    expect(noSource.data).toMatchObject({ field: "sources" });
    const zero = errorOf(await h.request("session.start", { screenshots: { enabled: true, intervalMs: 0 } }));
    expect(zero.code).toBe("bridge.invalid_params");
    expect(zero.message).toContain("screenshots.intervalMs");
    const unknownWindow = errorOf(await h.request("session.start", { sources: [{ kind: "display", id: "display-1" }, { kind: "window", id: "window-999" }], layout: "side-by-side" }));
    expect(unknownWindow).toMatchObject({ code: "session.invalid_config", data: { field: "sources[1].id" } });
    expect(unknownWindow.message).toContain("window-999");
    const nothing = errorOf(await h.request("session.start", { screenshots: { enabled: false, intervalMs: 1000 }, audio: { microphone: false, systemAudio: false, balance: 0.5, segmentMs: 5000 } }));
    expect(nothing).toMatchObject({ code: "session.invalid_config", data: { field: "screenshots.enabled" } });
    expect(h.feature.currentState().state).toBe("idle");
    expect(h.recorder.state()).toBe("idle");
    expect((await h.call<{ total: number }>("session.list")).total).toBe(0);
    await h.stop();
  });

  it("requires only the permissions the configuration uses", async () => {
    // Microphone and camera denied: a screenshots-only session still starts.
    const h = await createSessionHarness({ recorder: { ...SMALL, permissions: { microphone: "denied", camera: "denied" } } });
    await start(h, { screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: false, systemAudio: false, balance: 0.5, segmentMs: 5000 } });
    await h.call("session.end");
    // With the microphone in the configuration, the denial stops the start in `error`.
    const denied = errorOf(await h.request("session.start", FAST));
    expect(denied).toMatchObject({ code: "session.permission_denied", data: { permission: "microphone", state: "error" } });
    expect(h.feature.currentState().state).toBe("error");
    expect(errorOf(await h.request("session.start", FAST)).code).toBe("session.invalid_transition");
    await h.call("session.dismiss");
    expect(h.feature.currentState().state).toBe("idle");
    expect((await h.call<{ total: number }>("session.list")).total).toBe(1);
    await h.stop();
  });

  it("asks for a permission that was never determined, and RETRY recovers after the user grants it", async () => {
    const h = await createSessionHarness({ recorder: { ...SMALL, permissions: { screen: "not_determined" } } });
    await start(h);
    expect((await h.call<{ screen: string }>("recording.permissions")).screen).toBe("granted");
    await h.call("session.end");
    const h2 = await createSessionHarness({ recorder: { ...SMALL, permissions: { screen: "denied" } } });
    expect(errorOf(await h2.request("session.start", FAST))).toMatchObject({ code: "session.permission_denied", data: { permission: "screen" } });
    h2.recorder.faults.grantPermission("screen");
    const retried = await h2.call<SessionStateEvent>("session.retry");
    expect(retried.state).toBe("active");
    await h2.call("session.end");
    await h.stop();
    await h2.stop();
  });

  it("goes to error when the recorder fails to pause, and DISMISS keeps recording", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    await start(h);
    h.recorder.faults.failNext("pause");
    expect(errorOf(await h.request("session.pause"))).toMatchObject({ code: "session.recorder_failed" });
    expect(h.feature.currentState()).toMatchObject({ state: "error", error: { operation: "pause" } });
    expect((await h.call<SessionStateEvent>("session.dismiss")).state).toBe("active");
    expect((await h.call<SessionStateEvent>("session.pause")).state).toBe("paused");
    await h.call("session.end");
    await h.stop();
  });

  it("adds and removes sources while recording", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    expect(errorOf(await h.request("recording.addSource", { kind: "window", id: "window-101" })).code).toBe("session.invalid_transition");
    const sessionId = await start(h);
    expect(await h.call("recording.addSource", { kind: "window", id: "window-101" })).toEqual({ sources: [{ kind: "display", id: "display-1" }, { kind: "window", id: "window-101" }] });
    expect(errorOf(await h.request("recording.addSource", { kind: "window", id: "window-404" }))).toMatchObject({ code: "session.invalid_config", data: { field: "id" } });
    expect(await h.call("recording.removeSource", { sourceId: "display-1" })).toEqual({ sources: [{ kind: "window", id: "window-101" }] });
    expect(errorOf(await h.request("recording.removeSource", { sourceId: "window-101" }))).toMatchObject({ code: "session.invalid_config", data: { field: "sourceId" } });
    const stored = await h.storage.sessions.getMetadata(sessionId);
    expect((stored?.recordingConfig as { sources: unknown[] }).sources).toEqual([{ kind: "window", id: "window-101" }]);
    await h.call("session.end");
    await h.stop();
  });

  it("lists sources and permissions", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { sources } = await h.call<{ sources: { kind: string }[] }>("recording.sources");
    expect(new Set(sources.map((s) => s.kind))).toEqual(new Set(["display", "window", "camera", "microphone"]));
    expect(await h.call("recording.permissions")).toEqual({ screen: "granted", microphone: "granted", camera: "granted" });
    await h.stop();
  });

  it("adds markers at the current session time, excluding pauses", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(5_000);
    const first = await h.call<{ marker: { sessionTimeMs: number; note?: string } }>("session.mark", { note: "  decision made " });
    expect(first.marker).toMatchObject({ sessionTimeMs: 5_000, note: "decision made" });
    await h.call("session.pause");
    await h.advance(30_000);
    const during = await h.call<{ marker: { sessionTimeMs: number } }>("session.mark", {});
    expect(during.marker.sessionTimeMs).toBe(5_000);
    await h.call("session.resume");
    await h.advance(2_000);
    await h.call("session.mark", {});
    await h.call("session.end");
    const markers = await h.feature.getMarkers(sessionId);
    expect(markers.map((m) => m.sessionTimeMs)).toEqual([5_000, 5_000, 7_000]);
    const got = await h.call<{ markers: unknown[]; integrity: { markers: number } }>("session.get", { sessionId });
    expect(got.markers).toHaveLength(3);
    expect(got.integrity.markers).toBe(3);
    await h.stop();
  });
});

describe("recording notifications", () => {
  it("rejects an item for an unknown session without touching the running one", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(3_000);
    const reply = await h.request("recording.screenshot", {
      sessionId: "11111111-1111-4111-8111-111111111111",
      sequence: 0,
      path: "capture/x.png",
      sha256: "0".repeat(64),
      size: 10,
      width: 10,
      height: 10,
      capturedAt: h.host.clock.now(),
    });
    expect(errorOf(reply).code).toBe("recording.unknown_session");
    expect(h.host.logs.some((log) => log.message.includes("unknown session"))).toBe(true);
    const ended = await h.call<{ integrity: { status: string; sources: { screenshots: { items: number; dropped: number } } } }>("session.end");
    const shots = await h.storage.sessions.getScreenshots(sessionId);
    expect(shots.map((s) => s.sequenceNumber)).toEqual(shots.map((_, i) => i));
    expect(ended.integrity.sources.screenshots).toMatchObject({ items: shots.length, dropped: 0 });
    await h.stop();
  });

  it("rejects a file whose hash does not match, counts it as dropped, and keeps recording", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(2_500);
    h.recorder.faults.corruptNext("screenshots");
    await h.advance(5_000);
    expect(h.recorder.stats.corruptedItems).toBe(1);
    expect(h.recorder.stats.rejected).toBe(1);
    expect(h.recorder.stats.lastRejection).toBe("recording.hash_mismatch");
    const state = h.feature.currentState();
    expect(state.services?.screenshots.metrics.droppedItems).toBe(1);
    const ended = await h.call<{ integrity: { sources: { screenshots: { items: number; dropped: number } }; warnings: { kind: string }[] } }>("session.end");
    const shots = await h.storage.sessions.getScreenshots(sessionId);
    expect(shots).toHaveLength(ended.integrity.sources.screenshots.items);
    expect(shots.map((s) => s.sequenceNumber)).not.toContain(3);
    expect(ended.integrity.sources.screenshots.dropped).toBe(1);
    expect(ended.integrity.warnings.map((w) => w.kind)).toContain("rejected_item");
    await h.stop();
  });

  it("ignores a redelivered item (same sequence) instead of storing it twice", async () => {
    const h = await createSessionHarness({ recorder: SMALL, nativeHash: true });
    const sessionId = await start(h, { ...FAST, audio: { ...FAST.audio, microphone: false } });
    await h.advance(500);
    const [first] = await h.storage.sessions.getScreenshots(sessionId);
    const attachment = await h.storage.attachments.getAttachment(first!.attachmentId);
    const reply = await h.request("recording.screenshot", {
      sessionId,
      sequence: 0,
      path: "capture/elsewhere.png",
      sha256: attachment!.contentHash,
      size: attachment!.size,
      width: 64,
      height: 40,
      capturedAt: h.host.clock.now(),
    });
    expect(reply).toMatchObject({ result: { accepted: false, redelivered: true } });
    await h.call("session.end");
    expect((await h.storage.sessions.getScreenshots(sessionId)).filter((s) => s.sequenceNumber === 0)).toHaveLength(1);
    await h.stop();
  });

  it("stores video segments the recorder reports, on session time", async () => {
    const encodeVideo = async (frames: readonly Uint8Array[]) => new Uint8Array([0, 0, 0, 24, 102, 116, 121, 112, frames.length]);
    const h = await createSessionHarness({ recorder: { ...SMALL, encodeVideo } });
    const sessionId = await start(h, { ...FAST, video: { enabled: true, fps: 2, segmentSeconds: 10 } });
    await h.advance(25_000);
    await h.call("session.pause");
    await h.advance(20_000);
    await h.call("session.resume");
    await h.advance(10_000);
    const ended = await h.call<{ integrity: { sources: { video: { items: number; dropped: number } } } }>("session.end");
    const video = await h.storage.sessions.getVideo(sessionId);
    expect(video?.segments.length).toBe(ended.integrity.sources.video.items);
    expect(video?.segments.map((s) => s.startSessionMs)).toEqual([0, 10_000, 20_000, 25_000]);
    expect(video?.durationMs).toBe(35_000);
    expect(ended.integrity.sources.video.dropped).toBe(0);
    await h.stop();
  });

  it("stores whole milliseconds when the host's clock answers with fractions", async () => {
    const base = createMemoryHost();
    const host = { ...base, clock: { now: () => base.clock.now() + 0.375, elapsed: () => base.clock.elapsed() + 0.25 } };
    const h = await createSessionHarness({ host, recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(3_000);
    const reply = await h.request("recording.health", { sessionId, at: host.clock.now(), kind: "level", peak: 0.5 });
    expect((reply as { error?: unknown }).error).toBeUndefined();
    await h.call("session.end");
    const metadata = await h.storage.sessions.getMetadata(sessionId);
    expect(Number.isInteger(metadata!.startedAt)).toBe(true);
    expect(Number.isInteger(metadata!.endedAt)).toBe(true);
    expect((await h.storage.sessions.getScreenshots(sessionId)).every((s) => Number.isInteger(s.capturedAt))).toBe(true);
    await h.stop();
  });

  it("rejects malformed notifications with a typed error", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const sessionId = await start(h);
    const reply = await h.request("recording.audio", { sessionId, sequence: -1, path: "", sha256: "xyz", size: 0, durationMs: 0, startedAt: 0 });
    expect(errorOf(reply).code).toBe("bridge.invalid_params");
    await h.call("session.end");
    await h.stop();
  });
});

describe("interrupted sessions", () => {
  it.each(["active", "paused"] as const)("marks a session left %s as interrupted on the next start, keeps everything, and can end it", async (leftIn) => {
    const host = createMemoryHost();
    const h = await createSessionHarness({ host, recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(12_000);
    await h.call("session.mark", { note: "before the crash" });
    if (leftIn === "paused") await h.call("session.pause");
    const snapshot = await h.storage.store.getJson(SESSION_KEYS.machine, z.looseObject({ value: z.string(), context: z.looseObject({ sessionId: z.string() }) }));
    expect(snapshot).toMatchObject({ value: leftIn, context: { sessionId } });
    await h.feature.settle();
    await h.run(h.storage.queue.flush());
    const shotsBefore = await h.storage.sessions.getScreenshots(sessionId);
    const audioBefore = await h.storage.sessions.getAudioSegments(sessionId);
    expect(shotsBefore.length).toBeGreaterThan(10);
    // The process dies here: no stop, no end. A new engine opens the same data.
    const h2 = await createSessionHarness({ adapter: h.adapter, recorder: SMALL });
    const metadata = await h2.storage.sessions.getMetadata(sessionId);
    expect(metadata?.status).toBe("interrupted");
    expect(metadata?.activeDurationMs).toBeGreaterThanOrEqual(11_000);
    expect(h2.host.events.some((e) => e.method === "session.state" && (e.params as SessionStateEvent).status === "interrupted")).toBe(true);
    expect(await h2.storage.sessions.getScreenshots(sessionId)).toEqual(shotsBefore);
    expect(await h2.storage.sessions.getAudioSegments(sessionId)).toEqual(audioBefore);
    expect(await h2.feature.getMarkers(sessionId)).toHaveLength(1);
    expect(h2.feature.currentState().state).toBe("idle");
    const listed = await h2.call<{ sessions: { id: string }[] }>("session.list", { status: "interrupted" });
    expect(listed.sessions.map((s) => s.id)).toEqual([sessionId]);
    const ended: SessionEndedEvent[] = [];
    h2.feature.onSessionEnded((event) => void ended.push(event));
    const result = await h2.call<{ status: string; integrity: { interrupted: boolean; sources: { screenshots: { items: number } } } }>("session.end", { sessionId });
    expect(result.status).toBe("completed");
    expect(result.integrity.interrupted).toBe(true);
    expect(result.integrity.sources.screenshots.items).toBe(shotsBefore.length);
    expect(ended.map((e) => e.sessionId)).toEqual([sessionId]);
    expect((await h2.storage.sessions.getMetadata(sessionId))?.status).toBe("completed");
    // A new session can start right away.
    await start(h2);
    await h2.call("session.end");
    await h2.stop();
  });

  it("ends a running session on graceful shutdown", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const sessionId = await start(h);
    await h.advance(3_000);
    await h.stop();
    expect((await h.storage.sessions.getMetadata(sessionId))?.status).toBe("completed");
  });
});
