// @vitest-environment happy-dom
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { createAppModel } from "../models/app-model.ts";
import { FIRST_PAGE, type DetailModel } from "../models/detail-model.ts";
import { createTestApi } from "../testing/engine-api.ts";
import { App } from "./app.tsx";

const roots: HTMLElement[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) render(null, root);
});

async function mount(options: Parameters<typeof createTestApi>[0] = {}, hash = "#/") {
  const { api, sent } = await createTestApi(options);
  const location = { hash };
  const app = createAppModel(api, { location, onHashChange: () => () => undefined });
  const root = document.createElement("div");
  document.body.append(root);
  roots.push(root);
  await act(() => render(<App app={app} />, root));
  return { app, root, sent, location, api };
}

async function until<T>(fn: () => T | undefined | null | false, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = fn();
    if (value) return value;
    await act(() => new Promise((r) => setTimeout(r, 10)));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("the panel", () => {
  it("lists sessions newest first with duration, size, enrichment and cost, and filters them", async () => {
    const { root, app } = await mount();
    const rows = await until(() => root.querySelectorAll(".session-row").length > 0 && root.querySelectorAll(".session-row"), "rows");
    expect(rows[0]?.querySelector(".session-name")?.textContent).toBe("Morning standup notes");
    expect(rows[0]?.textContent).toMatch(/14 min/);
    expect(rows[0]?.textContent).toMatch(/MB/);
    expect(rows[0]?.textContent).toMatch(/Enriched/);
    expect(rows[0]?.textContent).toMatch(/\$0\.03/);
    const list = app.screen.value.model as { text: { value: string } };
    await act(() => void (list.text.value = "crash"));
    await until(() => root.querySelectorAll(".session-row").length === 1, "one match");
    await act(() => void (list.text.value = "nothing matches this"));
    await until(() => root.textContent?.includes("No session matches these filters."), "the empty state");
  });

  it("offers the demo library when there are no sessions", async () => {
    const { root } = await mount({ demo: false });
    const button = await until(() => root.querySelector<HTMLButtonElement>("[data-testid=use-demo]"), "the demo button");
    expect(root.textContent).toContain("No recordings yet.");
    expect(root.querySelector("[data-testid=first-run]")?.textContent).toContain("R");
    await act(() => button.click());
    await until(() => root.querySelectorAll(".session-row").length > 3, "demo rows");
  });

  it("opens a session; an evidence chip seeks the player and moves the timeline", async () => {
    const { root, app } = await mount({}, "#/session/demo-parser");
    await until(() => root.querySelector("[data-testid=tab-timeline]"), "the tabs");
    await act(() => (root.querySelector("[data-testid=tab-timeline]") as HTMLButtonElement).click());
    await until(() => root.querySelector("[data-testid=timeline] .row"), "timeline rows");
    const detail = app.screen.value.model as DetailModel;
    const state = detail.state.value;
    if (state.kind !== "ready") throw new Error("not loaded");
    // The session has more items than the first page: the rest arrive by review.timeline.
    expect(state.value.detail.value.timeline.length).toBeLessThan(state.value.timeline.count);
    await act(() => (root.querySelector("[data-testid=tab-summary]") as HTMLButtonElement).click());
    const chip = root.querySelectorAll<HTMLButtonElement>("[data-testid=tasks] [data-testid=evidence-chip]")[1]!;
    const t = Number(chip.dataset.t);
    await act(() => chip.click());
    expect(state.value.player.time.value).toBe(t);
    await act(() => state.value.complete);
    await act(() => new Promise((r) => setTimeout(r, 0)));
    expect(state.value.timeline.complete()).toBe(true);
    const index = state.value.timeline.activeIndex.value;
    expect(index).toBeGreaterThan(300);
    const row = state.value.timeline.rowAt(index);
    expect(row?.kind === "item" ? row.item.t : row?.t).toBe(t);
    expect(root.querySelector("[data-testid=player-time]")?.getAttribute("data-ms")).toBe(String(t));
    await act(() => (root.querySelector("[data-testid=tab-timeline]") as HTMLButtonElement).click());
    const rows = root.querySelectorAll("[data-testid=timeline] .row").length;
    expect(rows).toBeLessThan(40);
  });

  it("moves through the timeline with the arrow keys, one tab stop for the whole list", async () => {
    const { root } = await mount({}, "#/session/demo-parser");
    await until(() => root.querySelector("[data-testid=tab-timeline]"), "the tabs");
    await act(() => (root.querySelector("[data-testid=tab-timeline]") as HTMLButtonElement).click());
    await until(() => root.querySelector("[data-testid=timeline] .row"), "timeline rows");
    const tabbable = root.querySelectorAll("[data-testid=timeline] .row-button[tabindex='0']");
    expect(tabbable).toHaveLength(1);
    const first = tabbable[0] as HTMLButtonElement;
    first.focus();
    await act(() => void first.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true })));
    await until(() => (document.activeElement?.closest(".row") as HTMLElement | null)?.dataset.index === "1", "focus on the second row");
    await act(() => void document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowUp", bubbles: true })));
    await until(() => (document.activeElement?.closest(".row") as HTMLElement | null)?.dataset.index === "0", "focus back on the first row");
    // Scrolling to rows far away needs layout, which the real-browser suite checks.
  });

  it("keeps keyboard focus on its timeline row when a live refresh rebuilds the timeline", async () => {
    let rewrite: ((envelope: { id?: unknown; method: string }) => unknown) | undefined;
    const { root, app, api } = await mount({ intercept: (envelope) => rewrite?.(envelope) }, "#/session/demo-parser");
    await until(() => root.querySelector("[data-testid=tab-timeline]"), "the tabs");
    await act(() => (root.querySelector("[data-testid=tab-timeline]") as HTMLButtonElement).click());
    await until(() => root.querySelector("[data-testid=timeline] .row"), "timeline rows");
    const detail = app.screen.value.model as DetailModel;
    const before = detail.state.value;
    if (before.kind !== "ready") throw new Error("not loaded");
    const first = root.querySelector<HTMLButtonElement>("[data-testid=timeline] .row-button[tabindex='0']")!;
    first.focus();
    for (let i = 0; i < 3; i++) await act(() => void document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true })));
    await until(() => document.activeElement?.closest<HTMLElement>(".row")?.dataset.index === "3", "focus on the fourth row");
    // The session grew while open (as a recording or another process makes it): its timeline is rebuilt, and the
    // focused row is not in the new first page, so until it loads it is drawn as a placeholder without a button.
    const real = await api.session("demo-parser", { timelineLimit: FIRST_PAGE });
    const grown = { ...real, timeline: real.timeline.slice(0, 2), session: { ...real.session, durationMs: real.session.durationMs + 1_000 } };
    rewrite = (envelope) => (envelope.method === "review.session" ? { v: 1, id: envelope.id, result: grown } : undefined);
    await act(() => detail.refresh());
    const after = detail.state.value;
    if (after.kind !== "ready") throw new Error("not loaded");
    expect(after.value.timeline).not.toBe(before.value.timeline);
    await until(() => document.activeElement?.closest<HTMLElement>(".row")?.dataset.index === "3", "focus still on the fourth row");
  });

  it("still seeks to the focused row when Enter lands on the page while that row's button is being recycled", async () => {
    const { root } = await mount({}, "#/session/demo-parser");
    await until(() => root.querySelector("[data-testid=tab-timeline]"), "the tabs");
    await act(() => (root.querySelector("[data-testid=tab-timeline]") as HTMLButtonElement).click());
    await until(() => root.querySelector("[data-testid=timeline] .row"), "timeline rows");
    const first = root.querySelector<HTMLButtonElement>("[data-testid=timeline] .row-button[tabindex='0']")!;
    first.focus();
    for (let i = 0; i < 3; i++) await act(() => void document.activeElement!.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowDown", bubbles: true })));
    const row = await until(() => {
      const focused = document.activeElement?.closest<HTMLElement>(".row");
      return focused?.dataset.index === "3" ? focused : undefined;
    }, "focus on the fourth row");
    const label = row.querySelector(".row-time")!.textContent!;
    const before = root.querySelector("[data-testid=player-time]")!.textContent!;
    expect(before.startsWith(`${label} /`)).toBe(false);
    // The row's button goes away as a recycled row's does: focus falls to the body, where Enter lands.
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    await act(() => void document.body.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true, cancelable: true })));
    await until(() => root.querySelector("[data-testid=player-time]")!.textContent!.startsWith(`${label} /`), `the player at ${label}`);
  });

  it("shows what failed and retries when opening a session fails", async () => {
    let fail = true;
    const { root } = await mount({ intercept: (e) => (e.method === "review.session" && fail ? { v: 1, id: e.id, error: { code: "storage.io", message: "disk went away", retryable: true } } : undefined) }, "#/session/demo-parser");
    const alert = await until(() => root.querySelector(".state-error"), "the error");
    expect(alert.textContent).toContain("Opening the session failed.");
    expect(alert.textContent).toContain("disk went away");
    fail = false;
    await act(() => alert.querySelector("button")!.click());
    await until(() => root.querySelector("[data-testid=summary]"), "the session after retry");
  });

  it("says so when a session does not exist", async () => {
    const { root } = await mount({}, "#/session/missing-one");
    const alert = await until(() => root.querySelector(".state-error"), "the error");
    expect(alert.textContent).toContain("review.not_found");
  });
});
