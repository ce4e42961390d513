/**
 * Test harness for the session feature: memory host on a simulated clock,
 * real storage on the memory adapter, the simulated recorder wired to the
 * engine's bridge. `run` advances simulated time until a promise settles,
 * since storage's group commit and the recorder both live on that clock.
 */
import type { Reply } from "../bridge/index.ts";
import { createEngine, type Engine } from "../engine/index.ts";
import { createMemoryHost, type EngineEventMessage, type MemoryHost } from "../host/index.ts";
import { createSessionFeature, type SessionFeature } from "../session/index.ts";
import { createMemoryAdapter, createStorage, type KvAdapter, type OpenedStorage } from "../storage/index.ts";
import { createSimulatedRecorder, type SimulatedRecorder, type SimulatedRecorderOptions } from "../simulated-recorder/index.ts";

export interface SessionHarness {
  readonly host: MemoryHost;
  readonly recorder: SimulatedRecorder;
  readonly storage: OpenedStorage;
  readonly adapter: KvAdapter;
  readonly engine: Engine;
  readonly feature: SessionFeature;
  readonly events: EngineEventMessage[];
  /** Advances simulated time in small steps until `promise` settles. */
  run<T>(promise: Promise<T>, stepMs?: number): Promise<T>;
  /** A bridge request; resolves with the reply (result or error). */
  request(method: string, params?: unknown): Promise<Reply>;
  /** A bridge request that must succeed. */
  call<T = Record<string, unknown>>(method: string, params?: unknown): Promise<T>;
  advance(ms: number): Promise<void>;
  /** Stops the engine (like quitting the app). */
  stop(): Promise<void>;
}

export interface HarnessOptions {
  readonly recorder?: SimulatedRecorderOptions;
  /** Reuse a storage adapter (an engine restart over the same data). */
  readonly adapter?: KvAdapter;
  readonly host?: MemoryHost;
  readonly nativeHash?: boolean;
}

export async function createSessionHarness(options: HarnessOptions = {}): Promise<SessionHarness> {
  const base = options.host ?? createMemoryHost();
  const recorder = createSimulatedRecorder(base, options.recorder);
  const host: MemoryHost = { ...base, recorder, info: { ...base.info, nativeHash: options.nativeHash ?? false } };
  const adapter = options.adapter ?? createMemoryAdapter();
  const time = host.time!;
  const run = async <T>(promise: Promise<T>, stepMs = 1): Promise<T> => {
    let done = false;
    promise.then(
      () => (done = true),
      () => (done = true),
    );
    // Settle without moving time when possible, so measured durations stay exact.
    for (let i = 0; !done && i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    for (let i = 0; !done && i < 1_000_000; i++) await time.advance(stepMs);
    return promise;
  };
  const storage = await run(createStorage({ host, adapter }));
  let feature: SessionFeature | undefined;
  const engine = await run(
    createEngine(host, [
      (ctx) => {
        feature = createSessionFeature(ctx, { storage });
        return feature;
      },
    ]),
  );
  recorder.connect((message) => engine.handle(message, "recorder"));
  const events: EngineEventMessage[] = [];
  engine.subscribe((event) => void events.push(event));
  let nextId = 1;
  const request = (method: string, params: unknown = {}) => run(engine.handle({ v: 1, id: nextId++, method, params })) as Promise<Reply>;
  return {
    host,
    recorder,
    storage,
    adapter,
    engine,
    feature: feature!,
    events,
    run,
    request,
    async call<T>(method: string, params: unknown = {}) {
      const reply = (await request(method, params)) as { result?: unknown; error?: { code: string; message: string } };
      if (reply.error !== undefined) throw Object.assign(new Error(`${method}: ${reply.error.code}: ${reply.error.message}`), { code: reply.error.code });
      return reply.result as T;
    },
    async advance(ms) {
      // Small steps with the event loop drained between them: item processing (storage's
      // async chains) finishes before the next capture, as it would on a real clock.
      for (let left = ms; left > 0; left -= 100) {
        await time.advance(Math.min(100, left));
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
      }
    },
    async stop() {
      await run(engine.stop());
      await run(storage.queue.flush());
    },
  };
}
