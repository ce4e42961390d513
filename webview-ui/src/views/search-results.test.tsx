// @vitest-environment happy-dom
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { createReviewFeatureFactory } from "../../../engine/src/review/index.ts";
import { plant, sessionId } from "../../../engine/src/search/corpus.test-helpers.ts";
import { createSearchFeature } from "../../../engine/src/search/index.ts";
import { createMemoryAdapter, createStorageFeature, type StorageFeature } from "../../../engine/src/storage/index.ts";
import { createAppModel, parseRoute, routeHash } from "../models/app-model.ts";
import type { DetailModel } from "../models/detail-model.ts";
import { createTestApi } from "../testing/engine-api.ts";
import { App } from "./app.tsx";

const roots: HTMLElement[] = [];
const apps: { dispose(): void }[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) render(null, root);
  for (const app of apps.splice(0)) app.dispose();
});

async function until<T>(fn: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = fn();
    if (value) return value;
    await act(() => new Promise((r) => setTimeout(r, 10)));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function mount() {
  const { api, engine } = await createTestApi({ features: [createStorageFeature({ adapter: () => createMemoryAdapter() }), createReviewFeatureFactory(), createSearchFeature()] });
  const storage = engine.context.features.get("storage") as StorageFeature;
  await plant(storage, { n: 1, name: "Harbour planning", day: 0, transcript: [[65_000, "the lighthouse budget is approved"], [400_000, "we meet again on thursday"]], screens: [[10_000, "agenda", ["Notes"]], [60_000, "budget sheet", ["Numbers"]], [120_000, "mail", ["Mail"]]] });
  await plant(storage, { n: 2, name: "Dashboard review", day: 1, screens: [[30_000, "quarterly figures", ["Safari"]], [90_000, "Lighthouse dashboard all green", ["Safari"]]] });
  const location = { hash: "#/" };
  const app = createAppModel(api, { location, onHashChange: () => () => undefined });
  apps.push(app);
  const root = document.createElement("div");
  document.body.append(root);
  roots.push(root);
  await act(() => render(<App app={app} />, root));
  await until(() => root.querySelector(".session-row"), "the list");
  return { app, root, location };
}

function type(root: HTMLElement, text: string): HTMLInputElement {
  const box = root.querySelector<HTMLInputElement>("[data-testid=search]")!;
  box.value = text;
  box.dispatchEvent(new Event("input", { bubbles: true }));
  return box;
}

const key = (target: EventTarget, name: string) => target.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true, cancelable: true }));

describe("search in the panel", () => {
  it("routes to a session at a moment and back", () => {
    expect(parseRoute("#/session/abc/timeline@65000")).toEqual({ name: "session", id: "abc", tab: "timeline", at: 65_000 });
    expect(parseRoute("#/session/abc@5")).toEqual({ name: "session", id: "abc", at: 5 });
    expect(parseRoute("#/session/abc/timeline@x")).toEqual({ name: "list" });
    expect(routeHash({ name: "session", id: "abc", tab: "timeline", at: 65_000.4 })).toBe("#/session/abc/timeline@65000");
    expect(routeHash({ name: "session", id: "abc" })).toBe("#/session/abc");
  });

  it("finds a word said in one session and a word shown in another; the keyboard opens the chosen moment", async () => {
    const { app, root, location } = await mount();
    // `/` from anywhere on the list focuses the box.
    key(document.body, "/");
    expect(document.activeElement?.getAttribute("data-testid")).toBe("search");
    const box = type(root, "lighthouse");
    const hits = await until(() => {
      const found = root.querySelectorAll<HTMLElement>("[data-testid=search-hit]");
      return found.length === 2 && found;
    }, "two hits");
    const groups = [...root.querySelectorAll(".hit-group .hit-session-name")].map((el) => el.textContent);
    expect(groups.sort()).toEqual(["Dashboard review", "Harbour planning"]);
    expect([...hits].map((h) => [h.dataset.sessionId, h.dataset.ms]).sort()).toEqual([
      [sessionId(1), "65000"],
      [sessionId(2), "90000"],
    ]);
    expect(root.querySelector(".hit mark")?.textContent?.toLowerCase()).toBe("lighthouse");
    // The first hit is active; the box names it for assistive technology.
    expect(box.getAttribute("aria-activedescendant")).toBe(hits[0]!.id);
    await act(() => void key(box, "ArrowDown"));
    const chosen = root.querySelector<HTMLElement>("[data-testid=search-hit][aria-selected=true]")!;
    expect(chosen).toBe(root.querySelectorAll("[data-testid=search-hit]")[1]);
    expect(box.getAttribute("aria-activedescendant")).toBe(chosen.id);
    const want = { id: chosen.dataset.sessionId!, ms: Number(chosen.dataset.ms) };
    await act(() => void key(box, "Enter"));

    expect(location.hash).toBe(`#/session/${want.id}/timeline@${want.ms}`);
    const detail = app.screen.value.model as DetailModel;
    expect(detail.id).toBe(want.id);
    const loaded = await until(() => (detail.state.value.kind === "ready" ? detail.state.value.value : undefined), "the session");
    expect(loaded.player.time.value).toBe(want.ms);
    const row = loaded.timeline.rowAt(loaded.timeline.activeIndex.value);
    // The highlighted row is the last item at or before the moment.
    const t = row?.kind === "item" ? row.item.t : row?.t;
    expect(t).toBeLessThanOrEqual(want.ms);
    expect(loaded.timeline.all().filter((item) => item.t <= want.ms).at(-1)?.t).toBe(t);
    await until(() => root.querySelector("[data-testid=timeline]"), "the timeline tab");
    expect(root.querySelector("[data-testid=player-time]")?.getAttribute("data-ms")).toBe(String(want.ms));
  });

  it("a click opens the hit; a word nowhere leaves the list's own answer", async () => {
    const { root, location } = await mount();
    type(root, "thursday");
    const hit = await until(() => root.querySelector<HTMLElement>("[data-testid=search-hit]"), "the hit");
    expect(hit.querySelector(".hit-kind")?.textContent).toBe("said");
    expect(hit.querySelector(".hit-time")?.textContent).toBe("6:40");
    await act(() => hit.click());
    expect(location.hash).toBe(`#/session/${sessionId(1)}/timeline@400000`);
  });

  it("says when nothing said or shown matches, beside the list's empty state", async () => {
    const { root } = await mount();
    type(root, "zeppelin");
    await until(() => root.textContent?.includes("Nothing said or shown matches."), "the empty answer");
    await until(() => root.textContent?.includes("No session matches these filters."), "the list's empty state");
  });
});
