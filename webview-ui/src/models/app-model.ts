import { signal } from "@preact/signals";
import type { StintApi } from "../bridge/api.ts";
import { createDisposer } from "./async-state.ts";
import { createDetailModel, type DetailModel } from "./detail-model.ts";
import { createListModel, type ListModel } from "./list-model.ts";
import { createProcessingModel, type ProcessingModel } from "./processing-model.ts";
import { createRecordingModel, type RecordingModel } from "./recording-model.ts";
import { createToastModel } from "./toast-model.ts";

export type Route = { readonly name: "list" } | { readonly name: "session"; readonly id: string; readonly tab?: "timeline" | "transcript"; readonly at?: number } | { readonly name: "processing"; readonly id: string };

/** `#/session/<id>` (optionally `/timeline` or `/transcript` to open on that tab, then `@<ms>` to open at that moment), `#/processing/<id>`, anything else is the list. */
export function parseRoute(hash: string): Route {
  const match = /^#\/(session|processing)\/([A-Za-z0-9_-]{1,100})(?:\/(timeline|transcript))?(?:@(\d{1,10}))?$/.exec(hash);
  if (match === null) return { name: "list" };
  if (match[1] === "session") return { name: "session", id: match[2] as string, ...(match[3] === undefined ? {} : { tab: match[3] as "timeline" | "transcript" }), ...(match[4] === undefined ? {} : { at: Number(match[4]) }) };
  return { name: "processing", id: match[2] as string };
}

export function routeHash(route: Route): string {
  if (route.name === "list") return "#/";
  if (route.name === "processing") return `#/processing/${route.id}`;
  return `#/session/${route.id}${route.tab !== undefined ? `/${route.tab}` : ""}${route.at !== undefined ? `@${Math.max(0, Math.round(route.at))}` : ""}`;
}

export type Screen = { readonly route: { name: "list" }; readonly model: ListModel } | { readonly route: { name: "session"; id: string }; readonly model: DetailModel } | { readonly route: { name: "processing"; id: string }; readonly model: ProcessingModel };

/** The panel: the current screen's model (created on entry, disposed on exit) and the recording controls. */
export function createAppModel(api: StintApi, options: { readonly location?: { hash: string }; readonly onHashChange?: (listener: () => void) => () => void; readonly virtualize?: boolean } = {}) {
  const location = options.location ?? globalThis.location;
  const disposer = createDisposer();
  const toasts = createToastModel();
  disposer.add(toasts.dispose);
  const screen = signal<Screen>(makeScreen(parseRoute(location.hash)));
  const connection = signal<"open" | "reconnecting" | "closed">("open");
  /**
   * Where keyboard focus goes once the new screen has painted: its heading, or
   * on the way back to the list, the row the user came from.
   */
  const focusTarget = signal<{ readonly kind: "heading" } | { readonly kind: "row"; readonly id: string } | undefined>(undefined);

  function makeScreen(route: Route): Screen {
    if (route.name === "session") return { route, model: createDetailModel(api, route.id, { virtualize: options.virtualize ?? true, toasts, ...(route.tab === undefined ? {} : { tab: route.tab }), ...(route.at === undefined ? {} : { at: route.at }) }) };
    if (route.name === "processing") return { route, model: createProcessingModel(api, route.id) };
    return { route: { name: "list" }, model: createListModel(api) };
  }

  function show(route: Route): void {
    const current = screen.peek();
    if (current.route.name === route.name && ("id" in route ? (current.route as { id?: string }).id === route.id : true)) return;
    current.model.dispose();
    const from = "id" in current.route ? current.route.id : undefined;
    focusTarget.value = route.name === "list" && from !== undefined ? { kind: "row", id: from } : { kind: "heading" };
    screen.value = makeScreen(route);
  }

  /** Deletes sessions after the engine's short undo window; the toast offers Undo until then. */
  async function deleteSessions(ids: readonly string[], label: string): Promise<boolean> {
    try {
      const { pending } = await api.deleteSessions(ids);
      toasts.show({
        text: `Deleted ${label}`,
        action: {
          label: "Undo",
          run: async () => {
            try {
              const { restored } = await api.undoDelete(pending);
              toasts.show({ text: restored.length === pending.length ? `Restored ${label}` : "Too late to undo: the delete already went through" });
            } catch (error) {
              toasts.show({ text: `Undo failed: ${error instanceof Error ? error.message : String(error)}`, tone: "error" });
            }
          },
        },
      });
      return true;
    } catch (error) {
      toasts.show({ text: `Deleting ${label} failed: ${(error as { message?: string }).message ?? String(error)}`, tone: "error" });
      return false;
    }
  }

  const recording: RecordingModel = createRecordingModel(api, {
    onEnded: (sessionId) => {
      if (sessionId !== undefined) navigate({ name: "processing", id: sessionId });
    },
  });
  disposer.add(recording.dispose);

  function navigate(route: Route): void {
    const hash = routeHash(route);
    if (location.hash !== hash) location.hash = hash;
    show(route);
  }

  const onHash = () => show(parseRoute(location.hash));
  if (options.onHashChange !== undefined) disposer.add(options.onHashChange(onHash));
  else if (typeof addEventListener === "function") {
    addEventListener("hashchange", onHash);
    disposer.add(() => removeEventListener("hashchange", onHash));
  }

  return {
    api,
    screen,
    recording,
    connection,
    toasts,
    focusTarget,
    deleteSessions,
    navigate,
    dispose(): void {
      screen.peek().model.dispose();
      disposer.dispose();
    },
  };
}
export type AppModel = ReturnType<typeof createAppModel>;
