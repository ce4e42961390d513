/**
 * Model-based test: random sequences of bridge calls and elapsed time against
 * a simple model of the lifecycle. After every step the machine agrees with
 * the model (state, exact session time, error codes); after every sequence
 * storage agrees with both (status, session time, markers).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSessionHarness } from "../testing/session-harness.ts";
import type { SessionStateEvent } from "./index.ts";

type Command = { kind: "start" } | { kind: "pause" } | { kind: "resume" } | { kind: "end" } | { kind: "mark" } | { kind: "wait"; ms: number };

interface Model {
  state: "idle" | "active" | "paused" | "completed";
  activeMs: number;
  sessions: { id: string; activeMs: number; markers: number; state: "active" | "paused" | "completed" }[];
}

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Command>({ kind: "start" }) },
  { weight: 3, arbitrary: fc.constant<Command>({ kind: "pause" }) },
  { weight: 3, arbitrary: fc.constant<Command>({ kind: "resume" }) },
  { weight: 2, arbitrary: fc.constant<Command>({ kind: "end" }) },
  { weight: 2, arbitrary: fc.constant<Command>({ kind: "mark" }) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((ms): Command => ({ kind: "wait", ms })) },
);

const CONFIG = {
  screenshots: { enabled: true, intervalMs: 5_000 },
  audio: { microphone: true, systemAudio: false, balance: 0.5, segmentMs: 10_000 },
};

describe("session machine against a model", () => {
  it("agrees with the model and storage over 1,000 random sequences", async () => {
    let sequences = 0;
    let steps = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 14 }), async (commands) => {
        sequences++;
        const h = await createSessionHarness({ recorder: { width: 32, height: 20 } });
        const model: Model = { state: "idle", activeMs: 0, sessions: [] };
        const current = () => model.sessions.at(-1);
        for (const step of commands) {
          steps++;
          if (step.kind === "wait") {
            await h.advance(step.ms);
            if (model.state === "active") {
              model.activeMs += step.ms;
              current()!.activeMs = model.activeMs;
            }
          } else {
            const method = { start: "session.start", pause: "session.pause", resume: "session.resume", end: "session.end", mark: "session.mark" }[step.kind];
            const reply = (await h.request(method, step.kind === "start" ? CONFIG : {})) as { result?: SessionStateEvent & { sessionId: string }; error?: { code: string; data?: { state?: string } } };
            const allowed =
              (step.kind === "start" && (model.state === "idle" || model.state === "completed")) ||
              (step.kind === "pause" && model.state === "active") ||
              (step.kind === "resume" && model.state === "paused") ||
              ((step.kind === "end" || step.kind === "mark") && (model.state === "active" || model.state === "paused"));
            if (!allowed) {
              expect(reply.error?.code).toBe("session.invalid_transition");
              expect(reply.error?.data?.state).toBe(model.state);
            } else {
              expect(reply.error).toBeUndefined();
              if (step.kind === "start") {
                model.state = "active";
                model.activeMs = 0;
                model.sessions.push({ id: reply.result!.sessionId, activeMs: 0, markers: 0, state: "active" });
              } else if (step.kind === "pause") model.state = "paused";
              else if (step.kind === "resume") model.state = "active";
              else if (step.kind === "end") model.state = "completed";
              else current()!.markers++;
              if (step.kind !== "mark" && step.kind !== "start") current()!.state = model.state as "active" | "paused" | "completed";
            }
          }
          const live = h.feature.currentState();
          expect(live.state).toBe(model.state);
          expect(live.activeMs).toBe(model.state === "idle" ? 0 : model.activeMs);
        }
        await h.feature.settle();
        for (const session of model.sessions) {
          const stored = await h.storage.sessions.getMetadata(session.id);
          expect(stored?.status).toBe(session.state);
          if (session.state !== "active") expect(stored?.activeDurationMs).toBe(session.activeMs);
          expect(await h.feature.getMarkers(session.id)).toHaveLength(session.markers);
          if (session.state === "completed") expect((await h.feature.getIntegrityReport(session.id))?.activeMs).toBe(session.activeMs);
        }
        const listed = await h.storage.sessions.listMetadata({ limit: 1000 });
        expect(listed.total).toBe(model.sessions.length);
        await h.stop();
      }),
      { numRuns: 1000 },
    );
    expect(sequences).toBeGreaterThanOrEqual(1000);
    expect(steps).toBeGreaterThan(5000);
  }, 600_000);
});
