import { describe, expect, it } from "vitest";
import { createMemoryHost, utf8Encode } from "../host/index.ts";
import { createMemoryAdapter, createStorage } from "../storage/index.ts";
import { createStoredLibrary } from "./stored-library.ts";
import { resolveEvidence } from "./timeline.ts";

const ID = "0b6c3f2e-8d1a-4c55-9e4f-3a2b1c0d9e8f";

async function seeded() {
  const host = createMemoryHost({ time: "real" });
  const storage = await createStorage({ host, adapter: createMemoryAdapter() });
  const now = host.clock.now();
  await storage.sessions.saveMetadata({ schemaVersion: 2, id: ID, name: "Stored one", status: "completed", startedAt: now - 60_000, endedAt: now, activeDurationMs: 60_000, tags: ["x"], enrichmentStatus: { status: "completed", stages: {}, totalCost: 0.02 } });
  const image = await storage.attachments.saveAttachment(utf8Encode("<svg xmlns='http://www.w3.org/2000/svg'/>"), { type: "screenshot", mimeType: "image/svg+xml" });
  for (let n = 0; n < 3; n++) {
    await storage.sessions.appendScreenshot(ID, { sequenceNumber: n, capturedAt: now - 60_000 + n * 5000, sessionTimeMs: n * 5000, attachmentId: image.id, width: 10, height: 10, analysis: { summary: `shot ${n}`, apps: ["Terminal"], provider: "local" } });
  }
  const wav = await storage.attachments.saveAttachment(new Uint8Array(64), { type: "audio", mimeType: "audio/wav" });
  await storage.sessions.appendAudioSegment(ID, { sequenceNumber: 0, attachmentId: wav.id, startSessionMs: 0, durationMs: 30_000, sampleRate: 8000, channels: 1, transcript: { text: "hello there", segments: [{ startMs: 1000, endMs: 2000, text: "hello there" }], provider: "local" } });
  await storage.sessions.saveSummary({
    sessionId: ID,
    summary: "Did things.",
    points: [{ text: "Point", evidence: [{ tStart: 5000, tEnd: 6000, kind: "screenshot", ref: "1" }] }],
    chapters: [{ title: "Start", startMs: 0, endMs: 60_000 }],
    tasks: [{ id: "t1", title: "Do it", evidence: [{ tStart: 10_000, tEnd: 11_000, kind: "screenshot", ref: "2" }], flagged: true }],
    notes: [],
    provider: "local",
    local: true,
    createdAt: now,
  });
  const month = new Date(now).toISOString().slice(0, 7);
  await storage.store.putJson(`ledger/${month}/entries/j1.screenshots.0.json`, { id: "j1.s.0", jobId: "j1", sessionId: ID, stepId: "screenshots.batch-0", at: now, month, usage: { provider: "anthropic", model: "haiku" }, costUsd: 0.01 });
  await storage.store.putJson(`ledger/${month}/entries/j1.screenshots.1.json`, { id: "j1.s.1", jobId: "j1", sessionId: ID, stepId: "screenshots.batch-1", at: now, month, usage: { provider: "anthropic", model: "haiku" }, costUsd: 0.005 });
  await storage.store.putJson(`ledger/${month}/entries/other.json`, { id: "o", jobId: "j2", sessionId: "someone-else", stepId: "summary", at: now, month, usage: { provider: "openai", model: "x" }, costUsd: 5 });
  await storage.store.putJson(`markers/${ID}.json`, [{ id: "m1", sessionId: ID, sessionTimeMs: 7000, at: now, note: "here" }]);
  return { storage, image };
}

describe("stored library", () => {
  it("maps stored sessions, chunks, summary and markers into the review view", async () => {
    const { storage, image } = await seeded();
    const library = createStoredLibrary(() => storage);
    const rows = await library.list({});
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: ID, name: "Stored one", screenshotCount: 3, audioSegmentCount: 1, enrichment: { state: "completed", totalCostUsd: 0.02 } });
    const detail = await library.detail(ID);
    expect(detail?.timeline.map((i) => i.kind)).toEqual(["chapter", "screenshot", "transcript", "screenshot", "marker", "screenshot"]);
    expect(detail?.summary).toMatchObject({ text: "Did things.", local: true });
    expect(detail?.tasks[0]).toMatchObject({ text: "Do it", unresolved: true });
    expect(detail?.media.audio).toHaveLength(1);
    expect(detail?.cost.lines).toEqual([{ stage: "screenshots", provider: "anthropic", model: "haiku", calls: 2, usd: 0.015 }]);
    const target = resolveEvidence(detail!.timeline, detail!.summary!.points[0]!.evidence[0]!);
    expect(detail!.timeline[target.index]).toMatchObject({ kind: "screenshot", ref: "1" });
    // Audio evidence with the same number resolves by time, not to screenshot 1.
    const audio = resolveEvidence(detail!.timeline, { tStart: 1_000, tEnd: 2_000, kind: "audio", ref: "1" });
    expect(detail!.timeline[audio.index]).toMatchObject({ kind: "transcript", t: 1_000 });
    const blob = await library.readBlob(image.id);
    expect(blob?.mimeType).toBe("image/svg+xml");
    expect(await library.detail("0b6c3f2e-8d1a-4c55-9e4f-000000000000")).toBeUndefined();
  });

  it("is empty while storage is not open", async () => {
    const library = createStoredLibrary(() => undefined);
    expect(await library.list({})).toEqual([]);
    expect(await library.detail(ID)).toBeUndefined();
    expect(await library.readBlob("a".repeat(64))).toBeUndefined();
  });
});
