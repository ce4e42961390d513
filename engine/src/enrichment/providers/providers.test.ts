import { describe, expect, it } from "vitest";
import { createFakeAi } from "../../testing/fake-ai/index.ts";
import { buildWavHeader } from "../../media/wav.ts";
import { createAnthropicProvider } from "./anthropic.ts";
import { createOpenAiProvider } from "./openai.ts";
import type { CallContext, ImageInput, TimelineContext } from "./port.ts";
import { NonRetriableError, RetryAfterError, EngineError } from "../../bridge/index.ts";

/** A PNG header is all the fake reads to size an image. */
export function fakePng(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

function wav(seconds: number, rate = 16_000): Uint8Array {
  const dataLength = seconds * rate * 2;
  const out = new Uint8Array(44 + dataLength);
  out.set(buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: rate, bitsPerSample: 16 }, dataLength));
  return out;
}

const models = { screenshot: "claude-haiku-4-5", summary: "claude-sonnet-4-6", transcription: "gpt-4o-mini-transcribe" };
const call = (): CallContext => ({ signal: new AbortController().signal, timeoutMs: 5000 });
const images: ImageInput[] = [
  { ref: "shot-1", t: 0, bytes: fakePng(1500, 750), mimeType: "image/png", width: 1500, height: 750, path: "a.png" },
  { ref: "shot-2", t: 5000, bytes: fakePng(750, 750), mimeType: "image/png", width: 750, height: 750, path: "b.png" },
];
const timeline: TimelineContext = {
  sessionName: "Test",
  durationMs: 600_000,
  screenshots: [{ ref: "shot-1", t: 0, activity: "Editing", application: "Xcode", details: "" }],
  transcript: [{ ref: "audio-1", tStart: 0, tEnd: 60_000, text: "We need to fix the login." }],
  markers: [{ ref: "m-1", t: 300_000, label: "Break" }],
};

describe("anthropic provider against the fake Messages API", () => {
  it("analyses screenshots with usage computed from image sizes", async () => {
    const fake = createFakeAi();
    const provider = createAnthropicProvider({ apiKey: "sk-ant-test", baseURL: "http://fake.local", fetch: fake.fetch, models, now: () => 0 });
    const result = await provider.analyseScreenshots(images, call());
    expect(result.value.map((item) => item.ref)).toEqual(["shot-1", "shot-2"]);
    const tokens = result.usage[0]!.inputTokens;
    expect(tokens).toBeGreaterThanOrEqual(1500 + 750);
    expect(fake.requests).toHaveLength(1);
  });

  it("summarises through a forced tool call and validates the answer", async () => {
    const fake = createFakeAi();
    const provider = createAnthropicProvider({ apiKey: "k", baseURL: "http://fake.local", fetch: fake.fetch, models, now: () => 0 });
    const summary = await provider.summary(timeline, call());
    expect(summary.value.tasks.length).toBeGreaterThan(0);
    expect(summary.usage[0]!.model).toBe("claude-sonnet-4-6");
    fake.inject({ kind: "invalid-output" });
    await expect(provider.summary(timeline, call())).rejects.toMatchObject({ code: "enrichment.invalid_response", retryable: true });
    expect(fake.faultsHit["invalid-output"]).toBe(1);
  });

  it("classifies 429 retry-after, spend limit, 529 and malformed JSON", async () => {
    const fake = createFakeAi();
    const provider = createAnthropicProvider({ apiKey: "k", baseURL: "http://fake.local", fetch: fake.fetch, models, now: () => 0 });
    fake.inject({ kind: "rate-limit", retryAfterSeconds: 7 });
    const limited = await provider.chapters(timeline, call()).catch((e: unknown) => e);
    expect(limited).toBeInstanceOf(RetryAfterError);
    expect((limited as RetryAfterError).retryAfterMs).toBe(7000);
    fake.inject({ kind: "spend-limit" });
    const spend = await provider.chapters(timeline, call()).catch((e: unknown) => e);
    expect(spend).toBeInstanceOf(NonRetriableError);
    expect((spend as Error).message).toMatch(/usage limits/);
    fake.inject({ kind: "overloaded" });
    const overloaded = await provider.chapters(timeline, call()).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(EngineError);
    expect((overloaded as EngineError).retryable).toBe(true);
    fake.inject({ kind: "malformed-json" });
    const malformed = await provider.chapters(timeline, call()).catch((e: unknown) => e);
    expect((malformed as EngineError).retryable).toBe(true);
    expect(fake.faultsHit).toMatchObject({ "rate-limit": 1, "spend-limit": 1, overloaded: 1, "malformed-json": 1 });
  });

  it("runs bulk screenshot analysis through Message Batches", async () => {
    const fake = createFakeAi({ batchPolls: 1 });
    const provider = createAnthropicProvider({ apiKey: "k", baseURL: "http://fake.local", fetch: fake.fetch, models, now: () => 0 });
    const handle = await provider.submitScreenshotBatch!([[images[0]!], [images[1]!]], call());
    expect(await provider.collectScreenshotBatch!(handle, call())).toBeUndefined();
    const result = await provider.collectScreenshotBatch!(handle, call());
    expect(result?.value.map((i) => i.ref).sort()).toEqual(["shot-1", "shot-2"]);
    expect(result?.usage.every((u) => u.batch)).toBe(true);
  });

  it("times out while the server still completes the request", async () => {
    const fake = createFakeAi();
    const provider = createAnthropicProvider({ apiKey: "k", baseURL: "http://fake.local", fetch: fake.fetch, models, now: () => 0 });
    fake.inject({ kind: "timeout", delayMs: 10_000 });
    const error = await provider.chapters(timeline, { signal: new AbortController().signal, timeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as EngineError).code).toBe("enrichment.provider_unavailable");
    expect((error as EngineError).retryable).toBe(true);
    expect(fake.faultsHit.timeout).toBe(1);
    expect(fake.completedCount("/v1/messages")).toBe(1);
  });
});

describe("openai provider against the fake API", () => {
  it("transcribes, splitting files over the upload limit", async () => {
    const fake = createFakeAi();
    const provider = createOpenAiProvider({ apiKey: "sk-test", baseURL: "http://fake.local/v1", fetch: fake.fetch, models: { ...models, transcription: "whisper-1" }, now: () => 0, uploadLimitBytes: 200_000 });
    const bytes = wav(12);
    const result = await provider.transcribe!({ ref: "audio-1", tStart: 60_000, tEnd: 72_000, bytes, mimeType: "audio/wav", fileName: "a.wav", path: "a.wav" }, call());
    expect(fake.requests.filter((r) => r.path === "/v1/audio/transcriptions")).toHaveLength(Math.ceil(bytes.length / 200_000));
    expect(result.value[0]!.tStart).toBeGreaterThanOrEqual(60_000);
    expect(result.usage.reduce((sum, u) => sum + u.audioSeconds, 0)).toBeGreaterThanOrEqual(11.9);
  });

  it("uses the JSON-schema response format and classifies insufficient_quota", async () => {
    const fake = createFakeAi();
    const provider = createOpenAiProvider({ apiKey: "sk-test", baseURL: "http://fake.local/v1", fetch: fake.fetch, models: { screenshot: "gpt-4o-mini", summary: "gpt-4o-mini", transcription: "gpt-4o-mini-transcribe" }, now: () => 0 });
    const result = await provider.analyseScreenshots(images, call());
    expect(result.value).toHaveLength(2);
    expect(fake.requests[0]!.images).toBe(2);
    fake.inject({ kind: "spend-limit" });
    await expect(provider.summary(timeline, call())).rejects.toBeInstanceOf(NonRetriableError);
    expect(fake.faultsHit["spend-limit"]).toBe(1);
  });
});

describe("multipart bodies for hosts whose fetch carries bytes only", () => {
  it("serializes the SDK's FormData so the transcription upload survives a bytes-only fetch", async () => {
    const fake = createFakeAi();
    let sawFormData = 0;
    const bytesOnly = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (init?.body !== undefined && init.body !== null && !(init.body instanceof Uint8Array) && typeof init.body !== "string") {
        sawFormData++;
        throw new TypeError("fetch: unsupported body type");
      }
      return fake.fetch(input, init);
    }) as typeof fetch;
    const provider = createOpenAiProvider({ apiKey: "sk-test", baseURL: "http://fake.local/v1", fetch: bytesOnly, models: { ...models, transcription: "whisper-1" }, now: () => 0 });
    const result = await provider.transcribe!({ ref: "a", tStart: 0, tEnd: 2000, bytes: wav(2), mimeType: "audio/wav", fileName: "a.wav", path: "a.wav" }, call());
    expect(sawFormData).toBe(0);
    expect(result.value.length).toBeGreaterThan(0);
    expect(fake.requests[0]!.audioSeconds).toBeCloseTo(2, 1);
  });
});
