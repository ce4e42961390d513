import { describe, expect, it } from "vitest";
import { filler, openRig, plant, sessionId, type PlantedSession } from "./corpus.test-helpers.ts";
import { MANIFEST_KEY } from "./run-store.ts";

const WORDS = ["lighthouse", "harbour", "kubernetes", "migration", "invoice", "typography", "zeppelin", "observatory"];

/** Twelve sessions sharing filler words, each with two planted words (so queries match several sessions). */
const SESSIONS: PlantedSession[] = Array.from({ length: 12 }, (_, i) => ({
  n: i + 1,
  name: `${WORDS[i % WORDS.length]} review ${i + 1}`,
  day: i,
  tags: [i % 2 === 0 ? "team" : "solo"],
  transcript: [
    [10_000 + i * 1_000, `${filler(i + 1, 20)} ${WORDS[(i + 3) % WORDS.length]} ${filler(i + 50, 10)}`],
    [90_000, `${filler(i + 80, 12)} the ${WORDS[(i + 5) % WORDS.length]} ${WORDS[(i + 6) % WORDS.length]} plan`],
  ],
  screens: [[30_000, `${filler(i + 200, 15)} ${WORDS[(i + 1) % WORDS.length]}`, [i % 3 === 0 ? "Safari" : "Xcode"]]],
}));

const QUERIES = ["lighthouse", "harbour plan", "kuber*", "typogr", "zepelin", '"kubernetes migration"', "alpha", "bravo charlie", "invoice app:safari", "tag:team", "observatory kind:transcript", "delta after:2026-03-06", "#solo"];

/** The answers, minus nothing: every field of every hit. */
async function answers(rig: Awaited<ReturnType<typeof openRig>>) {
  const out: Record<string, unknown> = {};
  for (const query of QUERIES) out[query] = await rig.search.query({ query, limit: 50, perSession: 50 });
  return out;
}

const heads = (data: Map<string, Uint8Array>) => [...data.keys()].filter((key) => key.endsWith(".head.json")).map((key) => new TextDecoder().decode(data.get(key)!));
const manifestRuns = (data: Map<string, Uint8Array>) => (JSON.parse(new TextDecoder().decode(data.get(MANIFEST_KEY)!)) as { runs: string[] }).runs;

/** One session per run, merged in pairs, in shards of a few dozen bytes: every path of the run index is taken. */
const SMALL = { batch: 1, mergeFactor: 2, shardBytes: 48 } as const;

describe("search over merged runs", () => {
  it("answers exactly as an index built in one pass", async () => {
    const whole = await openRig();
    for (const s of SESSIONS) await plant(whole.storage, s);
    const expected = await answers(whole);
    expect(manifestRuns(whole.data)).toHaveLength(1);

    const merged = await openRig({ feature: SMALL });
    for (const s of SESSIONS) {
      await plant(merged.storage, s);
      await merged.search.refresh();
    }
    // Twelve sessions in runs of powers of two: 8 + 4.
    expect(manifestRuns(merged.data)).toHaveLength(2);
    expect([...merged.data.keys()].filter((key) => key.endsWith(".bin")).length).toBeGreaterThan(2);
    expect(await answers(merged)).toEqual(expected);
    expect(await merged.search.verify()).toMatchObject({ ok: true, damagedRuns: [] });

    // Opened again, the index reads the runs from storage and answers the same.
    await merged.close();
    const reopened = await openRig({ data: merged.data, feature: SMALL });
    expect(await answers(reopened)).toEqual(expected);
    await reopened.close();
    await whole.close();
  });

  it("a session indexed again or deleted after its run was merged is never returned from the old copy, then or after reopening", async () => {
    const rig = await openRig({ feature: SMALL });
    for (const s of SESSIONS.slice(0, 8)) await plant(rig.storage, s);
    await rig.search.refresh();
    expect(manifestRuns(rig.data)).toHaveLength(1);
    const lighthouse = sessionId(1);
    expect((await rig.search.query({ query: "lighthouse review" })).hits.map((h) => h.sessionId)).toContain(lighthouse);

    await rig.storage.sessions.updateMetadata(lighthouse, (m) => ({ ...m, name: "Quarterly gazebo audit" }));
    await rig.storage.sessions.deleteSession(sessionId(2));
    const check = async (r: typeof rig) => {
      expect((await r.search.query({ query: "gazebo" })).hits.map((h) => [h.sessionId, h.kind])).toEqual([[lighthouse, "name"]]);
      expect((await r.search.query({ query: "lighthouse kind:name" })).hits.map((h) => h.sessionId)).not.toContain(lighthouse);
      const all = await r.search.query({ query: "alpha", limit: 100, perSession: 100 });
      expect(all.hits.map((h) => h.sessionId)).not.toContain(sessionId(2));
      expect((await r.search.query({ query: "tag:team", limit: 100 })).hits.map((h) => h.sessionId)).not.toContain(sessionId(2));
    };
    await check(rig);
    // The delete rewrote the run holding the session in its own commit: no run names it any more.
    expect(heads(rig.data).filter((head) => head.includes(sessionId(2)))).toEqual([]);
    expect(await rig.search.verify()).toMatchObject({ ok: true, sessions: 7 });
    await rig.close();

    const reopened = await openRig({ data: rig.data, feature: SMALL });
    await check(reopened);
    // Enough new sessions to merge everything again: the stale copies are gone from every run.
    for (const s of SESSIONS.slice(8)) await plant(reopened.storage, s);
    await reopened.search.refresh();
    expect(heads(reopened.data).filter((head) => head.includes(sessionId(2)))).toEqual([]);
    expect(heads(reopened.data).filter((head) => head.includes(lighthouse))).toHaveLength(1);
    await check(reopened);
    await reopened.close();
  });

  it("a missing shard: verify names the damaged run, a query indexes its sessions again from the records, and the next commit clears it", async () => {
    const rig = await openRig({ feature: SMALL });
    for (const s of SESSIONS.slice(0, 4)) await plant(rig.storage, s);
    const expected = await answers(rig);
    await rig.close();
    const shards = [...rig.data.keys()].filter((key) => key.endsWith(".bin"));
    expect(shards.length).toBeGreaterThan(0);
    for (const key of shards) rig.data.delete(key);

    const damaged = await openRig({ data: rig.data, feature: SMALL });
    const report = await damaged.search.verify();
    expect(report.ok).toBe(false);
    expect(report.damagedRuns).toEqual(manifestRuns(rig.data));
    expect(report.missing).toHaveLength(4);
    expect(await answers(damaged)).toEqual(expected);
    expect(await damaged.search.verify()).toMatchObject({ ok: true, damagedRuns: [], missing: [] });
    expect(manifestRuns(rig.data).some((id) => report.damagedRuns.includes(id))).toBe(false);
    await damaged.close();
  });

  it("a delete whose run lost a shard still deletes: the run goes whole and its other sessions are indexed again", async () => {
    const rig = await openRig({ feature: { batch: 4, mergeFactor: 4, shardBytes: 48 } });
    for (const s of SESSIONS.slice(0, 4)) await plant(rig.storage, s);
    const before = await rig.search.query({ query: "alpha", limit: 100, perSession: 100 });
    await rig.close();
    const [run] = manifestRuns(rig.data);
    const shards = [...rig.data.keys()].filter((key) => key.startsWith(`search/runs/${run}.`) && key.endsWith(".bin"));
    expect(shards.length).toBeGreaterThan(1);
    for (const key of shards) rig.data.delete(key);

    const reopened = await openRig({ data: rig.data, feature: { batch: 4, mergeFactor: 4, shardBytes: 48 } });
    expect(await reopened.storage.sessions.deleteSession(sessionId(2))).toBe(true);
    expect([...reopened.data.keys()].filter((key) => key.startsWith(`search/runs/${run}.`))).toEqual([]);
    expect(heads(reopened.data).filter((head) => head.includes(sessionId(2)))).toEqual([]);
    const after = await reopened.search.query({ query: "alpha", limit: 100, perSession: 100 });
    expect(after.hits.map((h) => h.sessionId)).not.toContain(sessionId(2));
    expect(after.hits.filter((h) => h.sessionId !== sessionId(2)).map((h) => [h.sessionId, h.startMs])).toEqual(
      before.hits.filter((h) => h.sessionId !== sessionId(2)).map((h) => [h.sessionId, h.startMs]),
    );
    expect(await reopened.search.verify()).toMatchObject({ ok: true, damagedRuns: [], missing: [] });
    await reopened.close();
  });
});
