import { describe, expect, it } from "vitest";
import * as z from "zod";
import { defineMethod } from "../bridge/index.ts";
import { createMemoryHost } from "../host/index.ts";
import { createEngine } from "./create-engine.ts";
import { ENGINE_VERSION } from "./version.ts";

describe("createEngine", () => {
  it("answers engine.version and engine.capabilities", async () => {
    const host = createMemoryHost();
    const engine = await createEngine(host, []);
    expect(await engine.handle({ v: 1, id: 1, method: "engine.version", params: {} })).toEqual({ v: 1, id: 1, result: { version: ENGINE_VERSION, protocol: 1 } });
    const caps = (await engine.handle({ v: 1, id: 2, method: "engine.capabilities" })) as { result: { optional: Record<string, boolean>; methods: string[] } };
    expect(caps.result.optional).toEqual({ recorder: false, media: false, imaging: false, vision: false, speech: false, languageModel: false, lock: false });
    expect(caps.result.methods).toContain("engine.version");
  });

  it("starts features in order, stops them in reverse, and delivers events to host and subscribers", async () => {
    const host = createMemoryHost();
    const order: string[] = [];
    const engine = await createEngine(host, [
      (ctx) => ({ name: "a", methods: { "a.ping": defineMethod(z.object({}), () => { ctx.emit("a.pinged", { n: 1 }); return "pong"; }) }, start: async () => void order.push("start a"), stop: async () => void order.push("stop a") }),
      (ctx) => ({ name: "b", methods: {}, start: async () => void order.push(`start b sees a=${ctx.features.has("a")}`), stop: async () => void order.push("stop b") }),
    ]);
    const seen: string[] = [];
    const off = engine.subscribe((event) => seen.push(event.method));
    expect(await engine.handle({ v: 1, id: 1, method: "a.ping" })).toEqual({ v: 1, id: 1, result: "pong" });
    off();
    await engine.handle({ v: 1, id: 2, method: "a.ping" });
    await engine.stop();
    expect(order).toEqual(["start a", "start b sees a=true", "stop b", "stop a"]);
    expect(seen).toEqual(["a.pinged"]);
    expect(host.events.map((e) => e.method)).toEqual(["a.pinged", "a.pinged"]);
  });

  it("redacts secrets from logs", async () => {
    const host = createMemoryHost();
    const engine = await createEngine(host, []);
    engine.context.logger.info("calling with sk-ant-abcdefghijklmnop1234", { apiKey: "sk-secret", nested: { note: "Bearer abcdefghijklmnopqrstuvwxyz" } });
    const line = JSON.stringify(host.logs);
    expect(line).not.toContain("sk-ant-abcdefghijklmnop1234");
    expect(line).not.toContain("sk-secret");
    expect(line).not.toContain("abcdefghijklmnopqrstuvwxyz");
    expect(line).toContain("[redacted]");
  });
});

describe("createEngine onEvent", () => {
  it("hears events that features send while they start", async () => {
    const host = createMemoryHost();
    const heard: string[] = [];
    await createEngine(host, [(ctx) => ({ name: "early", methods: {}, start: async () => ctx.emit("early.started", {}) })], { onEvent: (e) => heard.push(e.method) });
    expect(heard).toEqual(["early.started"]);
    expect(host.events.map((e) => e.method)).toEqual(["early.started"]);
  });
});
