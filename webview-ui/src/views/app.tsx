import { useEffect } from "preact/hooks";
import type { AppModel } from "../models/app-model.ts";
import { ProcessingScreen } from "./processing-screen.tsx";
import { RecordingControls } from "./recording-controls.tsx";
import { SessionDetailView } from "./session-detail.tsx";
import { SessionList } from "./session-list.tsx";
import { Toasts } from "./toasts.tsx";

/** After a navigation, focus moves to the new screen's heading, or back to the row the user came from. */
function useFocusAfterNavigation(app: AppModel): void {
  const target = app.focusTarget.value;
  const screen = app.screen.value;
  useEffect(() => {
    if (target === undefined) return;
    let frames = 0;
    let handle = 0;
    const attempt = () => {
      const element = target.kind === "row" ? document.querySelector<HTMLElement>(`.session-row[data-session-id="${target.id}"]`) : document.querySelector<HTMLElement>("main h1");
      // The list loads asynchronously: try for a short while, then settle for the heading.
      if (element !== null) {
        element.focus();
        app.focusTarget.value = undefined;
      } else if (frames++ < 120) handle = requestAnimationFrame(attempt);
      else {
        document.querySelector<HTMLElement>("main h1")?.focus();
        app.focusTarget.value = undefined;
      }
    };
    handle = requestAnimationFrame(attempt);
    return () => cancelAnimationFrame(handle);
  }, [target, screen]);
}

export function App({ app }: { readonly app: AppModel }) {
  const screen = app.screen.value;
  const connection = app.connection.value;
  useFocusAfterNavigation(app);
  return (
    <div class="app">
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Stint, all sessions">
          Stint
        </a>
        <RecordingControls model={app.recording} toasts={app.toasts} />
      </header>
      {connection !== "open" && (
        <div class="banner" role="alert">
          {connection === "reconnecting" ? "Lost the connection to the engine; reconnecting…" : "Disconnected from the engine. Restart `stint serve` and reload this page."}
        </div>
      )}
      <main id="main">
        {screen.route.name === "list" && (
          <SessionList model={screen.model as Extract<typeof screen, { route: { name: "list" } }>["model"]} onOpen={(row) => app.navigate({ name: "session", id: row.id })} onDelete={app.deleteSessions} onOpenHit={(hit) => app.navigate({ name: "session", id: hit.sessionId, tab: "timeline", at: hit.startMs })} liveElapsed={app.recording.liveElapsed} />
        )}
        {screen.route.name === "session" && (
          <SessionDetailView
            model={screen.model as Extract<typeof screen, { route: { name: "session" } }>["model"]}
            client={app.api.client}
            liveElapsed={app.recording.liveElapsed}
            onBack={() => app.navigate({ name: "list" })}
            onProgress={() => app.navigate({ name: "processing", id: (screen.route as { id: string }).id })}
            onDelete={async (id, label) => {
              const done = await app.deleteSessions([id], label);
              if (done) app.navigate({ name: "list" });
              return done;
            }}
          />
        )}
        {screen.route.name === "processing" && (
          <ProcessingScreen
            model={screen.model as Extract<typeof screen, { route: { name: "processing" } }>["model"]}
            onOpen={() => app.navigate({ name: "session", id: (screen.route as { id: string }).id })}
            onBack={() => app.navigate({ name: "list" })}
          />
        )}
      </main>
      <Toasts model={app.toasts} />
    </div>
  );
}
