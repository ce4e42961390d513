import { describe, expect, it } from "vitest";
import { planMerge } from "./merge-policy.ts";
import { buildRun, checkHead, decodePostings, layoutOf, mergeRuns, RunHeadSchema, type BuiltRun } from "./run.ts";
import { buildSegment } from "./segment.ts";
import { filler } from "./corpus.test-helpers.ts";

const segment = (n: number) =>
  buildSegment(
    { sessionId: `s${n}`, startedAt: n, name: `session ${n}`, tags: [] },
    Array.from({ length: 40 }, (_, i) => ({ kind: i % 3 === 0 ? ("screen" as const) : ("transcript" as const), startMs: i * 1_000, endMs: i * 1_000 + 500, text: filler(n * 100 + i, 5 + (i % 7)) })),
  );

const asInput = (run: BuiltRun, keep: (local: number) => boolean = () => true) => ({ head: run.head, layout: layoutOf(run.head), shard: async (k: number) => run.shards[k]!, keep });

/** Every posting of a run, by term and session id. */
function postings(run: BuiltRun): Record<string, [string, number, number, number, number][]> {
  const layout = layoutOf(run.head);
  const out: Record<string, [string, number, number, number, number][]> = {};
  for (const [t, term] of run.head.terms.entries()) {
    const list: [string, number, number, number, number][] = [];
    const start = layout.offsetOf[t]!;
    decodePostings(run.shards[layout.shardOf[t]!]!, start, start + run.head.bytes[t]!, (local, doc, tf, length, kind) => list.push([run.head.sessions[local]!.id, doc, tf, length, kind]));
    out[term] = list;
  }
  return out;
}

describe("search runs", () => {
  it("postings hold every doc of every term, with its frequency, length and kind", () => {
    const segments = [segment(1), segment(2)];
    const run = buildRun("r000000001", segments, 32);
    expect(run.shards.length).toBeGreaterThan(1);
    const all = postings(run);
    for (const s of segments) {
      for (const [term, occurrences] of s.postings) {
        const docs = [...new Set(occurrences)];
        const mine = all[term]!.filter(([id]) => id === s.sessionId);
        expect(mine.map(([, doc, tf, length, kind]) => [doc, tf, length, kind])).toEqual(
          docs.map((doc) => [doc, occurrences.filter((d) => d === doc).length, s.lengths[doc], s.docs[doc]!.kind === "screen" ? 4 : 3]),
        );
      }
    }
    expect(run.head.df).toEqual(run.head.terms.map((term) => all[term]!.length));
  });

  it("merging runs gives what building them as one would, less the sessions left out", async () => {
    const runs = [[1, 2], [3], [4, 5]].map((ns, i) => buildRun(`r00000000${i}`, ns.map(segment), 48));
    const merged = await mergeRuns("r000000009", runs.map((run) => asInput(run)), 48);
    const direct = buildRun("r000000009", [1, 2, 3, 4, 5].map(segment), 48);
    expect(merged.head).toEqual(direct.head);
    expect(merged.shards).toEqual(direct.shards);

    const dropped = await mergeRuns("r000000010", runs.map((run, i) => asInput(run, (local) => !(i === 0 && local === 1))), 48);
    const without = buildRun("r000000010", [1, 3, 4, 5].map(segment), 48);
    expect(dropped.head).toEqual(without.head);
    expect(postings(dropped)).toEqual(postings(without));
  });

  it("a head read back is checked: an unsorted dictionary or a shard start past the end is refused", () => {
    const run = buildRun("r000000001", [segment(1)], 64);
    const parse = (head: unknown) => checkHead(RunHeadSchema.parse(head));
    expect(parse(JSON.parse(JSON.stringify(run.head))).terms).toEqual(run.head.terms);
    expect(() => parse({ ...run.head, terms: [...run.head.terms].reverse() })).toThrow(/malformed/);
    expect(() => parse({ ...run.head, shards: [0, run.head.terms.length] })).toThrow(/malformed/);
    expect(() => parse({ ...run.head, df: run.head.df.slice(1) })).toThrow(/malformed/);
  });
});

describe("merge policy", () => {
  const runs = (...sizes: number[]) => sizes.map((sessions, i) => ({ id: `r${String(i).padStart(9, "0")}`, sessions }));

  it("merges the oldest runs of a tier once it holds `factor` of them", () => {
    expect(planMerge(runs(1, 1, 1), 4, 256)).toEqual({ drop: [], merge: [] });
    expect(planMerge(runs(16, 1, 1, 1, 1, 1), 4, 256)).toEqual({ drop: [], merge: ["r000000001", "r000000002", "r000000003", "r000000004"] });
    expect(planMerge(runs(5, 4, 7, 6), 4, 256).merge).toEqual(["r000000000", "r000000001", "r000000002", "r000000003"]);
  });

  it("drops runs that own nothing and never grows a run past the cap", () => {
    expect(planMerge(runs(0, 3, 0), 4, 256)).toEqual({ drop: ["r000000000", "r000000002"], merge: [] });
    expect(planMerge(runs(200, 200, 200, 200), 4, 256).merge).toEqual([]);
  });
});

describe("kthLargest", () => {
  it("finds the k-th largest of values with repeats, as sorting would", async () => {
    const { kthLargest } = await import("./search-index.ts");
    let state = 7;
    const values = Array.from({ length: 5_000 }, () => ((state = (state * 48271) % 2147483647) % 300) / 7);
    const sorted = [...values].sort((a, b) => b - a);
    for (const k of [1, 2, 17, 1_000, 4_999, 5_000]) expect(kthLargest(Float64Array.from(values), k), `k=${k}`).toBe(sorted[k - 1]);
  });
});
