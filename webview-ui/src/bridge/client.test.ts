import { afterEach, describe, expect, it, vi } from "vitest";
import { BridgeError, createBridgeClient } from "./client.ts";
import type { OutboundEnvelope } from "./transport.ts";

function harness() {
  const client = createBridgeClient({ timeoutMs: 1_000 });
  const sent: OutboundEnvelope[] = [];
  client.attach({ name: "local", post: async (e) => void sent.push(e), blobUrl: async (d) => `u/${d}`, close: () => undefined });
  return { client, sent };
}

afterEach(() => vi.useRealTimers());

describe("bridge client", () => {
  it("matches replies to requests by id and maps errors to BridgeError", async () => {
    const { client, sent } = harness();
    const a = client.request("review.list", { query: {} });
    const b = client.request("review.session", { id: "x" });
    expect(sent.map((e) => e.method)).toEqual(["review.list", "review.session"]);
    client.receive(JSON.stringify({ v: 1, id: sent[1]!.id, error: { code: "review.not_found", message: "no session x", retryable: false } }));
    client.receive({ v: 1, id: sent[0]!.id, result: { sessions: [] } });
    await expect(a).resolves.toEqual({ sessions: [] });
    await expect(b).rejects.toMatchObject({ code: "review.not_found", message: "no session x" });
    await expect(b).rejects.toBeInstanceOf(BridgeError);
  });

  it("times out a request that gets no reply, and ignores malformed and unknown replies", async () => {
    vi.useFakeTimers();
    const { client, sent } = harness();
    const pending = client.request("engine.version");
    client.receive("not json");
    client.receive({ v: 1, id: "unknown", result: 1 });
    client.receive({ v: 2, id: sent[0]!.id, result: 1 });
    vi.advanceTimersByTime(1_001);
    await expect(pending).rejects.toMatchObject({ code: "engine.timeout", retryable: true });
  });

  it("fans events out by name and to * listeners, and stops after unsubscribe", () => {
    const { client } = harness();
    const named: unknown[] = [];
    const all: string[] = [];
    const off = client.on("session.state", (p) => named.push(p));
    client.on("*", (_, method) => all.push(method));
    client.receive({ v: 1, method: "session.state", params: { status: "active" } });
    client.receive({ v: 1, method: "capture.health", params: {} });
    client.receive({ v: 1, method: "BAD", params: {} });
    off();
    client.receive({ v: 1, method: "session.state", params: { status: "paused" } });
    expect(named).toEqual([{ status: "active" }]);
    expect(all).toEqual(["session.state", "capture.health", "session.state"]);
  });

  it("rejects at once when the transport cannot send, and cancels pending requests on close", async () => {
    const client = createBridgeClient();
    client.attach({ name: "http", post: async () => Promise.reject(new Error("connection refused")), blobUrl: async () => undefined, close: () => undefined });
    await expect(client.request("engine.version")).rejects.toMatchObject({ code: "client.transport", message: expect.stringContaining("connection refused") });
    const ok = harness();
    const pending = ok.client.request("engine.version");
    ok.client.close();
    await expect(pending).rejects.toMatchObject({ code: "client.closed" });
  });

  it("hands out attachment URLs from the transport", async () => {
    const { client } = harness();
    expect(await client.blobUrl("ab")).toBe("u/ab");
  });
});
