import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createNodeHost } from "../../node/node-host.ts";
import type { SessionStatus } from "../domain/index.ts";
import { utf8Decode, utf8Encode } from "../host/index.ts";
import { createFileAdapter, createStorage, matchesFilter, type KvAdapter, type ListFilter } from "./index.ts";
import { INDEX_KEY } from "./keys.ts";
import { newSessionMetadata, sessionIdFor } from "./test-fixtures.ts";

const STATUSES: SessionStatus[] = ["active", "paused", "completed", "interrupted"];
const TAGS = ["deep", "meeting", "naïve ✓", "__proto__"];
const sessionFor = (i: number) =>
  newSessionMetadata(sessionIdFor(0x100 + i), {
    name: i % 5 === 0 ? `Réunion ${i} ✓` : `Session ${i}`,
    status: STATUSES[(i * 7) % 4],
    // Some starts repeat, so the order falls back to the id.
    startedAt: 1_700_000_000_000 + (i % 17) * 60_000,
    tags: TAGS.filter((_, k) => (i >> k) % 2 === 1),
    topicIds: [`topic-${i % 3}`, ...(i % 4 === 0 ? ["topic-x"] : [])],
  });

const FILTERS: ListFilter[] = [
  {},
  { status: "completed" },
  { statuses: ["active", "interrupted"], limit: 7, offset: 3 },
  { startAfter: 1_700_000_000_000 + 3 * 60_000, startBefore: 1_700_000_000_000 + 11 * 60_000 },
  { tags: ["deep"] },
  { tags: ["deep", "naïve ✓"], status: "paused" },
  { tags: ["__proto__"] },
  { tags: ["nobody"] },
  { topicIds: ["topic-1", "topic-x"], startBefore: 1_700_000_000_000 + 9 * 60_000 },
  { topicIds: ["topic-x"], tags: ["meeting"], limit: 2 },
  { topicIds: [] },
  { limit: 0 },
  { offset: 1000 },
];

/** Counts whole reads of the list index, so a test can tell the head answered. */
function counting(adapter: KvAdapter) {
  const counts = { wholeIndexReads: 0 };
  const wrapped: KvAdapter = {
    ...adapter,
    kind: adapter.kind,
    get: (key) => {
      if (key === INDEX_KEY) counts.wholeIndexReads++;
      return adapter.get(key);
    },
  };
  return { adapter: wrapped, counts };
}

const expected = (all: ReturnType<typeof sessionFor>[], filter: ListFilter) => {
  const sorted = all.filter((s) => matchesFilter(s as never, filter)).sort((a, b) => b.startedAt - a.startedAt || (a.id < b.id ? -1 : 1));
  const offset = filter.offset ?? 0;
  return { ids: sorted.slice(offset, filter.limit === undefined ? undefined : offset + filter.limit).map((s) => s.id), total: sorted.length };
};

const sources = {
  "ranged reads (file adapter, Node host)": () => {
    const host = createNodeHost({ dataDir: mkdtempSync(join(tmpdir(), "stint-list-head-")), env: {}, logLevel: "error" });
    return { host, open: () => createFileAdapter({ files: host.files, crypto: host.crypto, root: "data" }), rewrite: async (f: (text: string) => string) => host.files.writeAtomic(`data/${INDEX_KEY}`, utf8Encode(f(utf8Decode(await host.files.read(`data/${INDEX_KEY}`))))) };
  },
};

describe.each(Object.entries(sources))("the list index's head, %s", (_name, source) => {
  const all = Array.from({ length: 60 }, (_, i) => sessionFor(i));

  async function seeded() {
    const s = source();
    const storage = await createStorage({ host: s.host, adapter: s.open() });
    await storage.sessions.saveMetadataMany(all);
    await storage.close();
    return s;
  }

  it("answers every filter as the whole index does, without reading the whole file", async () => {
    const s = await seeded();
    for (const filter of FILTERS) {
      const { adapter, counts } = counting(s.open());
      const storage = await createStorage({ host: s.host, adapter });
      const result = await storage.sessions.listMetadata(filter);
      expect({ ids: result.sessions.map((m) => m.id), total: result.total }, JSON.stringify(filter)).toEqual(expected(all, filter));
      for (const m of result.sessions) expect(m).toMatchObject(all.find((a) => a.id === m.id)!);
      expect(counts.wholeIndexReads, JSON.stringify(filter)).toBe(0);
      await storage.close();
    }
  });

  it("a write after a lazy open loads the index whole first, and the next open lists it", async () => {
    const s = await seeded();
    const storage = await createStorage({ host: s.host, adapter: s.open() });
    await storage.sessions.updateMetadata(all[4]!.id, (current) => ({ ...current, status: "completed", tags: ["fresh"] }));
    expect((await storage.sessions.listMetadata({ tags: ["fresh"] })).sessions.map((m) => m.id)).toEqual([all[4]!.id]);
    expect((await storage.sessions.listMetadata()).total).toBe(60);
    await storage.close();
    const reopened = await createStorage({ host: s.host, adapter: s.open() });
    expect((await reopened.sessions.listMetadata({ tags: ["fresh"], status: "completed" })).sessions.map((m) => m.id)).toEqual([all[4]!.id]);
    expect((await reopened.sessions.listMetadata()).total).toBe(60);
    await reopened.close();
  });

  it("an entry that disagrees with the head sends the list to the whole file", async () => {
    const s = await seeded();
    const victim = all.find((m) => m.status === "active")!;
    // Same length, so every offset still holds: only the entry itself disagrees.
    await s.rewrite((text) => text.replace(`"id":"${victim.id}","name":"${victim.name}","status":"active"`, `"id":"${victim.id}","name":"${victim.name}","status":"paused"`));
    const { adapter, counts } = counting(s.open());
    const storage = await createStorage({ host: s.host, adapter });
    const before = counts.wholeIndexReads;
    const result = await storage.sessions.listMetadata({ status: "active" });
    expect(counts.wholeIndexReads).toBeGreaterThan(before);
    expect(result.sessions.map((m) => m.id)).not.toContain(victim.id);
    expect(result.total).toBe(expected(all, { status: "active" }).total - 1);
    await storage.close();
  });

  it("an index without a head (an older file) is loaded whole, and the next write gives it one", async () => {
    const s = await seeded();
    await s.rewrite((text) => JSON.stringify({ v: 1, sessions: JSON.parse(text).sessions }));
    const storage = await createStorage({ host: s.host, adapter: s.open() });
    expect((await storage.sessions.listMetadata({ status: "completed" })).total).toBe(expected(all, { status: "completed" }).total);
    await storage.sessions.saveMetadata(sessionFor(99));
    await storage.close();
    let text = "";
    await s.rewrite((t) => (text = t));
    expect(text.startsWith('{"v":1,"listHead":"')).toBe(true);
  });
});
