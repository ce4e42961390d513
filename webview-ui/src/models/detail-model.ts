import { effect, signal, type Signal } from "@preact/signals";
import type { Edit, ExportFormat, LibraryChange, SessionDetail, StintApi } from "../bridge/api.ts";
import { EVENTS } from "../bridge/api.ts";
import { indexAtTime, resolveEvidence, type Evidence } from "../../../engine/src/review/models.ts";
import { createDisposer, toErrorView, type AsyncState, type ErrorView } from "./async-state.ts";
import { createPlayerModel, type PlayerModel, type PlayerOptions } from "./player-model.ts";
import { createTimelineModel, type TimelineModel } from "./timeline-model.ts";
import type { ToastModel } from "./toast-model.ts";

export interface Loaded {
  /** The session as last read; live events replace it. */
  readonly detail: Signal<SessionDetail>;
  readonly player: PlayerModel;
  readonly timeline: TimelineModel;
  /** Settles once every timeline page has arrived (or loading the rest failed). */
  readonly complete: Promise<void>;
}

export type DetailTab = "summary" | "timeline" | "transcript";

/** Items sent with the session; the rest follow in pages so a long session paints at once. */
export const FIRST_PAGE = 300;
const PAGE = 2_000;
/** A user's own scrolling of the timeline pauses following the play head this long. */
const FOLLOW_PAUSE_MS = 2_500;
/** Live events refresh the open session at most this often. */
const REFRESH_MS = 1_500;

/** Resolves once the browser is idle after painting (soon, where there are no frames). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") setTimeout(resolve, 0);
    else if (typeof requestIdleCallback === "function") requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 500 }));
    else requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

export interface DetailOptions {
  readonly playerOptions?: Partial<PlayerOptions>;
  readonly download?: (name: string, mimeType: string, text: string) => void;
  readonly virtualize?: boolean;
  readonly toasts?: ToastModel;
  /** The tab to open on (a deep link); Summary otherwise. */
  readonly tab?: DetailTab;
  /** The moment to open at (a search hit), in session ms: the player seeks there and the timeline shows it. */
  readonly at?: number;
}

/** One open session: loads it, owns its player and timeline, links evidence to both, follows live events. */
export function createDetailModel(api: StintApi, id: string, options: DetailOptions = {}) {
  const state = signal<AsyncState<Loaded>>({ kind: "loading", since: Date.now() });
  const exportError = signal<ErrorView | undefined>(undefined);
  const timelineError = signal<ErrorView | undefined>(undefined);
  const actionError = signal<ErrorView | undefined>(undefined);
  const exporting = signal<ExportFormat | undefined>(undefined);
  const tab = signal<DetailTab>(options.tab ?? "summary");
  /** Set when the session was deleted (here or by another process). */
  const deleted = signal(false);
  const disposer = createDisposer();
  const toasts = options.toasts;
  let loaded: Loaded | undefined;
  let disposed = false;
  let lastUserScroll = -Infinity;
  let lastScrub = -Infinity;

  async function loadRest(timeline: TimelineModel, player: PlayerModel): Promise<void> {
    timelineError.value = undefined;
    // The first page paints first; the rest must not compete with it.
    await afterPaint();
    try {
      while (!timeline.complete() && !disposed) {
        const page = await api.timeline(id, timeline.all().length, PAGE);
        if (disposed) return;
        if (page.items.length === 0) break;
        timeline.append(page.items);
      }
      player.setTimeline(timeline.all());
    } catch (error) {
      if (!disposed) timelineError.value = toErrorView("Loading the rest of the timeline", error);
    }
  }

  let viewDisposer = createDisposer();
  function build(detail: SessionDetail, keep?: { time: number; filter: TimelineModel["filter"]["value"] }): Loaded {
    viewDisposer.dispose();
    viewDisposer = createDisposer();
    const player = createPlayerModel({ client: api.client, detail, ...options.playerOptions });
    const timeline = createTimelineModel(detail.timeline, { virtualize: options.virtualize ?? true, total: detail.timelineTotal ?? detail.timeline.length });
    if (keep !== undefined) {
      if (keep.filter !== timeline.filter.peek()) timeline.setFilter(keep.filter);
      player.seek(keep.time);
    }
    const complete = timeline.complete() ? Promise.resolve() : loadRest(timeline, player);
    // The benchmark scrolls only a fully loaded timeline.
    void complete.then(() => globalThis.performance?.mark?.("stint:timeline-complete"));
    const next: Loaded = { detail: loaded?.detail ?? signal(detail), player, timeline, complete };
    next.detail.value = detail;
    viewDisposer.add(() => player.dispose());
    // The timeline follows the play head, while playing and while scrubbing, unless the user is scrolling it.
    viewDisposer.add(effect(() => timeline.markTime(player.time.value, (player.playing.peek() || Date.now() - lastScrub < FOLLOW_PAUSE_MS) && Date.now() - lastUserScroll > FOLLOW_PAUSE_MS)));
    return next;
  }

  /** Seeks to `t` and highlights its timeline row, scrolling there once the row's page has arrived. */
  function showMoment(current: Loaded, t: number): void {
    current.player.seek(t);
    const scroll = () => {
      if (loaded === current && !disposed) current.timeline.scrollToItem(Math.max(0, indexAtTime(current.timeline.all(), t)));
    };
    scroll();
    if (!current.timeline.complete()) void current.complete.then(scroll);
  }

  async function load(): Promise<void> {
    state.value = { kind: "loading", since: Date.now() };
    try {
      // Unvirtualized too (the benchmark's peer): the same paging, so the two differ only in what they render.
      const detail = await api.session(id, { timelineLimit: FIRST_PAGE });
      if (disposed) return;
      loaded = build(detail);
      if (options.at !== undefined) showMoment(loaded, options.at);
      state.value = { kind: "ready", value: loaded };
    } catch (error) {
      if (!disposed) state.value = { kind: "error", error: toErrorView("Opening the session", error) };
    }
  }
  void load();
  disposer.add(() => viewDisposer.dispose());

  /** Re-reads the session after a live event. The timeline and player are rebuilt only when what they show changed and nothing is playing. */
  async function refresh(): Promise<void> {
    const current = loaded;
    if (current === undefined || disposed || deleted.peek()) return;
    let detail: SessionDetail;
    try {
      detail = await api.session(id, { timelineLimit: FIRST_PAGE });
    } catch {
      return;
    }
    if (disposed || loaded !== current) return;
    const before = current.detail.peek();
    const timelineChanged = (detail.timelineTotal ?? 0) !== (before.timelineTotal ?? 0) || detail.session.durationMs !== before.session.durationMs || detail.session.enrichment.state !== before.session.enrichment.state || detail.media.audio.length !== before.media.audio.length;
    if (timelineChanged && !current.player.playing.peek()) {
      loaded = build(detail, { time: current.player.time.peek(), filter: current.timeline.filter.peek() });
      state.value = { kind: "ready", value: loaded };
    } else current.detail.value = detail;
  }
  let refreshTimer: ReturnType<typeof setTimeout> | undefined;
  let lastRefresh = 0;
  function scheduleRefresh(): void {
    if (refreshTimer !== undefined) return;
    const wait = Math.max(0, lastRefresh + REFRESH_MS - Date.now());
    refreshTimer = setTimeout(() => {
      refreshTimer = undefined;
      lastRefresh = Date.now();
      void refresh();
    }, wait);
  }
  disposer.add(() => clearTimeout(refreshTimer));
  const mine = (params: unknown): boolean => (params as { sessionId?: unknown } | null)?.sessionId === id;
  for (const event of [EVENTS.sessionState, EVENTS.jobProgress, EVENTS.jobCompleted, EVENTS.jobFailed, EVENTS.mediaProgress]) {
    disposer.add(api.client.on(event, (params) => (mine(params) ? scheduleRefresh() : undefined)));
  }
  disposer.add(
    api.client.on(EVENTS.libraryChanged, (params) => {
      const change = params as LibraryChange;
      if (change?.sessionId !== id) return;
      if (change.kind === "deleted") deleted.value = true;
      else {
        deleted.value = false;
        scheduleRefresh();
      }
    }),
  );

  async function run<T>(what: string, action: () => Promise<T>): Promise<T | undefined> {
    actionError.value = undefined;
    try {
      return await action();
    } catch (error) {
      actionError.value = toErrorView(what, error);
      toasts?.show({ text: `${what} failed: ${actionError.value.message}`, tone: "error" });
      return undefined;
    }
  }

  function patch(change: Partial<SessionDetail>): void {
    const current = loaded;
    if (current !== undefined) current.detail.value = { ...current.detail.peek(), ...change };
  }

  return {
    id,
    state,
    tab,
    deleted,
    exportError,
    timelineError,
    actionError,
    exporting,
    reload: load,
    refresh,
    retryTimeline(): void {
      if (loaded !== undefined) loaded = { ...loaded, complete: loadRest(loaded.timeline, loaded.player) };
    },
    /** The user moved the scrubber: the timeline follows. */
    noteScrub(): void {
      lastScrub = Date.now();
      lastUserScroll = -Infinity;
    },
    /** The user scrolled the timeline: following the play head pauses for a moment. */
    noteUserScroll(): void {
      lastUserScroll = Date.now();
    },
    /** An evidence chip: seek the player and show the moment in the timeline. */
    followEvidence(evidence: Evidence): void {
      const current = loaded;
      if (current === undefined) return;
      current.player.seek(evidence.tStart);
      const scroll = () => current.timeline.scrollToItem(resolveEvidence(current.timeline.all(), evidence).index);
      if (current.timeline.complete()) scroll();
      else void current.complete.then(scroll);
    },
    /** Activating a timeline row seeks there. */
    seekToIndex(index: number): void {
      const row = loaded?.timeline.rowAt(index);
      if (loaded === undefined || row === undefined) return;
      lastUserScroll = -Infinity;
      loaded.player.seek(row.kind === "item" ? row.item.t : row.t);
      loaded.timeline.activeIndex.value = index;
    },
    async export(format: ExportFormat): Promise<void> {
      exportError.value = undefined;
      exporting.value = format;
      const saving = toasts?.show({ text: `Preparing the ${format === "md" ? "Markdown" : "JSON"} export…` });
      try {
        const file = await api.exportSession(id, format);
        (options.download ?? downloadText)(file.fileName, file.mimeType, file.text);
        toasts?.show({ text: `Saved ${file.fileName}` }, saving);
      } catch (error) {
        exportError.value = toErrorView(`Exporting as ${format === "md" ? "Markdown" : "JSON"}`, error);
        toasts?.show({ text: `${exportError.value.what} failed: ${exportError.value.message}`, tone: "error" }, saving);
      } finally {
        exporting.value = undefined;
      }
    },
    async rename(name: string): Promise<boolean> {
      const result = await run("Renaming", () => api.rename(id, name));
      if (result !== undefined) patch({ session: result.session });
      return result !== undefined;
    },
    async tags(change: { readonly add?: readonly string[]; readonly remove?: readonly string[] }): Promise<boolean> {
      const result = await run(change.add?.length ? "Adding the tag" : "Removing the tag", () => api.tags(id, change));
      if (result !== undefined) patch({ session: result.session });
      return result !== undefined;
    },
    /** A correction of the AI's output; the engine keeps the AI's version beside it. */
    async edit(edit: Edit): Promise<boolean> {
      const result = await run("Saving the change", () => api.edit(id, edit));
      if (result === undefined) return false;
      const { summary, ...rest } = result;
      patch({ ...rest, ...(summary === null ? {} : { summary }) });
      if (edit.kind === "chapter" || edit.kind === "marker") scheduleRefresh();
      return true;
    },
    async retryEnrichment(): Promise<void> {
      const done = await run("Retrying enrichment", () => api.retryEnrichment(id));
      if (done !== undefined) {
        toasts?.show({ text: "Enrichment queued again" });
        scheduleRefresh();
      }
    },
    async repair(): Promise<void> {
      const done = await run("Repairing storage", () => api.repairStorage());
      if (done !== undefined) {
        toasts?.show({ text: "Storage repaired" });
        scheduleRefresh();
      }
    },
    dispose(): void {
      disposed = true;
      disposer.dispose();
    },
  };
}
export type DetailModel = ReturnType<typeof createDetailModel>;

function downloadText(name: string, mimeType: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: mimeType }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
