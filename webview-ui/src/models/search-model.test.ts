import { signal } from "@preact/signals";
import { afterEach, describe, expect, it } from "vitest";
import { createReviewFeatureFactory } from "../../../engine/src/review/index.ts";
import { filler, plant, sessionId } from "../../../engine/src/search/corpus.test-helpers.ts";
import { createSearchFeature } from "../../../engine/src/search/index.ts";
import { createMemoryAdapter, createStorageFeature, type StorageFeature } from "../../../engine/src/storage/index.ts";
import type { SearchHit } from "../bridge/api.ts";
import { createTestApi } from "../testing/engine-api.ts";
import { createSearchModel, groupHits, moveActive, snippetParts, type SearchModel } from "./search-model.ts";

const hit = (sessionId: string, startMs: number, text = "x"): SearchHit => ({ sessionId, sessionName: `S ${sessionId}`, startedAt: 0, kind: "transcript", startMs, endMs: startMs + 1, snippet: { text, highlights: [] }, score: 1 });

describe("search view logic", () => {
  it("groups hits by session in the order of each session's best hit, keeping rank order inside", () => {
    const { groups, hits } = groupHits([hit("a", 5), hit("b", 1), hit("a", 2), hit("c", 9), hit("b", 3)]);
    expect(groups.map((g) => [g.sessionId, g.offset, g.hits.map((h) => h.startMs)])).toEqual([
      ["a", 0, [5, 2]],
      ["b", 2, [1, 3]],
      ["c", 4, [9]],
    ]);
    expect(hits.map((h) => `${h.sessionId}${h.startMs}`)).toEqual(["a5", "a2", "b1", "b3", "c9"]);
    expect(groupHits([])).toEqual({ groups: [], hits: [] });
  });

  it("moves the active hit with wrap-around, and from none onto the first or last", () => {
    expect(moveActive(-1, 1, 3)).toBe(0);
    expect(moveActive(-1, -1, 3)).toBe(2);
    expect(moveActive(0, 1, 3)).toBe(1);
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(1, 1, 0)).toBe(-1);
  });

  it("splits a snippet into plain and marked runs, whatever order the ranges come in", () => {
    expect(snippetParts({ text: "the lighthouse budget is approved", highlights: [[15, 21], [4, 14]] })).toEqual([
      { text: "the ", marked: false },
      { text: "lighthouse", marked: true },
      { text: " ", marked: false },
      { text: "budget", marked: true },
      { text: " is approved", marked: false },
    ]);
    expect(snippetParts({ text: "plain", highlights: [] })).toEqual([{ text: "plain", marked: false }]);
    // Overlapping or empty ranges never duplicate text.
    expect(snippetParts({ text: "abcdef", highlights: [[0, 4], [2, 5], [5, 5]] }).map((p) => p.text).join("")).toBe("abcdef");
  });
});

const models: SearchModel[] = [];
afterEach(() => {
  for (const model of models.splice(0)) model.dispose();
});

async function until<T>(fn: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = fn();
    if (value) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A real engine with storage, review and search over planted sessions. */
async function engineWithSessions() {
  const rig = await createTestApi({ features: [createStorageFeature({ adapter: () => createMemoryAdapter() }), createReviewFeatureFactory(), createSearchFeature()] });
  const storage = rig.engine.context.features.get("storage") as StorageFeature;
  await plant(storage, { n: 1, name: "Harbour planning", day: 0, transcript: [[65_000, `${filler(1, 12)} the lighthouse budget is approved`], [400_000, "we meet again on thursday"]] });
  await plant(storage, { n: 2, name: "Dashboard review", day: 1, screens: [[30_000, "Lighthouse dashboard all green", ["Safari"]], [90_000, "quarterly figures", ["Numbers"]]] });
  await plant(storage, { n: 3, name: "Unrelated", day: 2, transcript: [[5_000, filler(3, 30)]] });
  return rig;
}

describe("search model over the engine", () => {
  it("answers the box's text with the engine's hits, grouped by session, the first hit active", async () => {
    const { api, sent } = await engineWithSessions();
    const text = signal("");
    const model = createSearchModel(api, text, { debounceMs: 0 });
    models.push(model);
    expect(model.state.value.kind).toBe("idle");
    text.value = "lighthouse";
    const ready = await until(() => (model.state.value.kind === "ready" ? model.state.value : undefined), "results");
    expect(ready.groups.map((g) => g.sessionId).sort()).toEqual([sessionId(1), sessionId(2)]);
    const moments = ready.hits.map((h) => [h.sessionId, h.kind, h.startMs]);
    expect(moments).toContainEqual([sessionId(1), "transcript", 65_000]);
    expect(moments).toContainEqual([sessionId(2), "screen", 30_000]);
    expect(model.active.value).toBe(0);
    expect(model.current.value).toBe(ready.hits[0]);
    // It went through the bridge method `stint search` uses, with the caller's offset for dates.
    expect(sent.some((e) => e.method === "search.query" && (e.params as { query: string }).query === "lighthouse" && typeof (e.params as { utcOffsetMinutes?: number }).utcOffsetMinutes === "number")).toBe(true);
    model.move(1);
    expect(model.current.value).toBe(ready.hits[1]);

    text.value = "thursday";
    const next = await until(() => (model.state.value.kind === "ready" && model.state.value.query === "thursday" ? model.state.value : undefined), "the next results");
    expect(next.hits.map((h) => [h.sessionId, h.startMs])).toEqual([[sessionId(1), 400_000]]);
    text.value = "  ";
    await until(() => model.state.value.kind === "idle", "idle again");
    expect(model.active.value).toBe(-1);
  });

  it("keeps only the answer to the latest text when an older one arrives last", async () => {
    let held: (() => void) | undefined;
    const { api } = await engineWithSessions();
    const slow = { ...api, search: async (query: string, options?: { limit?: number; perSession?: number }) => {
      if (query === "lighthouse") await new Promise<void>((resolve) => (held = resolve));
      return api.search(query, options);
    } };
    const text = signal("lighthouse");
    const model = createSearchModel(slow, text, { debounceMs: 0 });
    models.push(model);
    await until(() => held, "the first query to be in flight");
    text.value = "thursday";
    await until(() => model.state.value.kind === "ready", "the second answer");
    held!();
    await new Promise((r) => setTimeout(r, 50));
    const state = model.state.value;
    expect(state.kind === "ready" && state.query).toBe("thursday");
    expect(state.kind === "ready" && state.hits.map((h) => h.startMs)).toEqual([400_000]);
  });

  it("says nothing matched, and reports an engine error with the query", async () => {
    const { api } = await engineWithSessions();
    const text = signal("zeppelin");
    const model = createSearchModel(api, text, { debounceMs: 0 });
    models.push(model);
    const empty = await until(() => (model.state.value.kind === "ready" ? model.state.value : undefined), "an empty answer");
    expect(empty.hits).toEqual([]);
    expect(model.active.value).toBe(-1);
    text.value = "after:someday";
    const failed = await until(() => (model.state.value.kind === "error" ? model.state.value : undefined), "the error");
    expect(failed.error.code).toBe("search.invalid_query");
  });

  it("stays out of the way when the engine has no search (the in-page demo engine)", async () => {
    const { api, sent } = await createTestApi({ demo: true });
    const text = signal("crash");
    const model = createSearchModel(api, text, { debounceMs: 0 });
    models.push(model);
    await until(() => model.state.value.kind === "unavailable", "unavailable");
    const asked = sent.filter((e) => e.method === "search.query").length;
    text.value = "crash report";
    await new Promise((r) => setTimeout(r, 50));
    expect(sent.filter((e) => e.method === "search.query").length).toBe(asked);
    expect(model.hits.value).toEqual([]);
  });
});
