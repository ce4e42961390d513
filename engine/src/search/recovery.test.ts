import { describe, expect, it } from "vitest";
import { utf8Encode } from "../host/index.ts";
import { createMemoryAdapter, type KvAdapter } from "../storage/index.ts";
import { filler, openRig, plant, sessionId } from "./corpus.test-helpers.ts";
import { dirtyKey } from "./search-store.ts";
import { docsKey, DOCS_PER_CHUNK, segmentKey } from "./segment-store.ts";

const SESSIONS = [
  { n: 1, name: "Alpha sync", day: 0, transcript: [[10_000, `${filler(1, 30)} the lighthouse budget`]] as [number, string][] },
  { n: 2, name: "Beta sync", day: 1, transcript: [[20_000, `${filler(2, 30)} harbour schedule`]] as [number, string][] },
];

/** Fails the first commit that writes a search segment, as a crash mid-update would. */
function failingSegmentWrites(data: Map<string, Uint8Array>): KvAdapter & { hits: number } {
  const inner = createMemoryAdapter({ data });
  const adapter = {
    ...inner,
    hits: 0,
    async commit(ops: Parameters<KvAdapter["commit"]>[0]) {
      if (adapter.hits === 0 && ops.some((op) => op.key.startsWith("search/segments/"))) {
        adapter.hits++;
        throw Object.assign(new Error("I/O error (simulated crash)"), { code: "EIO" });
      }
      return inner.commit(ops);
    },
  };
  return adapter;
}

describe("search index recovery", () => {
  it("a change committed right before a crash is marked in the same commit and indexed on reopen", async () => {
    const first = await openRig();
    for (const s of SESSIONS) await plant(first.storage, s);
    expect((await first.search.query({ query: "lighthouse" })).hits).toHaveLength(1);
    expect(first.data.has(dirtyKey(sessionId(1)))).toBe(false);
    await first.storage.sessions.updateMetadata(sessionId(1), (m) => ({ ...m, name: "Lantern planning" }));
    // The crash: the process dies before anything indexes the change.
    expect(first.data.has(dirtyKey(sessionId(1)))).toBe(true);
    const segmentBefore = first.data.get(segmentKey(sessionId(1)));

    const second = await openRig({ data: first.data });
    expect((await second.search.verify()).pending).toEqual([sessionId(1)]);
    expect((await second.search.query({ query: "lantern" })).hits.map((h) => h.sessionId)).toEqual([sessionId(1)]);
    expect(second.data.get(segmentKey(sessionId(1)))).not.toEqual(segmentBefore);
    expect(second.data.has(dirtyKey(sessionId(1)))).toBe(false);
    expect(await second.search.verify()).toMatchObject({ ok: true, pending: [] });
    await second.close();
  });

  it("a segment write that fails mid-update leaves the mark, and the next open rebuilds it", async () => {
    let adapter: ReturnType<typeof failingSegmentWrites> | undefined;
    const first = await openRig({ adapter: (data) => (adapter = failingSegmentWrites(data)) });
    for (const s of SESSIONS) await plant(first.storage, s);
    await expect(first.search.query({ query: "harbour" })).rejects.toMatchObject({ code: expect.stringMatching(/^storage\./) });
    expect(adapter!.hits).toBe(1);
    expect(first.data.has(dirtyKey(sessionId(1))) || first.data.has(dirtyKey(sessionId(2)))).toBe(true);

    const second = await openRig({ data: first.data });
    expect((await second.search.query({ query: "harbour" })).hits.map((h) => [h.sessionId, h.startMs])).toEqual([[sessionId(2), 20_000]]);
    expect((await second.search.query({ query: "lighthouse" })).hits.map((h) => h.sessionId)).toEqual([sessionId(1)]);
    expect(await second.search.verify()).toMatchObject({ ok: true });
    await second.close();
  });

  it("verify finds a damaged or stale segment and repair rebuilds the index from the records", async () => {
    const first = await openRig();
    for (const s of SESSIONS) await plant(first.storage, s);
    await first.search.refresh();
    await first.close();
    const data = first.data;
    data.set(segmentKey(sessionId(1)), utf8Encode("{not json"));
    const read = (key: string) => JSON.parse(new TextDecoder().decode(data.get(key)!)) as unknown;
    const chunk = (read(docsKey(sessionId(2), 0)) as unknown[][]).filter((doc) => doc[0] !== 3); // drop its transcript entries
    const head = read(segmentKey(sessionId(2))) as { docs: number };
    expect(head.docs).toBeLessThanOrEqual(DOCS_PER_CHUNK);
    data.set(docsKey(sessionId(2), 0), utf8Encode(JSON.stringify(chunk)));
    data.set(segmentKey(sessionId(2)), utf8Encode(JSON.stringify({ ...head, docs: chunk.length })));
    data.set(segmentKey(sessionId(9)), utf8Encode(JSON.stringify({ ...head, docs: chunk.length, sessionId: sessionId(9) })));
    data.set(docsKey(sessionId(9), 0), utf8Encode(JSON.stringify(chunk)));

    const second = await openRig({ data });
    const report = await second.search.verify();
    expect(report).toMatchObject({ ok: false, missing: [sessionId(1)], stale: [sessionId(2)], orphaned: [sessionId(9)] });
    expect(await second.search.repair()).toEqual({ sessions: 2 });
    expect(await second.search.verify()).toMatchObject({ ok: true, missing: [], stale: [], orphaned: [] });
    expect(data.has(segmentKey(sessionId(9)))).toBe(false);
    expect(data.has(docsKey(sessionId(9), 0))).toBe(false);
    expect((await second.search.query({ query: "harbour" })).hits).toHaveLength(1);
    await second.close();
  });
});
