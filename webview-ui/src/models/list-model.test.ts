import { describe, expect, it } from "vitest";
import { createTestApi } from "../testing/engine-api.ts";
import { createListModel, LIST_PAGE } from "./list-model.ts";

const row = (n: number) => ({ id: `s${n}`, name: `Session ${n}`, status: "completed", startedAt: 10_000 - n, durationMs: 1000, sizeBytes: 0, tags: [], enrichment: { state: "none", totalCostUsd: 0 }, screenshotCount: 0, audioSegmentCount: 0 });

describe("list model", () => {
  it("loads at once when created (the panel opening waits on it); only later filter changes are debounced", async () => {
    const asked: string[] = [];
    const { api } = await createTestApi({ intercept: (e) => (e.method === "review.list" ? (asked.push(JSON.stringify((e.params as { query: unknown }).query)), { v: 1, id: e.id, result: { library: "storage", sessions: [row(1)] } }) : undefined) });
    // A debounce far longer than the test's ceiling: the first load must not wait for it.
    const model = createListModel(api, { debounceMs: 60_000 });
    for (let i = 0; i < 200 && model.state.value.kind !== "ready"; i++) await new Promise((r) => setTimeout(r, 5));
    expect(model.state.value.kind).toBe("ready");
    expect(asked).toHaveLength(1);
    model.text.value = "x";
    await new Promise((r) => setTimeout(r, 20));
    expect(asked).toHaveLength(1);
    model.dispose();
  });

  it("shows a page of rows and more on request, asking the engine for one extra to know there are more", async () => {
    const limits: number[] = [];
    const { api } = await createTestApi({
      intercept: (e) => {
        if (e.method !== "review.list") return undefined;
        const limit = (e.params as { query: { limit: number } }).query.limit;
        limits.push(limit);
        return { v: 1, id: e.id, result: { library: "storage", sessions: Array.from({ length: Math.min(limit, 450) }, (_, n) => row(n)) } };
      },
    });
    const model = createListModel(api, { debounceMs: 0 });
    const ready = async () => {
      for (let i = 0; i < 200 && model.state.value.kind !== "ready"; i++) await new Promise((r) => setTimeout(r, 5));
      const state = model.state.value;
      if (state.kind !== "ready") throw new Error("list did not load");
      return state.value;
    };
    let value = await ready();
    expect(value.rows).toHaveLength(LIST_PAGE);
    expect(value.more).toBe(true);
    expect(limits.at(-1)).toBe(LIST_PAGE + 1);
    model.showMore();
    for (let i = 0; i < 200 && (model.state.value.kind !== "ready" || model.state.value.value.rows.length === LIST_PAGE); i++) await new Promise((r) => setTimeout(r, 5));
    value = await ready();
    expect(value.rows).toHaveLength(2 * LIST_PAGE);
    model.showMore();
    for (let i = 0; i < 200 && (model.state.value.kind !== "ready" || model.state.value.value.rows.length === 2 * LIST_PAGE); i++) await new Promise((r) => setTimeout(r, 5));
    value = await ready();
    expect(value.rows).toHaveLength(450);
    expect(value.more).toBe(false);
    model.dispose();
  });
});
