/** Shared fixtures for enrichment tests (not a test file itself). */
import { buildWavHeader } from "../media/wav.ts";
import { createMemoryHost, type MemoryHost } from "../host/index.ts";
import { createFakeAi, type FakeAi } from "../testing/fake-ai/index.ts";
import { BackgroundEnrichmentManager, type EnrichmentManagerOptions } from "./manager.ts";
import type { SessionView } from "./session-source.ts";
import { createMemorySessionSource, createMemoryStore, type MemorySessionSource, type MemoryStore } from "./test-support.ts";

export function fakePng(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

export function silentWav(seconds: number, rate = 8000): Uint8Array {
  const dataLength = Math.round(seconds * rate) * 2;
  const out = new Uint8Array(44 + dataLength);
  out.set(buildWavHeader({ audioFormat: 1, channels: 1, sampleRate: rate, bitsPerSample: 16 }, dataLength));
  return out;
}

let counter = 0;
const hex = (n: number) => n.toString(16).padStart(12, "0");

/** A session with screenshots every 5 s (runs of duplicates), audio segments and markers. */
export function addSession(source: MemorySessionSource, options: { screenshots?: number; audio?: number; audioSeconds?: number; markers?: number; uniqueEvery?: number; size?: readonly [number, number] } = {}): SessionView {
  const [width, height] = options.size ?? [2560, 1600];
  const id = `00000000-0000-4000-8000-${hex(++counter)}`;
  const shots = options.screenshots ?? 6;
  const uniqueEvery = options.uniqueEvery ?? 2;
  const audioSeconds = options.audioSeconds ?? 10;
  const screenshots = Array.from({ length: shots }, (_, i) => {
    const attachmentId = `shot-${id}-${i}`;
    source.blobs.set(attachmentId, fakePng(width, height));
    return { ref: String(i), t: i * 5000, attachmentId, width, height, isDuplicate: i % uniqueEvery !== 0, mimeType: "image/png" };
  });
  const audio = Array.from({ length: options.audio ?? 2 }, (_, i) => {
    const attachmentId = `audio-${id}-${i}`;
    source.blobs.set(attachmentId, silentWav(audioSeconds));
    return { ref: String(i), tStart: i * audioSeconds * 1000, tEnd: (i + 1) * audioSeconds * 1000, attachmentId, silent: false };
  });
  const durationMs = Math.max(shots * 5000, (options.audio ?? 2) * audioSeconds * 1000);
  const markers = Array.from({ length: options.markers ?? 1 }, (_, i) => ({ ref: `marker-${i}`, t: Math.round(((i + 1) * durationMs) / ((options.markers ?? 1) + 1)), label: `Marker ${i + 1}: decided to ship` }));
  const view: SessionView = { id, name: `Session ${counter}`, status: "completed", durationMs, screenshots, audio, markers, videoSegments: [] };
  source.sessions.set(id, view);
  return view;
}

export interface Fixture {
  readonly host: MemoryHost;
  readonly fake: FakeAi;
  readonly store: MemoryStore;
  readonly sessions: MemorySessionSource;
  manager: BackgroundEnrichmentManager;
  /** Kills this "process" (writes hang) and starts a new manager over the same store. */
  restart(overrides?: Partial<EnrichmentManagerOptions>): Promise<BackgroundEnrichmentManager>;
}

export async function createFixture(options: { keys?: ("anthropic" | "openai")[]; fake?: FakeAi; manager?: Partial<EnrichmentManagerOptions>; seed?: number } = {}): Promise<Fixture> {
  const keys = options.keys ?? ["anthropic", "openai"];
  const host = createMemoryHost({
    seed: options.seed,
    secrets: { ANTHROPIC_API_KEY: keys.includes("anthropic") ? "sk-ant-test-key-123456" : undefined, OPENAI_API_KEY: keys.includes("openai") ? "sk-test-openai-key-1234567890" : undefined },
    providerBaseUrls: { anthropic: "http://fake-ai.local", openai: "http://fake-ai.local" },
  });
  const fake = options.fake ?? createFakeAi();
  let store = createMemoryStore();
  const sessions = createMemorySessionSource();
  const make = (overrides: Partial<EnrichmentManagerOptions> = {}) =>
    // The memory host reads no screen text: these tests allow unread screenshots out, as a user may.
    new BackgroundEnrichmentManager({ host, store, sessions, emit: (method, params) => host.emit({ v: 1, method, params }), fetch: fake.fetch, batchPollMs: 1000, defaults: { allowUnreadScreenshots: true }, ...options.manager, ...overrides });
  const fixture: Fixture = {
    host,
    fake,
    get store() {
      return store;
    },
    sessions,
    manager: make(),
    async restart(overrides) {
      fixture.manager.queue.abandon();
      store.kill();
      store = store.reopen();
      fixture.manager = make(overrides);
      await fixture.manager.initialize();
      return fixture.manager;
    },
  };
  await fixture.manager.initialize();
  return fixture;
}

/** Lets real I/O (the fake fetch's streams) progress, then moves simulated time. */
export async function settle(host: MemoryHost, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
  void host;
}

/** Runs until `done()` holds, alternating real I/O and simulated time; returns simulated ms used. */
export async function runUntil(host: MemoryHost, done: () => boolean, limitMs = 24 * 3600_000, stepMs = 1000): Promise<number> {
  const start = host.clock.elapsed();
  while (!done() && host.clock.elapsed() - start < limitMs) {
    await settle(host);
    if (done()) break;
    await host.time!.advance(stepMs);
  }
  return host.clock.elapsed() - start;
}
