import type { EngineEventMessage, HostPort, HttpPort, HttpResponse, LogLevel, RecorderPort, SecretName } from "./host-port.ts";
import { hostError } from "./host-port.ts";
import { createMemoryFiles } from "./memory-files.ts";
import { createOrderedTimers } from "./ordered-timers.ts";
import { sha256Hex } from "./sha256.ts";
import { createSimulatedTime, type SimulatedTime } from "./simulated-clock.ts";

export interface MemoryHostOptions {
  /** `"simulated"` (default): time moves only through `time.advance`. `"real"`: the platform's timers. */
  readonly time?: "simulated" | "real";
  readonly secrets?: Partial<Record<SecretName, string>>;
  readonly files?: HostPort["files"];
  readonly recorder?: RecorderPort;
  readonly media?: HostPort["media"];
  readonly imaging?: HostPort["imaging"];
  readonly seed?: number;
  readonly providerBaseUrls?: { readonly anthropic?: string; readonly openai?: string };
}

export interface MemoryHost extends HostPort {
  /** Present when time is simulated. */
  readonly time: SimulatedTime | undefined;
  readonly events: EngineEventMessage[];
  readonly logs: { level: LogLevel; message: string; data?: Readonly<Record<string, unknown>> }[];
}

/** Deterministic pseudo-random bytes (xorshift32), so tests replay exactly. */
function createRandom(seed: number): (length: number) => Uint8Array {
  let state = seed >>> 0 || 0x9e3779b9;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = state & 255;
    }
    return out;
  };
}

function uuidFrom(bytes: Uint8Array): string {
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** HTTP through the platform's fetch (Node 20, browsers); used by in-process hosts. */
export function createFetchHttp(fetchImpl: typeof fetch = globalThis.fetch): HttpPort {
  const inflight = new Map<string, AbortController>();
  return {
    async request(request) {
      const controller = new AbortController();
      inflight.set(request.id, controller);
      let timedOut = false;
      const timer = request.timeoutMs === undefined ? undefined : globalThis.setTimeout(() => { timedOut = true; controller.abort(); }, request.timeoutMs);
      try {
        const response = await fetchImpl(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body as BodyInit | undefined,
          signal: controller.signal,
        });
        const body = new Uint8Array(await response.arrayBuffer());
        const headers: Record<string, string> = {};
        response.headers.forEach((value, key) => { headers[key.toLowerCase()] = value; });
        return { status: response.status, statusText: response.statusText, headers, body } satisfies HttpResponse;
      } catch (error) {
        if (timedOut) throw hostError("timeout", `request timed out after ${request.timeoutMs} ms`);
        if (controller.signal.aborted) throw hostError("aborted", "request aborted");
        throw hostError("network", error instanceof Error ? error.message : String(error));
      } finally {
        if (timer !== undefined) globalThis.clearTimeout(timer);
        inflight.delete(request.id);
      }
    },
    abort(id) {
      inflight.get(id)?.abort();
    },
  };
}

/** An in-process host for tests and the browser demo: memory files, simulated or real time. */
export function createMemoryHost(options: MemoryHostOptions = {}): MemoryHost {
  const time = options.time === "real" ? undefined : createSimulatedTime();
  const origin = globalThis.performance?.now() ?? 0;
  const clock = time?.clock ?? {
    now: () => globalThis.Date.now(),
    elapsed: () => (globalThis.performance?.now() ?? 0) - origin,
  };
  const timers =
    time?.timers ??
    createOrderedTimers({
      set: (callback, ms) => globalThis.setTimeout(callback, ms),
      clear: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
      now: () => clock.elapsed(),
    });
  const random = createRandom(options.seed ?? 42);
  const files = options.files ?? createMemoryFiles(() => clock.now());
  const events: EngineEventMessage[] = [];
  const logs: MemoryHost["logs"] = [];
  return {
    info: { name: "memory", version: "1", platform: "any", nativeHash: false, providerBaseUrls: options.providerBaseUrls },
    time,
    events,
    logs,
    clock,
    timers,
    files,
    crypto: {
      sha256: async (bytes) => sha256Hex(bytes),
      async sha256File(path) {
        const bytes = await files.read(path);
        return { size: bytes.length, sha256: sha256Hex(bytes) };
      },
      randomUUID: () => uuidFrom(random(16)),
      randomBytes: (length) => random(length),
    },
    http: createFetchHttp(),
    secrets: { get: async (name) => options.secrets?.[name] },
    log: { write: (level, message, data) => void logs.push({ level, message, data }) },
    emit: (event) => void events.push(event),
    recorder: options.recorder,
    media: options.media,
    imaging: options.imaging,
  };
}
