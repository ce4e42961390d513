import { describe, expect, it } from "vitest";
import { createEngine } from "../engine/index.ts";
import { PRODUCT_FEATURES } from "../product/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { createSimulatedRecorder } from "../simulated-recorder/index.ts";
import type { SessionFeature, SessionStateEvent } from "./index.ts";

describe("session feature in the product composition", () => {
  it("records through the product's features over the file adapter and enqueues the end", async () => {
    const base = createMemoryHost();
    const recorder = createSimulatedRecorder(base, { width: 64, height: 40 });
    const host = { ...base, recorder };
    const time = base.time!;
    const run = async <T>(promise: Promise<T>): Promise<T> => {
      let done = false;
      promise.then(
        () => (done = true),
        () => (done = true),
      );
      for (let i = 0; !done && i < 100_000; i++) await time.advance(1);
      return promise;
    };
    const engine = await run(createEngine(host, PRODUCT_FEATURES));
    recorder.connect((message) => engine.handle(message));
    const feature = engine.context.features.get("session") as SessionFeature;
    const ended: string[] = [];
    feature.onSessionEnded((event) => void ended.push(event.sessionId));
    const call = async (method: string, params: unknown = {}) => {
      const reply = (await run(engine.handle({ v: 1, id: 1, method, params }) as Promise<unknown>)) as { result?: unknown; error?: unknown };
      expect(reply.error).toBeUndefined();
      return reply.result as SessionStateEvent & { status: string };
    };
    const started = await call("session.start", { screenshots: { enabled: true, intervalMs: 1000 }, audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 5000 } });
    for (let i = 0; i < 100; i++) {
      await time.advance(100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    const result = await call("session.end");
    expect(result.status).toBe("completed");
    expect(ended).toEqual([started.sessionId]);
    const events = base.events.filter((e) => e.method === "session.state").map((e) => (e.params as SessionStateEvent).status);
    expect(events.at(-1)).toBe("completed");
    const files = [...(base.files as unknown as { snapshot(): Map<string, Uint8Array> }).snapshot().keys()];
    expect(files.some((key) => key.startsWith("attachments/blobs/"))).toBe(true);
    expect(files.some((key) => key.startsWith(`screenshots/${started.sessionId}/`))).toBe(true);
    await run(engine.stop());
  });
});

describe("hosts without a recorder", () => {
  it("refuses to start with session.recorder_unavailable and stays idle", async () => {
    const host = createMemoryHost();
    const time = host.time!;
    const run = async <T>(promise: Promise<T>): Promise<T> => {
      let done = false;
      promise.then(
        () => (done = true),
        () => (done = true),
      );
      for (let i = 0; i < 10_000 && !done; i++) await time.advance(1);
      return promise;
    };
    const engine = await run(createEngine(host, PRODUCT_FEATURES));
    const reply = (await run(engine.handle({ v: 1, id: 1, method: "session.start", params: {} }) as Promise<unknown>)) as { error?: { code: string } };
    expect(reply.error?.code).toBe("session.recorder_unavailable");
    const sources = (await run(engine.handle({ v: 1, id: 2, method: "recording.sources", params: {} }) as Promise<unknown>)) as { error?: { code: string } };
    expect(sources.error?.code).toBe("session.recorder_unavailable");
    expect((engine.context.features.get("session") as SessionFeature).currentState().state).toBe("idle");
    await run(engine.stop());
  });
});
