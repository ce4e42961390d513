import type { EngineContext } from "../engine/index.ts";
import { createMemoryHost, utf8Encode, type MemoryHost } from "../host/index.ts";
import { createMemoryAdapter, createStorage, type KvAdapter, type OpenedStorage } from "../storage/index.ts";
import { createSearchFeature, type SearchFeature, type SearchFeatureOptions } from "./search-feature.ts";

/** A fixed instant, so dates in queries never depend on today: 2026-03-02 09:00 UTC. */
export const BASE = Date.UTC(2026, 2, 2, 9, 0, 0);
const DAY = 86_400_000;

const FILLER = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu".split(" ");

/** A deterministic word stream (no needle words in it). */
export function filler(seed: number, count: number): string {
  let state = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out.push(FILLER[state % FILLER.length]!);
  }
  return out.join(" ");
}

export const sessionId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

export interface PlantedSession {
  readonly n: number;
  readonly name: string;
  readonly day: number;
  readonly tags?: readonly string[];
  /** [session ms, text] per transcript segment (one audio segment of 10 minutes holds them). */
  readonly transcript?: readonly (readonly [number, string])[];
  /** [session ms, screen text, apps] per screenshot. */
  readonly screens?: readonly (readonly [number, string, readonly string[]])[];
  readonly markers?: readonly (readonly [number, string])[];
  readonly summary?: { readonly text: string; readonly chapter?: readonly [number, number, string]; readonly task?: readonly [number, string]; readonly note?: readonly [number, string]; readonly point?: readonly [number, string] };
}

/** Writes one session's records the way recording and enrichment do. */
export async function plant(storage: OpenedStorage, session: PlantedSession): Promise<string> {
  const id = sessionId(session.n);
  const startedAt = BASE + session.day * DAY;
  await storage.sessions.saveMetadata({ schemaVersion: 2, id, name: session.name, status: "completed", startedAt, endedAt: startedAt + 600_000, activeDurationMs: 600_000, tags: [...(session.tags ?? [])] });
  const image = await storage.attachments.saveAttachment(utf8Encode(`shot-${session.n}`), { type: "screenshot", mimeType: "image/png" });
  for (const [i, [ms, text, apps]] of (session.screens ?? []).entries()) {
    await storage.sessions.appendScreenshot(id, { sequenceNumber: i, capturedAt: startedAt + ms, sessionTimeMs: ms, attachmentId: image.id, width: 10, height: 10, analysis: { summary: "", text, apps: [...apps], provider: "local" } });
  }
  if (session.transcript !== undefined) {
    const wav = await storage.attachments.saveAttachment(utf8Encode(`wav-${session.n}`), { type: "audio", mimeType: "audio/wav" });
    const segments = session.transcript.map(([ms, text]) => ({ startMs: ms, endMs: ms + 5_000, text }));
    await storage.sessions.appendAudioSegment(id, { sequenceNumber: 0, attachmentId: wav.id, startSessionMs: 0, durationMs: 600_000, sampleRate: 8000, channels: 1, transcript: { text: segments.map((s) => s.text).join(" "), segments, provider: "local" } });
  }
  if (session.markers !== undefined) {
    await storage.store.putJson(`markers/${id}.json`, session.markers.map(([ms, note], i) => ({ id: `${id.slice(0, 24)}${String(i).padStart(12, "0")}`, sessionId: id, sessionTimeMs: ms, at: startedAt + ms, note })));
  }
  const s = session.summary;
  if (s !== undefined) {
    const ev = (ms: number) => [{ tStart: ms, tEnd: ms + 5_000, kind: "audio" as const, ref: "0" }];
    await storage.sessions.saveSummary({
      sessionId: id,
      summary: s.text,
      points: s.point === undefined ? [] : [{ text: s.point[1], evidence: ev(s.point[0]) }],
      chapters: s.chapter === undefined ? [] : [{ title: s.chapter[2], startMs: s.chapter[0], endMs: s.chapter[1] }],
      tasks: s.task === undefined ? [] : [{ id: "t1", title: s.task[1], evidence: ev(s.task[0]) }],
      notes: s.note === undefined ? [] : [{ id: "n1", text: s.note[1], evidence: ev(s.note[0]) }],
      provider: "local",
      createdAt: startedAt + 600_000,
    });
  }
  return id;
}

export interface SearchRig {
  readonly host: MemoryHost;
  readonly data: Map<string, Uint8Array>;
  readonly storage: OpenedStorage;
  readonly search: SearchFeature;
  close(): Promise<void>;
}

/** Storage and the search feature over one memory map; passing the map again reopens after a "crash". */
export async function openRig(options: { readonly data?: Map<string, Uint8Array>; readonly adapter?: (data: Map<string, Uint8Array>) => KvAdapter; readonly feature?: SearchFeatureOptions } = {}): Promise<SearchRig> {
  const host = createMemoryHost();
  const data = options.data ?? new Map<string, Uint8Array>();
  const storage = await createStorage({ host, adapter: options.adapter?.(data) ?? createMemoryAdapter({ data }) });
  const logger = { debug() {}, info() {}, warn() {}, error() {} };
  const context: EngineContext = { host, emit() {}, logger, background: false, features: new Map([["storage", storage]]) };
  const search = (await createSearchFeature(options.feature)(context)) as SearchFeature;
  return {
    host,
    data,
    storage,
    search,
    async close() {
      await search.stop?.();
      await storage.close();
    },
  };
}
