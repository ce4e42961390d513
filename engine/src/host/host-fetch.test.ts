import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createContractServer } from "../testing/contract-server.ts";
// @ts-expect-error — a plain .mjs test helper without type declarations.
import { startFakeAi } from "../../../Scripts/jsc-host/fake-ai.mjs";
import { createHostFetch, HostResponse } from "./host-fetch.ts";
import type { HostPort, HttpRequest } from "./host-port.ts";
import { createMemoryHost } from "./memory-host.ts";
import { ShimHeaders } from "./shims/headers.ts";
import { utf8Decode } from "./text-codec.ts";

let server: Awaited<ReturnType<typeof createContractServer>>;
beforeAll(async () => {
  server = await createContractServer();
});
afterAll(() => server.close());

/** A real-time memory host whose http calls are recorded. */
function recordingHost(): { host: HostPort; requests: HttpRequest[]; aborted: string[] } {
  const base = createMemoryHost({ time: "real" });
  const requests: HttpRequest[] = [];
  const aborted: string[] = [];
  const host: HostPort = {
    ...base,
    http: {
      request: (request) => {
        requests.push(request);
        return base.http.request(request);
      },
      abort: (id) => {
        aborted.push(id);
        base.http.abort(id);
      },
    },
  };
  return { host, requests, aborted };
}

type Echo = { method: string; url: string; headers: Record<string, string>; bodyLength: number; bodySha256: string };

describe("createHostFetch", () => {
  it("accepts a string, a URL or a Request-like input, and every headers shape", async () => {
    const { host, requests } = recordingHost();
    const fetch = createHostFetch(host);
    const viaString = await fetch(`${server.url}/echo?a=1`, { headers: { "X-One": "1" } });
    const viaUrl = await fetch(new URL(`${server.url}/echo?b=2`), { headers: [["X-Two", "2"]] });
    const viaRequest = await fetch({ url: `${server.url}/echo?c=3`, method: "GET", headers: new ShimHeaders({ "X-Three": "3" }) } as unknown as Request);
    const viaHeaders = await fetch(`${server.url}/echo`, { headers: new Headers({ "X-Four": "4" }) });
    expect(((await viaString.json()) as Echo).headers["x-one"]).toBe("1");
    expect(((await viaUrl.json()) as Echo).url).toBe("/echo?b=2");
    expect(((await viaRequest.json()) as Echo).headers["x-three"]).toBe("3");
    expect(((await viaHeaders.json()) as Echo).headers["x-four"]).toBe("4");
    expect(requests.map((r) => r.headers)).toEqual([{ "x-one": "1" }, { "x-two": "2" }, { "x-three": "3" }, { "x-four": "4" }]);
    expect(new Set(requests.map((r) => r.id)).size).toBe(4);
  });

  it("sends string, Uint8Array, ArrayBuffer, Blob and URLSearchParams bodies as bytes", async () => {
    const { host, requests } = recordingHost();
    const fetch = createHostFetch(host);
    const bytes = new Uint8Array(1000).map((_, i) => (i * 7) & 255);
    const bodies: [BodyInit, number, string | undefined][] = [
      ["héllo", 6, "text/plain;charset=UTF-8"],
      [bytes, 1000, undefined],
      [bytes.buffer, 1000, undefined],
      [new Blob(["ab"], { type: "application/x-test" }), 2, "application/x-test"],
      [new URLSearchParams({ q: "a b" }), 5, "application/x-www-form-urlencoded;charset=UTF-8"],
    ];
    for (const [body, length, type] of bodies) {
      const echo = (await (await fetch(`${server.url}/echo`, { method: "post", body })).json()) as Echo;
      expect(echo.method).toBe("POST");
      expect(echo.bodyLength).toBe(length);
      expect(echo.headers["content-type"]).toBe(type);
    }
    expect(requests.every((r) => r.body instanceof Uint8Array)).toBe(true);
    const explicit = (await (await fetch(`${server.url}/echo`, { method: "POST", body: "{}", headers: { "content-type": "application/json" } })).json()) as Echo;
    expect(explicit.headers["content-type"]).toBe("application/json");
    await expect(fetch(`${server.url}/echo`, { method: "GET", body: "x" })).rejects.toThrow(TypeError);
  });

  it("returns a Response-like object: status, Headers, text/json/arrayBuffer, a streamed body, clone", async () => {
    const { host } = recordingHost();
    const fetch = createHostFetch(host, { chunkSize: 10 });
    const response = (await fetch(`${server.url}/status/429`)) as unknown as HostResponse;
    expect(response.ok).toBe(false);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("7");
    expect(response.url).toBe(`${server.url}/status/429`);
    const copy = response.clone();
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.every((c) => c.length <= 10)).toBe(true);
    expect(utf8Decode(new Uint8Array(chunks.flatMap((c) => [...c])))).toBe(await copy.text());
    expect(response.bodyUsed).toBe(true);
    await expect(response.text()).rejects.toThrow(TypeError);
    expect(() => response.clone()).toThrow(TypeError);
    const again = (await fetch(`${server.url}/echo`)) as unknown as HostResponse;
    expect(new Uint8Array(await again.clone().arrayBuffer()).length).toBeGreaterThan(0);
    const reader = again.body.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    reader.releaseLock();
  });

  it("an abort signal aborts the host request and rejects with an AbortError", async () => {
    const { host, aborted } = recordingHost();
    const fetch = createHostFetch(host);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/slow/3000`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(aborted).toHaveLength(1);
    const before = aborted.length;
    await expect(fetch(`${server.url}/echo`, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: "AbortError" });
    expect(aborted.length).toBe(before);
  });

  it("timeouts and network failures reject with a TypeError the SDKs classify", async () => {
    const { host } = recordingHost();
    await expect(createHostFetch(host, { timeoutMs: 50 })(`${server.url}/slow/3000`)).rejects.toThrow(/timed out/);
    await expect(createHostFetch(host)("http://127.0.0.1:9/")).rejects.toThrow(TypeError);
  });

  it("carries the real Anthropic and OpenAI SDKs, streaming included", async () => {
    const fake = await startFakeAi();
    try {
      const { host } = recordingHost();
      const client = new Anthropic({ apiKey: "test-key-not-secret", baseURL: fake.url, fetch: createHostFetch(host, { chunkSize: 5 }), maxRetries: 0 });
      const message = await client.messages.create({ model: "claude-test", max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
      expect(message.content[0]).toMatchObject({ type: "text", text: "Hello from the loopback fake" });
      const stream = await client.messages.create({ model: "claude-test", max_tokens: 8, stream: true, messages: [{ role: "user", content: "hi" }] });
      let text = "";
      for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
      expect(text).toBe("Hello, naïve 会議 📼!");
      await expect(client.messages.create({ model: "rate-limit", max_tokens: 8, messages: [{ role: "user", content: "hi" }] })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
      const openai = new OpenAI({ apiKey: "test-key-not-secret", baseURL: `${fake.url}/v1`, fetch: createHostFetch(host, { chunkSize: 5 }), maxRetries: 0 });
      const chunks = await openai.chat.completions.create({ model: "gpt-test", stream: true, messages: [{ role: "user", content: "hi" }] });
      let streamed = "";
      for await (const chunk of chunks) streamed += chunk.choices[0]?.delta.content ?? "";
      expect(streamed).toBe("Hello, naïve 会議 📼!");
    } finally {
      await fake.close();
    }
  });
});
