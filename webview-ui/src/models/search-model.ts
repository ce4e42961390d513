import { computed, effect, signal, type ReadonlySignal } from "@preact/signals";
import type { SearchHit, StintApi } from "../bridge/api.ts";
import { EVENTS } from "../bridge/api.ts";
import { BridgeError } from "../bridge/client.ts";
import { createDisposer, toErrorView, type ErrorView } from "./async-state.ts";

/** Hits asked for at once: a page the popover can show, grouped by session. */
export const SEARCH_LIMIT = 30;
/** Moments per session at most, so one long session does not fill the page. */
export const SEARCH_PER_SESSION = 3;

/** One session's hits, in rank order; `offset` is the first hit's place in the flat order the keyboard walks. */
export interface HitGroup {
  readonly sessionId: string;
  readonly sessionName: string;
  readonly startedAt: number;
  readonly offset: number;
  readonly hits: readonly SearchHit[];
}

export type SearchState =
  | { readonly kind: "idle" }
  | { readonly kind: "loading"; readonly query: string }
  | { readonly kind: "ready"; readonly query: string; readonly groups: readonly HitGroup[]; readonly hits: readonly SearchHit[]; readonly total: number }
  | { readonly kind: "error"; readonly query: string; readonly error: ErrorView }
  /** The engine has no search feature (the in-page demo engine): the box filters names only. */
  | { readonly kind: "unavailable" };

/**
 * Groups ranked hits by session, sessions in the order of their best hit.
 * The flat order (group by group) is the order arrow keys move through. Pure.
 */
export function groupHits(hits: readonly SearchHit[]): { groups: HitGroup[]; hits: SearchHit[] } {
  const bySession = new Map<string, SearchHit[]>();
  for (const hit of hits) {
    const list = bySession.get(hit.sessionId);
    if (list === undefined) bySession.set(hit.sessionId, [hit]);
    else list.push(hit);
  }
  const groups: HitGroup[] = [];
  const flat: SearchHit[] = [];
  for (const list of bySession.values()) {
    const first = list[0] as SearchHit;
    groups.push({ sessionId: first.sessionId, sessionName: first.sessionName, startedAt: first.startedAt, offset: flat.length, hits: list });
    flat.push(...list);
  }
  return { groups, hits: flat };
}

/** Moves the active hit by `delta`, wrapping at both ends; -1 (none) steps onto the first or last. Pure. */
export function moveActive(active: number, delta: number, count: number): number {
  if (count === 0) return -1;
  if (active < 0) return delta > 0 ? 0 : count - 1;
  return (((active + delta) % count) + count) % count;
}

/** Splits a snippet into plain and highlighted runs, for rendering with <mark>. Pure. */
export function snippetParts(snippet: SearchHit["snippet"]): { readonly text: string; readonly marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  let at = 0;
  const ranges = [...snippet.highlights].filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  for (const [start, end] of ranges) {
    if (start < at) continue;
    if (start > at) parts.push({ text: snippet.text.slice(at, start), marked: false });
    parts.push({ text: snippet.text.slice(start, end), marked: true });
    at = end;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), marked: false });
  return parts;
}

/**
 * Content search for the list's search box: the same `search.query` the
 * `stint search` command and the MCP server run, answered by the engine.
 * Follows the box's text (debounced), drops answers to older text, and
 * searches again when the library changes.
 */
export function createSearchModel(api: StintApi, text: ReadonlySignal<string>, options: { readonly debounceMs?: number } = {}) {
  const state = signal<SearchState>({ kind: "idle" });
  /** The hit the keyboard is on, in the flat order; -1 for none. */
  const active = signal(-1);
  const disposer = createDisposer();
  let generation = 0;
  let unavailable = false;

  async function run(): Promise<void> {
    const mine = ++generation;
    const query = text.peek().trim();
    if (unavailable) return;
    if (query === "") {
      state.value = { kind: "idle" };
      active.value = -1;
      return;
    }
    const before = state.peek();
    // Results stay on screen while the next answer comes, so typing does not flicker.
    if (before.kind !== "ready") state.value = { kind: "loading", query };
    try {
      const result = await api.search(query, { limit: SEARCH_LIMIT, perSession: SEARCH_PER_SESSION });
      if (mine !== generation) return;
      const grouped = groupHits(result.hits);
      state.value = { kind: "ready", query, groups: grouped.groups, hits: grouped.hits, total: result.total };
      active.value = grouped.hits.length > 0 ? 0 : -1;
    } catch (error) {
      if (mine !== generation) return;
      if (error instanceof BridgeError && error.code === "bridge.unknown_method") {
        unavailable = true;
        state.value = { kind: "unavailable" };
        active.value = -1;
        return;
      }
      state.value = { kind: "error", query, error: toErrorView("Searching", error) };
      active.value = -1;
    }
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), options.debounceMs ?? 150);
  };
  disposer.add(
    effect(() => {
      void text.value;
      schedule();
    }),
  );
  disposer.add(() => clearTimeout(timer));
  disposer.add(api.client.on(EVENTS.libraryChanged, () => (text.peek().trim() === "" ? undefined : schedule())));

  const hits = computed(() => {
    const current = state.value;
    return current.kind === "ready" ? current.hits : [];
  });

  return {
    state,
    active,
    hits,
    /** The active hit, if any. */
    current: computed((): SearchHit | undefined => hits.value[active.value]),
    move(delta: number): void {
      active.value = moveActive(active.peek(), delta, hits.peek().length);
    },
    /** Searches again now (a retry after an error). */
    reload: run,
    dispose: disposer.dispose,
  };
}
export type SearchModel = ReturnType<typeof createSearchModel>;
