/**
 * Test bundle run inside the real JavaScriptCore host (Scripts/jsc-host):
 * the host contract against the native host, negative self-checks that prove
 * the contract can fail, an engine smoke scenario with the real dist/engine.js,
 * and real AI SDK calls over `createHostFetch`. Bundled by
 * Scripts/test-suites/jsc.mjs; reports through the host's `__done`.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createHostFetch } from "../host/host-fetch.ts";
import type { HostPort } from "../host/host-port.ts";
import { hostContractCases } from "../host/host.contract.ts";
import * as assert from "./assert.ts";

interface HostConfig {
  readonly mode?: "suite" | "sdk-probe";
  /** sdk-probe: globals deleted after the engine installed its shims, to learn which ones the SDKs need. */
  readonly remove?: readonly string[];
  readonly httpUrl?: string;
  readonly fakeAiUrl?: string;
  readonly enginePath: string;
  /** A directory outside the data directory, for the absolute-path case. */
  readonly absoluteDir?: string;
}

interface StintEngineGlobal {
  readonly version: string;
  start(host: HostPort): Promise<{ version: string }>;
  handle(message: unknown): Promise<Record<string, unknown> | undefined>;
  subscribe(listener: (event: unknown) => void): () => void;
  stop(): Promise<void>;
}

declare const __stintHost: HostPort;
declare const __hostConfig: HostConfig;
declare const __hostTimes: { readonly contextCreatedMs: number };
declare function __done(code: number, json: string): void;
declare function __loadScript(path: string): void;

const host = __stintHost;
const config = __hostConfig;
const g = globalThis as Record<string, unknown>;

/** Globals a macOS JSContext lacks; the bare context must lack them too until the engine starts. */
const WEB_GLOBALS = ["setTimeout", "clearTimeout", "setInterval", "fetch", "TextEncoder", "TextDecoder", "URL", "URLSearchParams", "Headers", "AbortController", "AbortSignal", "queueMicrotask", "structuredClone", "Request", "Response", "ReadableStream", "window", "document", "process", "require", "crypto", "performance", "navigator", "print", "load"];

/** A case that has not settled by then is a failure (a hang must not eat the whole run). */
const CASE_LIMIT_MS = 15_000;

type Outcome = { name: string; ok: boolean; error?: string };
const outcomes: Outcome[] = [];

async function check(name: string, run: () => unknown): Promise<void> {
  // The runner shows the last case started when a run hangs into the wall-clock cap.
  console.log(`case: ${name}`);
  let timer: number | undefined;
  try {
    const limit = new Promise<never>((_, reject) => {
      timer = host.timers.setTimeout(() => reject(new Error(`the case did not settle within ${CASE_LIMIT_MS} ms`)), CASE_LIMIT_MS);
    });
    await Promise.race([Promise.resolve().then(run), limit]);
    outcomes.push({ name, ok: true });
  } catch (error) {
    const cause = (error as { cause?: unknown })?.cause;
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    outcomes.push({ name, ok: false, error: cause === undefined ? detail : `${detail} (cause: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)})` });
  } finally {
    if (timer !== undefined) host.timers.clearTimeout(timer);
    console.log(`case ${outcomes.at(-1)?.ok ? "passed" : "FAILED"}: ${outcomes.at(-1)?.error ?? ""}`);
  }
}

let dirCounter = 0;
const envFor = (prefix: string) => () => ({ httpUrl: config.httpUrl ?? "http://127.0.0.1:9", dir: `${prefix}/${dirCounter++}` });

/** What the native host must get right beyond the shared contract (things a Swift host must mirror). */
async function hostExtras(): Promise<void> {
  const url = config.httpUrl ?? "http://127.0.0.1:9";
  await check("native http: HEAD and 204 responses have empty bodies; header values may be numbers", async () => {
    const head = await host.http.request({ id: "x1", url: `${url}/echo`, method: "HEAD", headers: { "x-count": 3 as unknown as string } });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0, "HEAD body");
    const empty = await host.http.request({ id: "x2", url: `${url}/status/204`, method: "GET", headers: {} });
    assert.equal(empty.status, 204);
    assert.equal(empty.body.length, 0, "204 body");
  });
  await check("native http: a non-http URL or a bad request rejects with code network", async () => {
    await assert.rejects(() => host.http.request({ id: "x3", url: "https://127.0.0.1:9/", method: "GET", headers: {} }), "network");
    await assert.rejects(() => host.http.request({ id: "x4", url: `${url}/echo`, method: "GET", headers: { "x-bad": "a\r\nInjected: 1" } }), "network");
  });
  await check("native files: wrong kinds and wrong arguments reject with their codes", async () => {
    await host.files.mkdirp("extras/dir");
    await host.files.writeAtomic("extras/file.txt", new Uint8Array([1]));
    await assert.rejects(() => host.files.read("extras/dir"), "EISDIR");
    await assert.rejects(() => host.files.list("extras/file.txt"), "ENOTDIR");
    await assert.rejects(() => host.files.writeAtomic("extras/file.txt/child", new Uint8Array([1])), "ENOTDIR");
    await assert.rejects(() => host.files.writeAtomic("extras/x", [1, 2] as unknown as Uint8Array), "EINVAL");
    const space = await host.files.diskSpace?.("extras");
    assert.ok(space !== undefined && space.free > 0 && space.total >= space.free, `diskSpace ${JSON.stringify(space)}`);
  });
  await check("native files: an absolute path is used as given; the empty path is the data directory", async () => {
    const absolute = config.absoluteDir;
    assert.ok(absolute !== undefined && absolute.startsWith("/"), "absoluteDir configured");
    await host.files.writeAtomic(`${absolute}/outside.txt`, new Uint8Array([7, 7]));
    assert.equal((await host.files.stat(`${absolute}/outside.txt`))?.size, 2);
    assert.ok((await host.files.list("")).includes("extras"), "list('') lists the data directory");
  });
  await check("native secrets: unknown or unset names resolve undefined", async () => {
    assert.equal(await host.secrets.get("ANTHROPIC_API_KEY"), undefined);
    assert.equal(await host.secrets.get("PATH" as never), undefined, "only the named secrets are readable");
  });
}

/** A host that misbehaves in one way; the named contract case must catch it. */
async function expectContractFailure(label: string, caseName: string, broken: HostPort): Promise<void> {
  await check(`self-check: the contract catches ${label}`, async () => {
    const contractCase = hostContractCases.find((c) => c.name === caseName);
    assert.ok(contractCase !== undefined, `contract case exists: ${caseName}`);
    let caught = false;
    try {
      await contractCase.run(broken, envFor("negative")());
    } catch {
      caught = true;
    }
    assert.ok(caught, `the case "${caseName}" passed against a broken host`);
  });
}

async function contractSuite(): Promise<void> {
  await check("bare context: no web or platform globals before the engine starts", () => {
    const present = WEB_GLOBALS.filter((name) => g[name] !== undefined);
    assert.deepEqual(present, [], "globals present");
    assert.equal(typeof g.console, "object", "console (a macOS JSContext has one)");
  });
  await check("host bytes are real Uint8Arrays", async () => {
    const bytes = host.crypto.randomBytes(8);
    assert.equal(Object.prototype.toString.call(bytes), "[object Uint8Array]");
    await host.files.writeAtomic("typed/x.bin", new Uint8Array([1, 2, 3]));
    const back = await host.files.read("typed/x.bin");
    assert.ok(back instanceof Uint8Array && back.buffer instanceof ArrayBuffer, "read returns a Uint8Array over an ArrayBuffer");
  });
  await hostExtras();
  const contractEnv = envFor("contract");
  for (const contractCase of hostContractCases) await check(`contract: ${contractCase.name}`, () => contractCase.run(host, contractEnv()));

  await expectContractFailure("a wrong sha256", "crypto: sha256 test vectors", {
    ...host,
    crypto: { ...host.crypto, sha256: async (bytes) => (await host.crypto.sha256(bytes)).replace(/^./, (c) => (c === "0" ? "1" : "0")) },
  });
  await expectContractFailure("timers that ignore deadlines", "timers: fire in deadline order, equal deadlines in call order", {
    ...host,
    timers: { setTimeout: (callback, ms) => host.timers.setTimeout(callback, ms > 0 ? 1 : 0), clearTimeout: host.timers.clearTimeout },
  });
  await expectContractFailure("a writeAtomic that leaves its temporary file", "files: writeAtomic replaces whole content and leaves no temporary files", {
    ...host,
    files: {
      ...host.files,
      writeAtomic: async (path, bytes, options) => {
        await host.files.writeAtomic(`${path}.tmp-left`, bytes, options);
        return host.files.writeAtomic(path, bytes, options);
      },
    },
  });
}

function isEnvelope(reply: unknown): reply is { v: 1; id: unknown; result?: unknown; error?: { code: string; message: string; retryable: boolean } } {
  const r = reply as Record<string, unknown> | undefined;
  if (r === undefined || r === null || r.v !== 1 || !("id" in r)) return false;
  if ("result" in r) return !("error" in r);
  const e = r.error as Record<string, unknown> | undefined;
  return e !== undefined && typeof e.code === "string" && typeof e.message === "string" && typeof e.retryable === "boolean";
}

async function engineSmoke(): Promise<void> {
  const before = new Set(Object.getOwnPropertyNames(globalThis));
  await check("engine.js loads and installs exactly one global, StintEngine", () => {
    __loadScript(config.enginePath);
    const added = Object.getOwnPropertyNames(globalThis).filter((name) => !before.has(name));
    assert.deepEqual(added, ["StintEngine"]);
    assert.deepEqual(WEB_GLOBALS.filter((name) => g[name] !== undefined), [], "no web globals installed at load");
  });
  const engine = g.StintEngine as StintEngineGlobal | undefined;
  if (engine === undefined) return;
  const heard: unknown[] = [];
  const emitted: unknown[] = [];
  const unsubscribe = engine.subscribe((event) => heard.push(event));
  const observed: HostPort = { ...host, emit: (event) => (emitted.push(event), host.emit(event)) };
  await check("handle before start answers engine.not_started", async () => {
    const reply = await engine.handle({ v: 1, id: "early", method: "engine.version", params: {} });
    assert.ok(isEnvelope(reply) && reply.error?.code === "engine.not_started", JSON.stringify(reply));
  });
  await check("StintEngine.start(nativeHost) resolves with the version", async () => {
    const started = await engine.start(observed);
    assert.equal(started.version, engine.version);
    // Events emitted while features start reach host.emit before start() resolves; compare from here on.
    emitted.length = 0;
    heard.length = 0;
  });
  await check("engine.version answers", async () => {
    const reply = await engine.handle({ v: 1, id: 1, method: "engine.version", params: {} });
    assert.ok(isEnvelope(reply) && reply.id === 1, JSON.stringify(reply));
    assert.equal((reply.result as { version: string }).version, engine.version);
  });
  await check("engine.capabilities names the jsc-test host and its methods", async () => {
    const reply = await engine.handle(JSON.stringify({ v: 1, id: "caps", method: "engine.capabilities", params: {} }));
    assert.ok(isEnvelope(reply) && reply.id === "caps" && reply.result !== undefined, JSON.stringify(reply));
    const result = reply.result as { host: { name: string; nativeHash: boolean }; methods: string[]; optional: Record<string, boolean> };
    assert.equal(result.host.name, "jsc-test");
    assert.equal(result.host.nativeHash, true);
    assert.ok(result.methods.includes("engine.version") && result.methods.includes("engine.capabilities"), "methods listed");
    assert.equal(result.optional.recorder, false, "no recorder on this host");
  });
  const malformed: [string, unknown][] = [
    ["not JSON", "{not json"],
    ["a number", 42],
    ["null", null],
    ["an unknown method", { v: 1, id: 10, method: "nope.nothing", params: {} }],
    ["wrong params", { v: 1, id: 11, method: "engine.version", params: { extra: true } }],
    ["a bad version", { v: 2, id: 12, method: "engine.version", params: {} }],
    ["a bad method name", { v: 1, id: 13, method: "NOT A METHOD", params: {} }],
    ["an oversized payload", { v: 1, id: 14, method: "engine.version", params: { blob: "x".repeat(1_200_000) } }],
  ];
  for (const [label, message] of malformed) {
    await check(`malformed message gets a typed error reply: ${label}`, async () => {
      const reply = await engine.handle(message);
      assert.ok(isEnvelope(reply) && reply.error !== undefined, `reply: ${JSON.stringify(reply)?.slice(0, 300)}`);
      assert.ok(/^[a-z]+\.[a-z_]+$/.test(reply.error.code), `typed code: ${reply.error.code}`);
    });
  }
  await check("the engine still answers after malformed input", async () => {
    const reply = await engine.handle({ v: 1, id: "after", method: "engine.version", params: {} });
    assert.ok(isEnvelope(reply) && reply.result !== undefined, JSON.stringify(reply));
  });
  await check("subscribe: listeners hear exactly what host.emit sends; unsubscribe stops them", async () => {
    await new Promise<void>((resolve) => host.timers.setTimeout(() => resolve(), 20));
    assert.equal(typeof unsubscribe, "function");
    assert.deepEqual(heard, emitted, "listener events equal host.emit events");
    for (const event of heard) assert.ok((event as { v?: unknown }).v === 1 && typeof (event as { method?: unknown }).method === "string", "event envelope");
    unsubscribe();
  });
  await check("stop() then handle answers engine.not_started", async () => {
    await engine.stop();
    const reply = await engine.handle({ v: 1, id: "late", method: "engine.version", params: {} });
    assert.ok(isEnvelope(reply) && reply.error?.code === "engine.not_started", JSON.stringify(reply));
    await engine.start(observed);
  });
}

async function sdkCalls(): Promise<void> {
  const baseURL = config.fakeAiUrl;
  if (baseURL === undefined) return;
  // Tiny chunks split multi-byte characters across reads, exercising the streaming decoder.
  const hostFetch = createHostFetch(host, { chunkSize: 7 });
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    try {
      return await hostFetch(input, init);
    } catch (error) {
      console.log(`fetch rejected: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      throw error;
    }
  }) as typeof globalThis.fetch;
  const anthropic = new Anthropic({ apiKey: "test-key-not-secret", baseURL, fetch, maxRetries: 0, timeout: 5000 });
  const openai = new OpenAI({ apiKey: "test-key-not-secret", baseURL: `${baseURL}/v1`, fetch, maxRetries: 0, timeout: 5000 });
  await check("sdk: Anthropic messages.create through createHostFetch", async () => {
    const message = await anthropic.messages.create({ model: "claude-test", max_tokens: 32, messages: [{ role: "user", content: "Say hello" }] });
    const first = message.content[0];
    assert.ok(first?.type === "text" && first.text === "Hello from the loopback fake", JSON.stringify(message));
    assert.equal(message.usage.output_tokens, 5);
  });
  await check("sdk: Anthropic streaming decodes server-sent events", async () => {
    const stream = await anthropic.messages.create({ model: "claude-test", max_tokens: 32, stream: true, messages: [{ role: "user", content: "Stream — naïve 会議" }] });
    let text = "";
    for await (const event of stream) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    assert.equal(text, "Hello, naïve 会議 📼!");
  });
  await check("sdk: Anthropic maps 429 to RateLimitError with retry-after", async () => {
    const error = await assert.rejects(() => anthropic.messages.create({ model: "rate-limit", max_tokens: 8, messages: [{ role: "user", content: "x" }] }));
    assert.ok(error instanceof Anthropic.RateLimitError, `got ${error?.constructor?.name}: ${error.message}`);
    assert.equal((error as InstanceType<typeof Anthropic.RateLimitError>).headers?.get("retry-after"), "7");
  });
  await check("sdk: Anthropic abort surfaces as APIUserAbortError", async () => {
    const controller = new (g.AbortController as typeof AbortController)();
    const pending = anthropic.messages.create({ model: "slow", max_tokens: 8, messages: [{ role: "user", content: "x" }] }, { signal: controller.signal });
    host.timers.setTimeout(() => controller.abort(), 30);
    const error = await assert.rejects(() => pending);
    assert.ok(error instanceof Anthropic.APIUserAbortError, `got ${error?.constructor?.name}: ${error.message}`);
  });
  await check("sdk: Anthropic timeout surfaces as APIConnectionTimeoutError", async () => {
    const error = await assert.rejects(() => anthropic.messages.create({ model: "slow", max_tokens: 8, messages: [{ role: "user", content: "x" }] }, { timeout: 100 }));
    assert.ok(error instanceof Anthropic.APIConnectionTimeoutError, `got ${error?.constructor?.name}: ${error.message}`);
  });
  await check("sdk: OpenAI chat.completions.create through createHostFetch", async () => {
    const completion = await openai.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "Say hello" }] });
    assert.equal(completion.choices[0]?.message.content, "Hello from the loopback fake");
  });
  await check("sdk: OpenAI streaming decodes server-sent events", async () => {
    const stream = await openai.chat.completions.create({ model: "gpt-test", stream: true, messages: [{ role: "user", content: "Stream" }] });
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    assert.equal(text, "Hello, naïve 会議 📼!");
  });
}

async function sdkProbe(): Promise<void> {
  __loadScript(config.enginePath);
  await (g.StintEngine as StintEngineGlobal).start(host);
  for (const name of config.remove ?? []) delete g[name];
  await sdkCalls();
  __done(0, JSON.stringify({ outcomes }));
}

async function main(): Promise<void> {
  if (config.mode === "sdk-probe") return sdkProbe();
  await contractSuite();
  await engineSmoke();
  await sdkCalls();
  const failed = outcomes.filter((o) => !o.ok).length;
  __done(failed === 0 ? 0 : 1, JSON.stringify({ outcomes }));
}

main().catch((error: unknown) => {
  __done(1, JSON.stringify({ outcomes, fatal: error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ""}` : String(error) }));
});
