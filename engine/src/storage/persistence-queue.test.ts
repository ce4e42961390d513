import { describe, expect, it } from "vitest";
import { createMemoryHost, utf8Encode } from "../host/index.ts";
import { createLru } from "./lru.ts";
import { createMemoryAdapter, createStorage, type KvAdapter, type KvOp } from "./index.ts";

/** A memory adapter whose commits wait until released, to observe what the queue batches. */
function gatedAdapter() {
  const inner = createMemoryAdapter();
  const commits: KvOp[][] = [];
  let release: (() => void) | undefined;
  const adapter: KvAdapter = {
    ...inner,
    async commit(ops) {
      commits.push([...ops]);
      await new Promise<void>((resolve) => (release = resolve));
      await inner.commit(ops);
    },
  };
  return { adapter, commits, release: () => release?.() };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("persistence queue", () => {
  it("acknowledges only after the commit is durable, and batches what arrives meanwhile into one commit", async () => {
    const host = createMemoryHost();
    const gated = gatedAdapter();
    const storage = await createStorage({ host, adapter: gated.adapter });
    let firstDone = false;
    const first = storage.store.putJson("jobs/1.json", 1).then(() => (firstDone = true));
    await tick();
    expect(gated.commits).toHaveLength(1);
    const later = [2, 3, 4].map((n) => storage.store.putJson(`jobs/${n}.json`, n));
    const coalesced = storage.store.putJson("jobs/2.json", 22);
    await tick();
    expect(firstDone).toBe(false);
    gated.release();
    await first;
    await tick();
    expect(gated.commits).toHaveLength(2);
    expect(gated.commits[1]!.map((op) => op.key).sort()).toEqual(["jobs/2.json", "jobs/3.json", "jobs/4.json"]);
    gated.release();
    await Promise.all([...later, coalesced]);
    expect(await storage.store.getJson("jobs/2.json", { parse: (v) => v })).toBe(22);
  });

  it("lets low-priority writes wait for company, and flush() forces them out", async () => {
    const host = createMemoryHost();
    const storage = await createStorage({ host, adapter: createMemoryAdapter(), lowPriorityDelayMs: 1000 });
    const before = storage.queue.stats().commits;
    let done = false;
    const low = storage.store.put("ledger/a.json", utf8Encode("1"), { priority: "low" }).then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    expect(storage.queue.stats().pending).toBe(1);
    await host.time!.advance(1000);
    await low;
    expect(storage.queue.stats().commits).toBe(before + 1);
    const second = storage.store.put("ledger/b.json", utf8Encode("2"), { priority: "low" });
    await storage.queue.flush();
    await second;
    expect(storage.queue.stats().pending).toBe(0);
  });

  it("keeps a large low-priority write out of the commit a critical write waits for", async () => {
    const host = createMemoryHost();
    const gated = gatedAdapter();
    const storage = await createStorage({ host, adapter: gated.adapter, lowPriorityDelayMs: 1000 });
    const first = storage.store.putJson("jobs/0.json", 0);
    await tick();
    expect(gated.commits).toHaveLength(1);
    // While that commit is in flight: a big derived pack (low), then a critical record.
    let packDone = false;
    const pack = storage.store.put("screenshots/p/pack.json", new Uint8Array(1 << 20), { priority: "low" }).then(() => (packDone = true));
    let criticalDone = false;
    const critical = storage.store.putJson("jobs/1.json", 1, { priority: "critical" }).then(() => (criticalDone = true));
    gated.release();
    await first;
    await tick();
    expect(gated.commits).toHaveLength(2);
    expect(gated.commits[1]!.map((op) => op.key)).toEqual(["jobs/1.json"]);
    gated.release();
    await critical;
    expect(criticalDone && !packDone).toBe(true);
    // Reads see the queued pack meanwhile, and its delay sends it out alone.
    expect((await storage.store.get("screenshots/p/pack.json"))?.length).toBe(1 << 20);
    await host.time!.advance(1000);
    await tick();
    expect(gated.commits.map((ops) => ops.map((op) => op.key))).toEqual([["jobs/0.json"], ["jobs/1.json"], ["screenshots/p/pack.json"]]);
    gated.release();
    await pack;
    // A later write of the same key takes the value out of the low lane: one commit, the newest value.
    const stale = storage.store.putJson("jobs/2.json", "old", { priority: "low" });
    const fresh = storage.store.putJson("jobs/2.json", "new", { priority: "critical" });
    await tick();
    gated.release();
    await fresh;
    await host.time!.advance(1000);
    await tick();
    gated.release();
    await stale;
    expect(await storage.store.getJson("jobs/2.json", { parse: (v) => v })).toBe("new");
    expect(gated.commits.slice(3).map((ops) => ops.map((op) => op.key))).toEqual([["jobs/2.json"]]);
  });

  it("rejects every caller of a failed commit with the storage error and keeps working", async () => {
    const inner = createMemoryAdapter();
    let fail = true;
    const adapter: KvAdapter = {
      ...inner,
      async commit(ops) {
        if (fail) throw Object.assign(new Error("no space"), { code: "ENOSPC" });
        await inner.commit(ops);
      },
    };
    const storage = await createStorage({ host: createMemoryHost(), adapter });
    await expect(storage.store.putJson("jobs/x.json", 1)).rejects.toMatchObject({ code: "storage.disk_full", retryable: true });
    expect(await storage.store.get("jobs/x.json")).toBeUndefined();
    fail = false;
    await storage.store.putJson("jobs/x.json", 2);
    expect(await storage.store.getJson("jobs/x.json", { parse: (v) => v })).toBe(2);
  });
});

describe("LRU bounded in bytes", () => {
  it("evicts the least recently used entries once over budget", () => {
    const lru = createLru<Uint8Array>(10, (bytes) => bytes.length);
    lru.set("a", new Uint8Array(4));
    lru.set("b", new Uint8Array(4));
    lru.get("a");
    lru.set("c", new Uint8Array(4));
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBeDefined();
    expect(lru.weight).toBe(8);
    lru.set("huge", new Uint8Array(11));
    expect(lru.get("huge")).toBeUndefined();
  });
});
