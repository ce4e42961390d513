import { describe, expect, it } from "vitest";
import { createSessionHarness } from "../testing/session-harness.ts";
import type { SessionStateEvent } from "./index.ts";

describe("session lifecycle through the bridge", () => {
  it("records, pauses, resumes and ends a simulated session", async () => {
    const h = await createSessionHarness();
    const started = await h.call<SessionStateEvent>("session.start", { name: "Demo", screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 5000 } });
    expect(started.state).toBe("active");
    const sessionId = started.sessionId!;
    await h.advance(10_000);
    const paused = await h.call<SessionStateEvent>("session.pause");
    expect(paused.state).toBe("paused");
    await h.advance(60_000);
    await h.call("session.resume");
    await h.advance(10_000);
    const ended = await h.call<{ sessionId: string; status: string; integrity: { sources: { screenshots: { items: number; duplicates: number } } } }>("session.end");
    expect(ended.status).toBe("completed");
    const got = await h.call<{ session: { status: string; activeDurationMs: number }; integrity: unknown }>("session.get", { sessionId });
    expect(got.session.status).toBe("completed");
    expect(got.session.activeDurationMs).toBe(20_000);
    const shots = await h.storage.sessions.getScreenshots(sessionId);
    expect(shots.length).toBe(ended.integrity.sources.screenshots.items);
    expect(shots.length).toBeGreaterThan(15);
    expect(shots.some((s) => s.isDuplicate)).toBe(true);
    expect(h.recorder.stats.rejected).toBe(0);
    await h.stop();
  });
});
