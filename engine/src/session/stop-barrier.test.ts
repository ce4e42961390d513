// The engine's half of the recorder's stop barrier: reports that reach the engine while a
// session is finalizing (the recorder's last files, finished after `stop` began) are adopted
// and counted in the integrity report, never refused as `recording.unknown_session`.
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodePng } from "../image/index.ts";
import { createSessionHarness } from "../testing/session-harness.ts";
import type { SessionStateEvent } from "./index.ts";
import { SessionRuntime } from "./runtime.ts";

const PARAMS = { screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: false, systemAudio: false, balance: 0.5, segmentMs: 5000 } };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("late recorder reports while a session finalizes", () => {
  it("adopts a report that arrives while finalization is draining the items before it", async () => {
    const h = await createSessionHarness({ recorder: { width: 64, height: 40 } });
    const started = await h.call<SessionStateEvent>("session.start", PARAMS);
    const sessionId = started.sessionId!;
    await h.advance(3_500);

    // Two screenshots the recorder reports after its `stop` has resolved: A is being verified
    // when finalization starts draining, B arrives only after that.
    const image = encodePng({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 4).fill(200) });
    const makeReport = async (sequence: number) => {
      const path = `capture/${sessionId}/late-${sequence}.png`;
      const written = await h.host.files.writeAtomic(path, image);
      return {
        v: 1 as const,
        id: `late-${sequence}`,
        method: "recording.screenshot" as const,
        params: {
          sessionId,
          sequence,
          path,
          sha256: written.sha256,
          size: written.size,
          width: 8,
          height: 8,
          capturedAt: h.host.clock.now(),
          mimeType: "image/png",
          perceptualHash: (sequence * 0x1111).toString(16).padStart(16, "0"),
        },
      };
    };

    const drainStarted = deferred();
    const releaseA = deferred();
    const aVerifying = deferred();
    let lateA: Promise<unknown> | undefined;
    let lateB: Promise<unknown> | undefined;
    let aPath = "";
    const originalDrain = SessionRuntime.prototype.drain;
    vi.spyOn(SessionRuntime.prototype, "drain").mockImplementation(function (this: SessionRuntime) {
      drainStarted.resolve();
      return originalDrain.call(this);
    });
    const originalHash = h.host.crypto.sha256File.bind(h.host.crypto);
    vi.spyOn(h.host.crypto, "sha256File").mockImplementation(async (path: string) => {
      if (path === aPath) {
        aVerifying.resolve();
        await releaseA.promise;
      }
      return originalHash(path);
    });
    const originalStop = h.recorder.stop.bind(h.recorder);
    h.recorder.stop = async () => {
      await originalStop();
      const next = h.recorder.stats.screenshots;
      const a = await makeReport(next);
      aPath = a.params.path;
      lateA = h.engine.handle(a, "recorder");
      void (async () => {
        await aVerifying.promise;
        await drainStarted.promise;
        lateB = h.engine.handle(await makeReport(next + 1), "recorder");
        // Let B reach the runtime's queue before A finishes.
        for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
        releaseA.resolve();
      })();
    };

    const ended = await h.call<{ status: string; integrity: { sources: { screenshots: { items: number; dropped: number } } } }>("session.end");
    expect(ended.status).toBe("completed");
    // The fault was really hit: both late reports were sent, B only after draining began.
    expect(lateA).toBeDefined();
    expect(lateB).toBeDefined();
    const [replyA, replyB] = (await Promise.all([lateA, lateB])) as { result?: { accepted: boolean }; error?: { code: string } }[];
    expect(replyA?.error).toBeUndefined();
    expect(replyB?.error).toBeUndefined();
    expect(replyA?.result?.accepted).toBe(true);
    expect(replyB?.result?.accepted).toBe(true);

    const shots = await h.storage.sessions.getScreenshots(sessionId);
    expect(shots.map((s) => s.sequenceNumber)).toEqual(shots.map((_, i) => i));
    expect(ended.integrity.sources.screenshots).toMatchObject({ items: shots.length, dropped: 0 });
    const stored = await h.call<{ integrity: { sources: { screenshots: { items: number } } } }>("session.get", { sessionId });
    expect(stored.integrity.sources.screenshots.items).toBe(shots.length);
    await h.stop();
  });

  it("still refuses a report for a session that has completed", async () => {
    const h = await createSessionHarness({ recorder: { width: 64, height: 40 } });
    const started = await h.call<SessionStateEvent>("session.start", PARAMS);
    await h.advance(1_500);
    await h.call("session.end");
    const reply = (await h.run(
      h.engine.handle(
        {
          v: 1,
          method: "recording.health",
          params: { kind: "disk", sessionId: started.sessionId, at: h.host.clock.now(), freeBytes: 1 },
        },
        "recorder",
      ),
    )) as { error?: { code: string } } | undefined;
    // A notification gets no reply; what matters is that nothing reached the finished session.
    expect(reply?.error?.code ?? "no reply").not.toBe("engine.internal");
    const got = await h.call<{ warnings: unknown[] }>("session.get", { sessionId: started.sessionId });
    expect(got.warnings.some((w) => (w as { kind?: string }).kind === "low_disk")).toBe(false);
    await h.stop();
  });
});
