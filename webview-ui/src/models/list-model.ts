import { effect, signal } from "@preact/signals";
import type { SessionRow, StintApi } from "../bridge/api.ts";
import { EVENTS } from "../bridge/api.ts";
import { createDisposer, toErrorView, type AsyncState } from "./async-state.ts";
import { createSearchModel } from "./search-model.ts";

export const LIST_PAGE = 200;

export type StatusFilter = "all" | "completed" | "active" | "paused" | "interrupted";
/** One control for dates: the last day, week or month, or any time. */
export type RangeFilter = "any" | "day" | "week" | "month";
const RANGE_MS: Record<Exclude<RangeFilter, "any">, number> = { day: 86_400_000, week: 7 * 86_400_000, month: 30 * 86_400_000 };

/** The session list: query signals in, rows out; reloads when sessions change. */
export function createListModel(api: StintApi, options: { readonly debounceMs?: number } = {}) {
  const text = signal("");
  const status = signal<StatusFilter>("all");
  const from = signal("");
  const to = signal("");
  const range = signal<RangeFilter>("any");
  /** Rows ticked for a multi-select delete. */
  const selected = signal<ReadonlySet<string>>(new Set());
  /** Rows shown; the list grows by a page on request instead of rendering thousands at once. */
  const limit = signal(LIST_PAGE);
  const state = signal<AsyncState<{ rows: SessionRow[]; library: string; more: boolean }>>({ kind: "loading", since: Date.now() });
  const disposer = createDisposer();
  /** What was said or shown in any session, for the same search box. */
  const search = createSearchModel(api, text, options.debounceMs === undefined ? {} : { debounceMs: options.debounceMs });
  disposer.add(search.dispose);
  let generation = 0;

  async function load(): Promise<void> {
    const mine = ++generation;
    if (state.peek().kind !== "ready") state.value = { kind: "loading", since: Date.now() };
    const picked = range.peek();
    const fromMs = picked !== "any" ? Date.now() - RANGE_MS[picked] : from.peek() === "" ? undefined : Date.parse(`${from.peek()}T00:00:00`);
    const toMs = to.peek() === "" ? undefined : Date.parse(`${to.peek()}T23:59:59.999`);
    try {
      const result = await api.listSessions({
        ...(text.peek().trim() === "" ? {} : { text: text.peek().trim() }),
        ...(status.peek() === "all" ? {} : { statuses: [status.peek() as Exclude<StatusFilter, "all">] }),
        ...(fromMs === undefined || Number.isNaN(fromMs) ? {} : { from: fromMs }),
        ...(toMs === undefined || Number.isNaN(toMs) ? {} : { to: toMs }),
        // One more than shown tells whether there are more.
        limit: Math.min(1000, limit.peek() + 1),
      });
      if (mine !== generation) return;
      const rows = result.sessions.slice(0, limit.peek());
      state.value = { kind: "ready", value: { rows, library: result.library, more: result.sessions.length > limit.peek() } };
      // A ticked row that is gone (deleted elsewhere) is no longer selected.
      const present = new Set(rows.map((row) => row.id));
      if ([...selected.peek()].some((id) => !present.has(id))) selected.value = new Set([...selected.peek()].filter((id) => present.has(id)));
    } catch (error) {
      if (mine === generation) state.value = { kind: "error", error: toErrorView("Loading sessions", error) };
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let first = true;
  disposer.add(
    effect(() => {
      // Read every filter so any change schedules a reload.
      void [text.value, status.value, from.value, to.value, range.value, limit.value];
      clearTimeout(timer);
      // The first load starts at once (the panel opening waits on it); typing is debounced.
      if (first) {
        first = false;
        void load();
      } else timer = setTimeout(() => void load(), options.debounceMs ?? 120);
    }),
  );
  disposer.add(() => clearTimeout(timer));
  for (const event of [EVENTS.sessionState, EVENTS.jobCompleted, EVENTS.jobFailed, EVENTS.library, EVENTS.libraryChanged]) {
    disposer.add(api.client.on(event, () => void load()));
  }
  // Progress arrives often; refresh the rows' percentages at most every 2 s.
  let lastProgressLoad = 0;
  disposer.add(
    api.client.on(EVENTS.jobProgress, () => {
      if (Date.now() - lastProgressLoad < 2_000) return;
      lastProgressLoad = Date.now();
      void load();
    }),
  );

  return {
    text,
    search,
    status,
    from,
    to,
    range,
    selected,
    state,
    toggleSelected(id: string): void {
      const next = new Set(selected.peek());
      if (next.has(id)) next.delete(id);
      else next.add(id);
      selected.value = next;
    },
    clearSelection(): void {
      selected.value = new Set();
    },
    limit,
    showMore(): void {
      limit.value = Math.min(999, limit.peek() + LIST_PAGE);
    },
    reload: load,
    async useDemo() {
      try {
        await api.useDemo();
      } catch (error) {
        state.value = { kind: "error", error: toErrorView("Loading the demo library", error) };
        return;
      }
      await load();
    },
    dispose: disposer.dispose,
  };
}
export type ListModel = ReturnType<typeof createListModel>;
