import { describe, expect, it } from "vitest";
import { createBridgeClient } from "./client.ts";
import { createHttpTransport } from "./transport-http.ts";

function fakeFetch(status: number, body: string) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    return new Response(body, { status });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("dev host transport", () => {
  it("posts envelopes with the token and delivers the reply", async () => {
    const { fetch, calls } = fakeFetch(200, '{"v":1,"id":"r1","result":{"ok":true}}');
    const client = createBridgeClient();
    client.attach(createHttpTransport((m) => client.receive(m), { base: "http://127.0.0.1:9", token: "t0k", fetch, EventSource: undefined as unknown as typeof EventSource }));
    await expect(client.request("engine.version")).resolves.toEqual({ ok: true });
    expect(calls[0]?.url).toBe("http://127.0.0.1:9/bridge");
    expect((calls[0]?.init?.headers as Record<string, string>).authorization).toBe("Bearer t0k");
    expect(await client.blobUrl("ab")).toBe("http://127.0.0.1:9/blobs/ab?token=t0k");
  });

  it("says what to do when the token is refused", async () => {
    const { fetch } = fakeFetch(401, "wrong token");
    const client = createBridgeClient();
    client.attach(createHttpTransport((m) => client.receive(m), { base: "http://127.0.0.1:9", token: "old", fetch, EventSource: undefined as unknown as typeof EventSource }));
    await expect(client.request("engine.version")).rejects.toMatchObject({ code: "client.transport", message: expect.stringContaining("open the address `stint serve` printed") });
  });
});
