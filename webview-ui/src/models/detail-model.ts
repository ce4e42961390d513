import { effect, signal } from "@preact/signals";
import type { ExportFormat, SessionDetail, StintApi } from "../bridge/api.ts";
import { resolveEvidence, type Evidence } from "../../../engine/src/review/models.ts";
import { createDisposer, toErrorView, type AsyncState, type ErrorView } from "./async-state.ts";
import { createPlayerModel, type PlayerModel, type PlayerOptions } from "./player-model.ts";
import { createTimelineModel, type TimelineModel } from "./timeline-model.ts";

export interface Loaded {
  readonly detail: SessionDetail;
  readonly player: PlayerModel;
  readonly timeline: TimelineModel;
  /** Settles once every timeline page has arrived (or loading the rest failed). */
  readonly complete: Promise<void>;
}

/** Items sent with the session; the rest follow in pages so a long session paints at once. */
export const FIRST_PAGE = 300;
const PAGE = 2_000;

/** Resolves once the browser is idle after painting (soon, where there are no frames). */
function afterPaint(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof requestAnimationFrame !== "function") setTimeout(resolve, 0);
    else if (typeof requestIdleCallback === "function") requestAnimationFrame(() => requestIdleCallback(() => resolve(), { timeout: 500 }));
    else requestAnimationFrame(() => setTimeout(resolve, 0));
  });
}

/** One open session: loads it, owns its player and timeline, links evidence to both. */
export function createDetailModel(api: StintApi, id: string, options: { readonly playerOptions?: Partial<PlayerOptions>; readonly download?: (name: string, mimeType: string, text: string) => void; readonly virtualize?: boolean } = {}) {
  const state = signal<AsyncState<Loaded>>({ kind: "loading", since: Date.now() });
  const exportError = signal<ErrorView | undefined>(undefined);
  const timelineError = signal<ErrorView | undefined>(undefined);
  const disposer = createDisposer();
  let loaded: Loaded | undefined;
  let disposed = false;

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

  async function load(): Promise<void> {
    state.value = { kind: "loading", since: Date.now() };
    try {
      // Unvirtualized (the benchmark's peer) renders everything at once, so it asks for everything at once.
      const detail = await api.session(id, options.virtualize === false ? {} : { timelineLimit: FIRST_PAGE });
      if (disposed) return;
      const player = createPlayerModel({ client: api.client, detail, ...options.playerOptions });
      const timeline = createTimelineModel(detail.timeline, { virtualize: options.virtualize ?? true, total: detail.timelineTotal ?? detail.timeline.length });
      loaded?.player.dispose();
      const complete = timeline.complete() ? Promise.resolve() : loadRest(timeline, player);
      loaded = { detail, player, timeline, complete };
      disposer.add(() => player.dispose());
      // While playing, the timeline highlights the play head's row.
      disposer.add(effect(() => timeline.markTime(player.time.value)));
      state.value = { kind: "ready", value: loaded };
    } catch (error) {
      if (!disposed) state.value = { kind: "error", error: toErrorView("Opening the session", error) };
    }
  }
  void load();

  return {
    id,
    state,
    exportError,
    timelineError,
    reload: load,
    retryTimeline(): void {
      if (loaded !== undefined) loaded = { ...loaded, complete: loadRest(loaded.timeline, loaded.player) };
    },
    /** An evidence chip: seek the player and scroll the timeline to the moment. */
    followEvidence(evidence: Evidence): void {
      const current = loaded;
      if (current === undefined) return;
      // Seek at once; the timeline scrolls once the page holding the moment is there.
      current.player.seek(evidence.tStart);
      const scroll = () => current.timeline.scrollToIndex(resolveEvidence(current.timeline.all(), evidence).index);
      if (current.timeline.complete()) scroll();
      else void current.complete.then(scroll);
    },
    /** Clicking a timeline row seeks there. */
    seekToIndex(index: number): void {
      const item = loaded?.timeline.itemAt(index);
      if (loaded === undefined || item === undefined) return;
      loaded.player.seek(item.t);
      loaded.timeline.activeIndex.value = index;
    },
    async export(format: ExportFormat): Promise<void> {
      exportError.value = undefined;
      try {
        const file = await api.exportSession(id, format);
        (options.download ?? downloadText)(file.fileName, file.mimeType, file.text);
      } catch (error) {
        exportError.value = toErrorView(`Exporting as ${format === "md" ? "Markdown" : "JSON"}`, error);
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
