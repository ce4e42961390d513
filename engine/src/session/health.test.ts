import { describe, expect, it } from "vitest";
import { createSessionHarness, type SessionHarness } from "../testing/session-harness.ts";
import type { CaptureHealthEvent, IntegrityReport, SessionStateEvent } from "./index.ts";

const SMALL = { width: 64, height: 40 };
const CONFIG = {
  screenshots: { enabled: true, intervalMs: 1000 },
  audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 5000 },
  health: { silenceMs: 15_000, stallFactor: 2, dropRatio: 0.02, lowDiskBytes: 1024 ** 3, duplicateDistance: 4 },
};

async function record(h: SessionHarness, run: (h: SessionHarness) => Promise<void>): Promise<{ events: CaptureHealthEvent[]; report: IntegrityReport; sessionId: string }> {
  const started = await h.call<SessionStateEvent>("session.start", CONFIG);
  await h.advance(10_000);
  await run(h);
  const ended = await h.call<{ integrity: IntegrityReport }>("session.end");
  const events = h.events.filter((e) => e.method === "capture.health").map((e) => e.params as CaptureHealthEvent);
  return { events, report: ended.integrity, sessionId: started.sessionId! };
}

const raised = (events: readonly CaptureHealthEvent[], kind: CaptureHealthEvent["kind"]) => events.filter((e) => e.kind === kind && !e.resolved);

describe("capture health", () => {
  it("reports nothing for a healthy session", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events, report } = await record(h, (h) => h.advance(60_000));
    expect(events).toEqual([]);
    expect(report.status).toBe("ok");
    expect(report.sources.screenshots.gaps).toEqual([]);
    expect(report.sources.screenshots.dropped).toBe(0);
    await h.stop();
  });

  it("detects a stalled source (no item for over twice its interval) and the gap it left", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events, report } = await record(h, async (h) => {
      h.recorder.faults.stall("screenshots");
      await h.advance(8_000);
      const live = h.feature.currentState();
      expect(live.services?.screenshots.health).toBe("degraded");
      h.recorder.faults.stall("screenshots", false);
      await h.advance(5_000);
    });
    expect(h.recorder.stats.stalledTicks).toBeGreaterThanOrEqual(7);
    const stalled = raised(events, "stalled");
    expect(stalled).toHaveLength(1);
    expect(stalled[0]).toMatchObject({ service: "screenshots", severity: "warning", health: "degraded" });
    expect(events.some((e) => e.kind === "stalled" && e.resolved)).toBe(true);
    expect(report.sources.screenshots.gaps).toHaveLength(1);
    expect(report.sources.screenshots.gaps[0]!.durationMs).toBeGreaterThanOrEqual(8_000);
    expect(report.status).toBe("degraded");
    await h.stop();
  });

  it("detects digital silence on the microphone longer than the threshold", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events, report, sessionId } = await record(h, async (h) => {
      h.recorder.faults.silenceMicrophone();
      await h.advance(20_000);
    });
    expect(h.recorder.stats.silentSegments).toBeGreaterThanOrEqual(3);
    const silence = raised(events, "silence");
    expect(silence).toHaveLength(1);
    expect(silence[0]).toMatchObject({ service: "audio", severity: "warning" });
    expect(report.warnings.map((w) => w.kind)).toContain("silence");
    const segments = await h.storage.sessions.getAudioSegments(sessionId);
    expect(segments.filter((s) => s.silent === true).length).toBe(h.recorder.stats.silentSegments);
    await h.stop();
  });

  it("does not call quiet room tone digital silence", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events } = await record(h, (h) => h.advance(60_000));
    expect(raised(events, "silence")).toEqual([]);
    await h.stop();
  });

  it("detects dropped items above 2%", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events, report } = await record(h, async (h) => {
      h.recorder.faults.dropNext("screenshots", 3);
      await h.advance(20_000);
    });
    expect(h.recorder.stats.droppedItems).toBe(3);
    expect(raised(events, "drops")).toHaveLength(1);
    expect(report.sources.screenshots.dropped).toBe(3);
    await h.stop();
  });

  it("detects a full disk: failed writes and low disk space", async () => {
    const h = await createSessionHarness({ recorder: { ...SMALL, diskSampleMs: 5_000 } });
    const { events, report } = await record(h, async (h) => {
      h.recorder.faults.fillDisk();
      await h.advance(6_000);
      h.recorder.faults.fillDisk(false);
      await h.advance(6_000);
    });
    expect(h.recorder.stats.diskFullWrites).toBeGreaterThanOrEqual(5);
    const low = raised(events, "low_disk");
    expect(low).toHaveLength(1);
    expect(low[0]).toMatchObject({ service: "disk", severity: "critical" });
    expect(events.some((e) => e.kind === "low_disk" && e.resolved)).toBe(true);
    expect(raised(events, "write_failed").length).toBeGreaterThanOrEqual(1);
    expect(report.sources.screenshots.dropped).toBeGreaterThanOrEqual(5);
    await h.stop();
  });

  it("warns on low disk from the configured threshold", async () => {
    const h = await createSessionHarness({ recorder: { ...SMALL, diskSampleMs: 5_000, freeBytes: 500 * 1024 ** 2 } });
    const { events } = await record(h, (h) => h.advance(10_000));
    const low = raised(events, "low_disk");
    expect(low).toHaveLength(1);
    expect(low[0]!.severity).toBe("warning");
    await h.stop();
  });

  it("detects a revoked permission: the service fails and the report says so", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { events, report } = await record(h, async (h) => {
      h.recorder.faults.revokePermission("screen");
      await h.advance(5_000);
      const live = h.feature.currentState();
      expect(live.services?.screenshots).toMatchObject({ health: "failed", state: "error" });
      expect(live.services?.audio.health).toBe("healthy");
    });
    expect(h.recorder.stats.revokedSkips).toBeGreaterThanOrEqual(4);
    const revoked = raised(events, "permission_revoked");
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatchObject({ service: "screenshots", severity: "critical", health: "failed" });
    expect(report.status).toBe("failed");
    await h.stop();
  });

  it("keeps health warnings with the session for session.get", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const { sessionId } = await record(h, async (h) => {
      h.recorder.faults.stall("audio");
      await h.advance(15_000);
    });
    const got = await h.call<{ warnings: CaptureHealthEvent[]; session: { integrity: { warnings: string[] } } }>("session.get", { sessionId });
    expect(got.warnings.some((w) => w.kind === "stalled" && w.service === "audio")).toBe(true);
    expect(got.session.integrity.warnings.some((w) => w.includes("audio"))).toBe(true);
    await h.stop();
  });
});

describe("health samples from a native recorder", () => {
  it("turns level, drops and buffer samples into health events", async () => {
    const h = await createSessionHarness({ recorder: SMALL });
    const started = await h.call<SessionStateEvent>("session.start", { ...CONFIG, screenshots: { enabled: false, intervalMs: 1000 } });
    const sessionId = started.sessionId!;
    const sample = (params: Record<string, unknown>) => h.request("recording.health", { sessionId, at: h.host.clock.now(), ...params });
    for (let i = 0; i < 20; i++) {
      await sample({ kind: "level", peak: 0 });
      await h.advance(1_000);
    }
    await sample({ kind: "level", peak: 0.4 });
    await sample({ kind: "buffer", service: "audio", fill: 0.95 });
    await sample({ kind: "buffer", service: "audio", fill: 0.2 });
    await sample({ kind: "drops", service: "audio", dropped: 5 });
    const events = h.events.filter((e) => e.method === "capture.health").map((e) => e.params as CaptureHealthEvent);
    const kinds = events.map((e) => `${e.kind}:${e.resolved ? "resolved" : "raised"}`);
    expect(kinds).toEqual(expect.arrayContaining(["silence:raised", "silence:resolved", "buffer:raised", "buffer:resolved"]));
    expect(raised(events, "silence")).toHaveLength(1);
    expect(raised(events, "silence")[0]!.sessionTimeMs).toBeGreaterThanOrEqual(15_000);
    const unknown = await h.request("recording.health", { sessionId: "22222222-2222-4222-8222-222222222222", at: 0, kind: "level", peak: 0 });
    expect((unknown as { error?: { code: string } }).error?.code).toBe("recording.unknown_session");
    await h.call("session.end");
    await h.stop();
  });
});

describe("a flapping source", () => {
  it("keeps the number of stored health events bounded", async () => {
    const { MAX_HEALTH_EVENTS } = await import("./health.ts");
    const h = await createSessionHarness({ recorder: SMALL });
    await h.call("session.start", { ...CONFIG, audio: { ...CONFIG.audio, microphone: false } });
    for (let i = 0; i < 520; i++) {
      h.recorder.faults.stall("screenshots");
      await h.advance(2_100);
      h.recorder.faults.stall("screenshots", false);
      await h.advance(1_000);
    }
    const raisedCount = h.events.filter((e) => e.method === "capture.health" && !(e.params as CaptureHealthEvent).resolved).length;
    expect(raisedCount).toBeGreaterThanOrEqual(500);
    const ended = await h.call<{ integrity: IntegrityReport }>("session.end");
    expect(ended.integrity.warnings.length).toBe(MAX_HEALTH_EVENTS);
    expect(ended.integrity.warnings.filter((w) => !w.resolved).length).toBe(raisedCount);
    await h.stop();
  }, 120_000);
});
