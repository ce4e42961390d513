import { signal } from "@preact/signals";
import type { StintApi } from "../bridge/api.ts";
import { createDisposer } from "./async-state.ts";
import { createDetailModel, type DetailModel } from "./detail-model.ts";
import { createListModel, type ListModel } from "./list-model.ts";
import { createProcessingModel, type ProcessingModel } from "./processing-model.ts";
import { createRecordingModel, type RecordingModel } from "./recording-model.ts";

export type Route = { readonly name: "list" } | { readonly name: "session"; readonly id: string } | { readonly name: "processing"; readonly id: string };

/** `#/session/<id>`, `#/processing/<id>`, anything else is the list. */
export function parseRoute(hash: string): Route {
  const match = /^#\/(session|processing)\/([A-Za-z0-9_-]{1,100})$/.exec(hash);
  if (match === null) return { name: "list" };
  return { name: match[1] as "session" | "processing", id: match[2] as string };
}

export function routeHash(route: Route): string {
  return route.name === "list" ? "#/" : `#/${route.name}/${route.id}`;
}

export type Screen = { readonly route: { name: "list" }; readonly model: ListModel } | { readonly route: { name: "session"; id: string }; readonly model: DetailModel } | { readonly route: { name: "processing"; id: string }; readonly model: ProcessingModel };

/** The panel: the current screen's model (created on entry, disposed on exit) and the recording controls. */
export function createAppModel(api: StintApi, options: { readonly location?: { hash: string }; readonly onHashChange?: (listener: () => void) => () => void; readonly virtualize?: boolean } = {}) {
  const location = options.location ?? globalThis.location;
  const disposer = createDisposer();
  const screen = signal<Screen>(makeScreen(parseRoute(location.hash)));
  const connection = signal<"open" | "reconnecting" | "closed">("open");

  function makeScreen(route: Route): Screen {
    if (route.name === "session") return { route, model: createDetailModel(api, route.id, { virtualize: options.virtualize ?? true }) };
    if (route.name === "processing") return { route, model: createProcessingModel(api, route.id) };
    return { route: { name: "list" }, model: createListModel(api) };
  }

  function show(route: Route): void {
    const current = screen.peek();
    if (current.route.name === route.name && ("id" in route ? (current.route as { id?: string }).id === route.id : true)) return;
    current.model.dispose();
    screen.value = makeScreen(route);
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
    navigate,
    dispose(): void {
      screen.peek().model.dispose();
      disposer.dispose();
    },
  };
}
export type AppModel = ReturnType<typeof createAppModel>;
