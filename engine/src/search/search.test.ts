import { describe, expect, it } from "vitest";
import { EngineError } from "../bridge/index.ts";
import { BASE, filler, openRig, plant, sessionId, type PlantedSession } from "./corpus.test-helpers.ts";
import { markSnippet } from "./snippet.ts";

/** A generated corpus: filler everywhere, one planted answer per query kind. */
const CORPUS: PlantedSession[] = [
  {
    n: 1,
    name: "Morning standup",
    day: 0,
    tags: ["team"],
    transcript: [
      [0, filler(1, 40)],
      [125_000, `${filler(2, 12)} we start the kubernetes migration next week ${filler(3, 12)}`],
      [300_000, `${filler(4, 10)} please read the release notes before friday`],
    ],
    markers: [[200_000, "decided pricing tiers"]],
  },
  {
    n: 2,
    name: "Billing review",
    day: 3,
    tags: ["finance", "team"],
    screens: [
      [0, filler(5, 30), ["Finder"]],
      [60_000, `Invoice 4471 overdue ${filler(6, 20)}`, ["Safari"]],
    ],
    transcript: [[10_000, `${filler(7, 15)} some notes about the release of the app`]],
  },
  {
    n: 3,
    name: "Kubernetes deep dive",
    day: 5,
    tags: ["infra"],
    transcript: [[30_000, `${filler(8, 20)} kubernetes once in passing`]],
    summary: {
      text: `A look at cluster upgrades. ${filler(9, 10)}`,
      chapter: [60_000, 120_000, "Helm charts walkthrough"],
      task: [90_000, "Rotate the staging certificates"],
      note: [100_000, "Grafana dashboards live under observability"],
      point: [110_000, "Autoscaler thresholds were lowered"],
    },
  },
  // Identical text on two days: recency breaks the tie.
  { n: 4, name: "Retro one", day: 8, transcript: [[5_000, "the zeppelin project retrospective"]] },
  { n: 5, name: "Retro two", day: 9, transcript: [[5_000, "the zeppelin project retrospective"]] },
  { n: 6, name: "Design crit", day: 12, screens: [[30_000, `Figma frame mockups ${filler(10, 10)}`, ["Figma"]]], transcript: [[40_000, "the typography scale feels off"]] },
];

async function corpusRig() {
  const rig = await openRig();
  for (const session of CORPUS) await plant(rig.storage, session);
  return rig;
}

const q = async (rig: Awaited<ReturnType<typeof corpusRig>>, query: string, limit?: number) => (await rig.search.query({ query, ...(limit === undefined ? {} : { limit }) })).hits;

describe("search over a generated corpus", () => {
  it("finds a word said in a transcript at its moment, with a highlighted snippet", async () => {
    const rig = await corpusRig();
    const hits = await q(rig, "migration");
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ sessionId: sessionId(1), kind: "transcript", startMs: 125_000, endMs: 130_000, ref: "0" });
    expect(markSnippet(hits[0]!.snippet)).toContain("the kubernetes [migration] next week");
    await rig.close();
  });

  it("finds screen text, markers, summary points, chapters, tasks, notes, tags, apps and names", async () => {
    const rig = await corpusRig();
    const expectations: [string, string, number, number][] = [
      ["4471", "screen", 2, 60_000],
      ["pricing", "marker", 1, 200_000],
      ["autoscaler", "summary", 3, 110_000],
      ["helm", "chapter", 3, 60_000],
      ["certificates", "task", 3, 90_000],
      ["grafana", "note", 3, 100_000],
      ["infra", "tag", 3, 0],
      ["figma", "app", 6, 30_000],
      ["standup", "name", 1, 0],
    ];
    for (const [query, kind, n, startMs] of expectations) {
      const hits = await q(rig, query);
      expect(hits[0], query).toMatchObject({ sessionId: sessionId(n), kind, startMs });
    }
    await rig.close();
  });

  it("ranks a name above a passing mention and breaks ties by recency", async () => {
    const rig = await corpusRig();
    const hits = await q(rig, "kubernetes");
    expect(hits.map((h) => [h.sessionId, h.kind])).toEqual([
      [sessionId(3), "name"],
      [sessionId(3), "transcript"],
      [sessionId(1), "transcript"],
    ]);
    const tied = await q(rig, "zeppelin");
    expect(tied.map((h) => h.sessionId)).toEqual([sessionId(5), sessionId(4)]);
    expect(tied[0]!.score).toBe(tied[1]!.score);
    await rig.close();
  });

  it("matches quoted phrases only in order, prefixes, and words being typed", async () => {
    const rig = await corpusRig();
    expect((await q(rig, '"release notes"')).map((h) => h.sessionId)).toEqual([sessionId(1)]);
    // Both words, any order: the phrase's other session comes back too.
    expect(new Set((await q(rig, "release notes")).map((h) => h.sessionId))).toEqual(new Set([sessionId(1), sessionId(2)]));
    expect((await q(rig, "kuber*")).map((h) => h.sessionId)).toContain(sessionId(1));
    expect((await q(rig, "typogr")).map((h) => h.sessionId)).toEqual([sessionId(6)]);
    // A complete word not at the end is not a prefix.
    expect(await q(rig, "typogr scale")).toEqual([]);
    await rig.close();
  });

  it("tolerates a typo in words of five letters or more, never in shorter ones", async () => {
    const rig = await corpusRig();
    const typo = await q(rig, "kubernetis migratoin");
    expect(typo.map((h) => [h.sessionId, h.startMs])).toEqual([[sessionId(1), 125_000]]);
    expect(markSnippet(typo[0]!.snippet)).toContain("[kubernetes] [migration]");
    expect(await q(rig, "helx charts")).toEqual([]); // "helm" has four letters: no tolerance
    expect((await q(rig, "grafama")).map((h) => h.kind)).toEqual(["note"]);
    // An exact match outranks a typo match of the same word.
    const exact = await q(rig, "retro");
    expect(exact.length).toBeGreaterThan(0);
    await rig.close();
  });

  it("filters by app, tag, kind and date", async () => {
    const rig = await corpusRig();
    expect((await q(rig, "invoice app:safari")).map((h) => h.sessionId)).toEqual([sessionId(2)]);
    expect(await q(rig, "invoice app:figma")).toEqual([]);
    expect((await q(rig, "tag:team")).map((h) => h.sessionId)).toEqual([sessionId(2), sessionId(1)]);
    expect((await q(rig, "#finance")).map((h) => h.sessionId)).toEqual([sessionId(2)]);
    expect((await q(rig, "kubernetes kind:transcript")).map((h) => h.kind)).toEqual(["transcript", "transcript"]);
    expect((await q(rig, "kubernetes kind:name")).map((h) => h.sessionId)).toEqual([sessionId(3)]);
    // BASE is 2026-03-02; session 3 started on day 5 (03-07), session 1 on day 0.
    expect((await q(rig, "kubernetes after:2026-03-05")).map((h) => h.sessionId)).toEqual([sessionId(3), sessionId(3)]);
    expect((await q(rig, "kubernetes before:2026-03-05")).map((h) => h.sessionId)).toEqual([sessionId(1)]);
    // A local date: at UTC+10 the 2nd of March starts at 14:00 UTC on the 1st.
    const east = await rig.search.query({ query: "standup before:2026-03-02", utcOffsetMinutes: 600 });
    expect(east.hits).toEqual([]);
    const west = await rig.search.query({ query: "standup before:2026-03-02", utcOffsetMinutes: -600 });
    expect(west.hits.map((h) => h.sessionId)).toEqual([sessionId(1)]);
    expect(BASE).toBe(Date.UTC(2026, 2, 2, 9));
    await rig.close();
  });

  it("rejects a malformed filter with a typed error", async () => {
    const rig = await corpusRig();
    await expect(rig.search.query({ query: "before:yesterday" })).rejects.toMatchObject({ code: "search.invalid_query" });
    await expect(rig.search.query({ query: "kind:podcast" })).rejects.toBeInstanceOf(EngineError);
    await rig.close();
  });

  it("shows an edit at once and never returns a deleted session", async () => {
    const rig = await corpusRig();
    expect(await q(rig, "brainstorm")).toEqual([]);
    await rig.storage.sessions.updateMetadata(sessionId(6), (m) => ({ ...m, name: "Brainstorm on typography" }));
    expect((await q(rig, "brainstorm")).map((h) => [h.sessionId, h.kind])).toEqual([[sessionId(6), "name"]]);
    const transcript = await rig.storage.sessions.getAudioSegments(sessionId(6));
    const segment = transcript[0]!;
    await rig.storage.sessions.updateAudioSegments(sessionId(6), [{ ...segment, transcript: { ...segment.transcript!, segments: [{ startMs: 40_000, endMs: 45_000, text: "the serif choice is settled" }] } }]);
    expect((await q(rig, "serif")).map((h) => h.startMs)).toEqual([40_000]);
    expect(await q(rig, "typography kind:transcript")).toEqual([]);

    // The user's corrections (stored by the review apart from the AI's output) win over it.
    await rig.storage.store.putJson(`review/edits/${sessionId(1)}.json`, {
      v: 1,
      chapters: {},
      items: {},
      added: [{ list: "tasks", id: "user-1", text: "Email the quartermaster" }],
      markers: { [`${sessionId(1).slice(0, 24)}000000000000`]: "settled the gazebo question" },
    });
    expect((await q(rig, "quartermaster")).map((h) => [h.sessionId, h.kind])).toEqual([[sessionId(1), "task"]]);
    expect((await q(rig, "gazebo")).map((h) => [h.kind, h.startMs])).toEqual([["marker", 200_000]]);
    expect(await q(rig, "pricing")).toEqual([]);

    await rig.storage.sessions.deleteSession(sessionId(2));
    expect(await q(rig, "invoice")).toEqual([]);
    expect((await q(rig, "tag:finance"))).toEqual([]);
    const verify = await rig.search.verify();
    expect(verify).toMatchObject({ ok: true, sessions: 5, orphaned: [], stale: [], missing: [] });
    await rig.close();
  });
});
