import * as fc from "fast-check";
import * as z from "zod";
import { describe, expect, it } from "vitest";
import { ReplySchema } from "./envelope.ts";
import { EngineError } from "./errors.ts";
import { createRouter, defineMethod } from "./router.ts";

function makeRouter() {
  const rejectedNotifications: string[] = [];
  const router = createRouter({ onNotificationError: (method) => rejectedNotifications.push(method) });
  router.register({
    "demo.echo": defineMethod(z.object({ text: z.string().max(50) }).strict(), ({ text }) => ({ text })),
    "demo.fail": defineMethod(z.object({}), () => {
      throw new EngineError("storage.not_found", "nothing there", { retryable: false, data: { id: "x" } });
    }),
    "demo.crash": defineMethod(z.object({}), () => {
      throw new TypeError("cannot read properties of undefined");
    }),
  });
  return { router, rejectedNotifications };
}

describe("router", () => {
  it("answers a request with its result", async () => {
    const { router } = makeRouter();
    expect(await router.handle(JSON.stringify({ v: 1, id: 7, method: "demo.echo", params: { text: "hi" } }))).toEqual({ v: 1, id: 7, result: { text: "hi" } });
    expect(await router.handle({ v: 1, id: "a", method: "demo.echo", params: { text: "yo" } })).toEqual({ v: 1, id: "a", result: { text: "yo" } });
  });

  it("gives a notification no reply when it succeeds", async () => {
    const { router } = makeRouter();
    expect(await router.handle({ v: 1, method: "demo.echo", params: { text: "hi" } })).toBeUndefined();
  });

  it("maps each kind of bad input to its typed error", async () => {
    const { router, rejectedNotifications } = makeRouter();
    const code = async (message: unknown) => ((await router.handle(message)) as { error: { code: string } }).error.code;
    expect(await code("{not json")).toBe("bridge.invalid_message");
    expect(await code(JSON.stringify({ v: 2, id: 1, method: "demo.echo" }))).toBe("bridge.invalid_message");
    expect(await code({ v: 1, id: 1, method: "nope" })).toBe("bridge.invalid_message");
    expect(await code({ v: 1, id: 1, method: "demo.missing" })).toBe("bridge.unknown_method");
    expect(await code({ v: 1, id: 1, method: "demo.echo", params: { text: 5 } })).toBe("bridge.invalid_params");
    expect(await code({ v: 1, id: 1, method: "demo.echo", params: { text: "a", extra: 1 } })).toBe("bridge.invalid_params");
    expect(await code("x".repeat(1_000_001))).toBe("bridge.payload_too_large");
    expect(await code({ v: 1, id: 1, method: "demo.fail" })).toBe("storage.not_found");
    expect(await code({ v: 1, method: "demo.missing" })).toBe("bridge.unknown_method");
    expect(rejectedNotifications).toEqual(["demo.missing"]);
  });

  it("names the failing field in invalid params", async () => {
    const { router } = makeRouter();
    const reply = (await router.handle({ v: 1, id: 1, method: "demo.echo", params: { text: "x".repeat(51) } })) as { error: { message: string } };
    expect(reply.error.message).toMatch(/^demo\.echo: text: /);
  });

  it("keeps domain error data and hides internal crashes behind engine.internal", async () => {
    const { router } = makeRouter();
    expect(await router.handle({ v: 1, id: 2, method: "demo.fail" })).toEqual({
      v: 1,
      id: 2,
      error: { code: "storage.not_found", message: "nothing there", retryable: false, data: { id: "x" } },
    });
    const crash = (await router.handle({ v: 1, id: 3, method: "demo.crash" })) as { error: { code: string } };
    expect(crash.error.code).toBe("engine.internal");
  });

  it("refuses to register a method twice", () => {
    const { router } = makeRouter();
    expect(() => router.register({ "demo.echo": defineMethod(z.object({}), () => 1) })).toThrow(/registered twice/);
  });

  it("fuzz: 10,000 arbitrary messages always get a valid envelope (or none for a valid notification)", async () => {
    const { router } = makeRouter();
    const methods = fc.constantFrom("demo.echo", "demo.fail", "demo.crash", "demo.missing", "engine.version", "", "x", "a.b.c", "__proto__.x");
    const envelope = fc.record(
      {
        v: fc.oneof(fc.constant(1), fc.integer(), fc.string()),
        id: fc.oneof(fc.integer(), fc.string({ maxLength: 120 }), fc.constant(null), fc.double()),
        method: fc.oneof(methods, fc.string()),
        params: fc.oneof(fc.anything(), fc.record({ text: fc.oneof(fc.string({ maxLength: 60 }), fc.anything()) })),
      },
      { requiredKeys: [] },
    );
    const message = fc.oneof(
      envelope,
      envelope.map((e) => JSON.stringify(e) ?? "null"),
      fc.string(),
      fc.anything(),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      envelope.map((e) => (JSON.stringify(e) ?? "").slice(0, -1)),
    );
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(message, async (input) => {
        const reply = await router.handle(input);
        if (reply === undefined) {
          // Only a well-formed notification may go unanswered.
          const parsed = typeof input === "string" ? JSON.parse(input) : input;
          expect(parsed.v).toBe(1);
          expect("id" in parsed && parsed.id !== undefined).toBe(false);
          return;
        }
        requests++;
        expect(ReplySchema.safeParse(reply).success).toBe(true);
      }),
      { numRuns: 10_000, seed: 20261121 },
    );
    expect(requests).toBeGreaterThan(9_000);
    // The router still works after the storm.
    expect(await router.handle({ v: 1, id: 1, method: "demo.echo", params: { text: "ok" } })).toEqual({ v: 1, id: 1, result: { text: "ok" } });
  });
});

describe("callers", () => {
  function callerRouter() {
    const router = createRouter();
    let recorded = 0;
    router.register({
      "demo.echo": defineMethod(z.object({ text: z.string() }).strict(), ({ text }) => ({ text })),
      "demo.item": defineMethod(z.object({}).strict(), () => ++recorded, { callers: ["recorder"] }),
    });
    return { router, recorded: () => recorded };
  }

  it("lets each caller reach only its own methods, and an in-process call reach all", async () => {
    const { router, recorded } = callerRouter();
    expect(await router.handle({ v: 1, id: 1, method: "demo.item", params: {} }, "panel")).toMatchObject({ error: { code: "bridge.unknown_method" } });
    expect(await router.handle({ v: 1, id: 2, method: "demo.item", params: {} }, "command")).toMatchObject({ error: { code: "bridge.unknown_method" } });
    expect(recorded()).toBe(0);
    expect(await router.handle({ v: 1, id: 3, method: "demo.item", params: {} }, "recorder")).toEqual({ v: 1, id: 3, result: 1 });
    expect(await router.handle({ v: 1, id: 4, method: "demo.echo", params: { text: "x" } }, "recorder")).toMatchObject({ error: { code: "bridge.unknown_method" } });
    expect(await router.handle({ v: 1, id: 5, method: "demo.echo", params: { text: "x" } }, "panel")).toEqual({ v: 1, id: 5, result: { text: "x" } });
    expect(await router.handle({ v: 1, id: 6, method: "demo.item", params: {} })).toEqual({ v: 1, id: 6, result: 2 });
    expect(router.methods("panel")).toEqual(["demo.echo"]);
    expect(router.methods("recorder")).toEqual(["demo.item"]);
    expect(router.methods()).toEqual(["demo.echo", "demo.item"]);
  });
});
